import type { IncomingMessage } from 'node:http';

/**
 * Same-origin (the Origin's host is the Host we were reached at) or listed in `ALLOWED_ORIGINS`; no Origin = not a
 * browser.
 *
 * @example
 * ```ts
 * if (!isOriginAllowed(request, config.allowedOrigins)) throw forbidden();
 * ```
 */
export function isOriginAllowed(request: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const normalised = origin.replace(/\/+$/, '');
  if (allowedOrigins.includes(normalised)) return true;
  try {
    return new URL(normalised).host === request.headers.host;
  } catch {
    return false;
  }
}
