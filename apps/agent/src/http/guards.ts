import type { IncomingMessage } from 'node:http';
import { isLoopbackHost } from '../config.js';
import { HttpError } from './errors.js';

/** What the guards need to know about the agent's configuration. */
export interface GuardOptions {
  /** The address the agent listens on: loopback (the default) serves only loopback `Host` names. */
  host: string;
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
}

const loopbackNames = ['localhost', '127.0.0.1', '[::1]'];

/** A header value quoted for an error message, cut short: headers are the client's text, of any length. */
const quoted = (value: string) => JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);

/** The name part of a `Host` header, lower case, IPv6 kept in brackets: `[::1]:8080` → `[::1]`. */
export function hostName(host: string): string {
  const lower = host.trim().toLowerCase();
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1);
  return lower.replace(/:\d*$/, '').replace(/\.$/, '');
}

/**
 * The `Host` allow list against DNS rebinding: a page on `attacker.example` that rebinds its name to 127.0.0.1 still
 * sends `Host: attacker.example`. Bound to loopback, only `localhost`, `127.0.0.1`, `[::1]` (any port) and
 * `ALLOWED_HOSTS` are served; bound wider, `ALLOWED_HOSTS` (plus the loopback names) when set, any name otherwise.
 * A request without `Host` (HTTP/1.0, not a browser) passes.
 *
 * @example
 * ```ts
 * const isHostAllowed = hostGuard({ host: '127.0.0.1', allowedHosts: [], allowedOrigins: [] });
 * isHostAllowed('localhost:8080'); // true
 * isHostAllowed('attacker.example'); // false
 * ```
 */
export function hostGuard(options: GuardOptions): (host: string | undefined) => boolean {
  const bound = hostName(
    options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host,
  );
  const allowed = new Set([...loopbackNames, ...options.allowedHosts.map(hostName)]);
  if (isLoopbackHost(options.host)) allowed.add(bound);
  const open = !isLoopbackHost(options.host) && options.allowedHosts.length === 0;
  return (host) => host === undefined || open || allowed.has(hostName(host));
}

/**
 * Same origin (the `Origin`'s host is the `Host` the agent was reached at) or listed in `ALLOWED_ORIGINS`; no
 * `Origin` = not a browser page, which passes (curl, SDKs). `Origin: null` (sandboxed frames, `file:`) is foreign.
 *
 * @example
 * ```ts
 * if (!isOriginAllowed(request, config.allowedOrigins)) throw forbiddenOrigin(request.headers.origin);
 * ```
 */
export function isOriginAllowed(request: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const normalised = origin.replace(/\/+$/, '');
  if (allowedOrigins.includes(normalised)) return true;
  try {
    const { host } = new URL(normalised);
    return host !== '' && host === request.headers.host?.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * The refusals for a request that a browser page on another site, or a rebound DNS name, could have sent:
 * `host` throws 421 for a `Host` outside the allow list (every route), `origin` 403 `forbidden` for a foreign
 * `Origin` (every route that starts, reads or cancels a generation, and the WebSocket upgrade). Both run before any
 * work starts.
 *
 * @example
 * ```ts
 * const guard = requestGuard(config);
 * guard.host(request); // throws HttpError 421
 * guard.origin(request); // throws HttpError 403
 * ```
 */
export function requestGuard(options: GuardOptions) {
  const isHostAllowed = hostGuard(options);
  return {
    host(request: IncomingMessage): void {
      const { host } = request.headers;
      if (isHostAllowed(host)) return;
      throw new HttpError({
        kind: 'forbidden',
        status: 421,
        message:
          `this agent does not serve the host name ${quoted(hostName(host ?? ''))}: open it as ` +
          'localhost or 127.0.0.1, or add the name to ALLOWED_HOSTS',
      });
    },
    origin(request: IncomingMessage): void {
      if (isOriginAllowed(request, options.allowedOrigins)) return;
      throw new HttpError({
        kind: 'forbidden',
        status: 403,
        message:
          `requests from pages on ${quoted(request.headers.origin ?? '')} are refused; ` +
          'add the origin to ALLOWED_ORIGINS to allow them',
      });
    },
  };
}

/** `application/json`, or any `…+json` type, with or without parameters (`; charset=utf-8`). */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type);
}

/**
 * Refuses a POST body that is not JSON with 415 before anything reads it: a page's `text/plain` or form POST is a
 * CORS "simple request" that skips the preflight, so a JSON-only body is one of the two locks against CSRF (the
 * `Origin` check is the other). A route without a body (`cancel`) also takes a POST with no `Content-Type`.
 *
 * @example
 * ```ts
 * assertJsonBody(request, { bodyless: false }); // throws HttpError 415 for text/plain
 * ```
 */
export function assertJsonBody(request: IncomingMessage, { bodyless }: { bodyless: boolean }): void {
  const contentType = request.headers['content-type'];
  if (isJsonContentType(contentType) || (bodyless && contentType === undefined)) return;
  throw new HttpError({
    kind: 'invalid-request',
    status: 415,
    message:
      contentType === undefined
        ? 'missing Content-Type: send the body as application/json'
        : `unsupported Content-Type ${quoted(contentType)}: send the body as application/json`,
    headers: { 'Accept-Post': 'application/json' },
  });
}
