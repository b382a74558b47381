import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Compares a presented token with the configured key in constant time (hashing both first makes the comparison
 * independent of their lengths too).
 *
 * @example
 * ```ts
 * tokensMatch('secret', 'secret'); // true
 * ```
 */
export function tokensMatch(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const header = headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1]?.trim();
}

/**
 * The `x-api-key` header, as the official Anthropic SDK sends its key (so `new Anthropic({ apiKey: AGENT_API_KEY })`
 * reaches the agent's `/v1/messages`). A custom header: a page on another origin cannot send it without a preflight.
 */
export function apiKeyHeaderToken(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['x-api-key'];
  if (typeof header !== 'string') return undefined;
  const token = header.trim();
  return token === '' ? undefined : token;
}

/** Browsers cannot set headers on a WebSocket: they may offer the subprotocol `rxllm.bearer.<token>` instead. */
export function subprotocolToken(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return undefined;
  for (const protocol of header.split(',')) {
    const trimmed = protocol.trim();
    if (trimmed.startsWith('rxllm.bearer.')) return trimmed.slice('rxllm.bearer.'.length);
  }
  return undefined;
}

/**
 * True when no key is configured, or the request presents it: `Authorization: Bearer`, else `x-api-key`, else (WebSocket
 * upgrades) the subprotocol. Each is compared in constant time.
 *
 * @example
 * ```ts
 * if (!isAuthorized(request.headers, config.agentApiKey)) respond401();
 * ```
 */
export function isAuthorized(
  headers: IncomingHttpHeaders,
  expected: string | undefined,
  allowSubprotocol = false,
): boolean {
  if (expected === undefined) return true;
  const presented =
    bearerToken(headers) ?? apiKeyHeaderToken(headers) ?? (allowSubprotocol ? subprotocolToken(headers) : undefined);
  return presented !== undefined && tokensMatch(presented, expected);
}
