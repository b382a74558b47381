import { HttpError } from '../http/errors.js';

const streamIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A stream id as the agent issues them (a UUID); anything else is a 400.
 *
 * @example
 * ```ts
 * parseStreamId('9a241c23-33d9-4fda-9072-22e97ee8f075'); // the same id
 * ```
 */
export function parseStreamId(raw: string): string {
  if (!streamIdPattern.test(raw)) {
    throw new HttpError({ kind: 'invalid-request', message: 'malformed stream id (expected the X-Stream-Id value)' });
  }
  return raw.toLowerCase();
}
