import { createHash } from 'node:crypto';
import type { CompletionRequest } from '@rxllm/core';

/**
 * Options of {@link cacheKey}.
 *
 * @example
 * ```ts
 * const options: CacheKeyOptions = { provider: 'openai', ignore: ['user', 'seed'] };
 * ```
 */
export interface CacheKeyOptions {
  /** The provider's name, part of the key, so two providers never share an entry. */
  provider?: string;
  /**
   * Request fields left out of the key. Default `['user']`: the end-user id only feeds the vendor's abuse
   * monitoring and cannot change the answer. Giving a list replaces the default; `[]` keys on every field, which
   * keeps one end user's entries from ever serving another.
   */
  ignore?: ReadonlyArray<keyof CompletionRequest>;
}

const defaultIgnore: ReadonlyArray<keyof CompletionRequest> = ['user'];

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// Rebuilds every object with its keys sorted; JSON.stringify applies it at every depth and drops undefined values.
const sortKeys = (_key: string, value: unknown): unknown =>
  isPlainObject(value)
    ? Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((key) => [key, value[key]]),
      )
    : value;

/**
 * The cache key of a request: the SHA-256 hex digest of the canonical JSON (object keys sorted at every depth,
 * `undefined` fields dropped) of `{ provider, request }`, the request without the ignored fields. Equal requests
 * get equal keys however their objects were built; any other difference (a message, the model, `temperature`,
 * `tools`, `providerOptions`, …) gives another key. An unset `model` and the provider's default model are different
 * keys here; {@link withCache} fills the default in first.
 *
 * @example
 * ```ts
 * const request = { model: 'gpt-4.1-mini', messages: [{ role: 'user' as const, content: 'Hi' }] };
 * cacheKey(request, { provider: 'openai' }); // 64 hex characters
 * cacheKey(request, { provider: 'openai' }) === cacheKey({ ...request, user: 'u-42' }, { provider: 'openai' }); // true
 * ```
 */
export function cacheKey(request: CompletionRequest, options: CacheKeyOptions = {}): string {
  const ignore = new Set<string>(options.ignore ?? defaultIgnore);
  const kept = Object.fromEntries(Object.entries(request).filter(([field]) => !ignore.has(field)));
  const canonical = JSON.stringify({ provider: options.provider, request: kept }, sortKeys);
  return createHash('sha256').update(canonical).digest('hex');
}
