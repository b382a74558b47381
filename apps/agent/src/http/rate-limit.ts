import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RateLimiter } from '@rxllm/store';
import type { Logger } from 'pino';
import { bearerToken, subprotocolToken } from './auth.js';
import { HttpError } from './errors.js';

/**
 * Who a request counts against: with `AGENT_API_KEY` set, the hash of the (checked) bearer token, header or WebSocket
 * subprotocol; else the remote address, since an unchecked token would let a client pick a fresh bucket per request.
 * The token itself never becomes a key (keys reach Redis and could reach logs).
 *
 * @example
 * ```ts
 * rateLimitKey(request, config.agentApiKey !== undefined); // 'key:3f2a…' or 'ip:127.0.0.1'
 * ```
 */
export function rateLimitKey(request: IncomingMessage, tokensAreChecked: boolean): string {
  const token = tokensAreChecked ? (bearerToken(request.headers) ?? subprotocolToken(request.headers)) : undefined;
  if (token) return `key:${createHash('sha256').update(token).digest('hex').slice(0, 32)}`;
  return `ip:${request.socket.remoteAddress ?? 'unknown'}`;
}

/**
 * Takes one token for the request's client; throws a 429 {@link HttpError} with `Retry-After` (whole seconds, rounded
 * up) when the bucket is empty. Without a limiter it lets everything through; if the limiter's store fails it lets
 * the request through too (an unreachable Redis must not take the service down) and logs a warning.
 *
 * @example
 * ```ts
 * await enforceRateLimit(limiter, request, logger, config.agentApiKey !== undefined); // throws HttpError(kind 'rate-limit', status 429)
 * ```
 */
export async function enforceRateLimit(
  limiter: RateLimiter | undefined,
  request: IncomingMessage,
  logger: Logger,
  tokensAreChecked = false,
): Promise<void> {
  if (!limiter) return;
  let result: Awaited<ReturnType<RateLimiter['take']>>;
  try {
    result = await limiter.take(rateLimitKey(request, tokensAreChecked));
  } catch (error) {
    logger.warn({ err: error }, 'Rate limiter unavailable: request allowed');
    return;
  }
  if (result.allowed) return;
  const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
  throw new HttpError({
    kind: 'rate-limit',
    status: 429,
    message: `too many requests: retry after ${seconds} s`,
    headers: { 'Retry-After': String(seconds) },
  });
}
