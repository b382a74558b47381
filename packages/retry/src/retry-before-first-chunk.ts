import { type Chunk, LLMError, type Provider, subscribeUntilContent } from '@rxllm/core';
import { asyncScheduler, type OperatorFunction, type SchedulerLike } from 'rxjs';

/**
 * Exponential backoff: `initialDelayMs × multiplier^retryIndex`, capped at `maxDelayMs`.
 *
 * @example
 * ```ts
 * retryBeforeFirstChunk({ backoff: { initialDelayMs: 250, maxDelayMs: 4_000 } });
 * ```
 */
export interface BackoffOptions {
  /** First pause. Default 500 ms. */
  initialDelayMs?: number;
  /** Longest pause. Default 8000 ms. */
  maxDelayMs?: number;
  /** Growth per retry. Default 2. */
  multiplier?: number;
}

/**
 * Options of {@link retryBeforeFirstChunk} and {@link withRetry}.
 *
 * @example
 * ```ts
 * const options: RetryOptions = { maxRetries: 3, maxRetryAfterMs: 30_000, jitter: 0.1 };
 * ```
 */
export interface RetryOptions {
  /** Retries after the first attempt. Default 2 (so at most 3 upstream requests). */
  maxRetries?: number;
  /** Exponential backoff (0.5 s × 2^n capped at 8 s by default), or a function of the retry index (0-based). */
  backoff?: BackoffOptions | ((retryIndex: number, error: LLMError) => number);
  /** Largest fraction taken off each backoff pause at random (negative jitter, as the SDKs do). Default 0.25. */
  jitter?: number;
  /**
   * Longest `retryAfterMs` (from `retry-after-ms`/`retry-after`) honoured. A longer one fails fast with the error
   * instead of waiting. Default 60 000 ms.
   */
  maxRetryAfterMs?: number;
  /** Which errors to retry. Default: `LLMError`s with `retryable: true`. */
  shouldRetry?: (error: unknown) => boolean;
  /** Random source for jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Time source for the pauses; `asyncScheduler` by default, a `TestScheduler` in tests. */
  scheduler?: SchedulerLike;
}

const defaultShouldRetry = (error: unknown) => LLMError.isInstance(error) && error.retryable;

/**
 * The pause before retry number `retryIndex` (0-based), or `undefined` to give up (retry-after beyond the cap).
 *
 * @example
 * ```ts
 * retryDelayMs(2, overloadedError, { random: () => 0 }); // 2000
 * ```
 */
export function retryDelayMs(retryIndex: number, error: unknown, options: RetryOptions = {}): number | undefined {
  const retryAfterMs = LLMError.isInstance(error) ? error.retryAfterMs : undefined;
  if (retryAfterMs !== undefined) {
    return retryAfterMs <= (options.maxRetryAfterMs ?? 60_000) ? retryAfterMs : undefined;
  }
  const backoff = options.backoff ?? {};
  if (typeof backoff === 'function') return backoff(retryIndex, error as LLMError);
  const base = Math.min(
    (backoff.initialDelayMs ?? 500) * (backoff.multiplier ?? 2) ** retryIndex,
    backoff.maxDelayMs ?? 8_000,
  );
  const jitter = options.jitter ?? 0.25;
  return base * (1 - jitter * (options.random ?? Math.random)());
}

/**
 * Retries a failed stream, but only while it has emitted no content chunk: once text has reached the consumer a
 * retry would repeat it, so a later failure is passed on after the text. Retries only retryable `LLMError`s,
 * waits `retryAfterMs` when the vendor sent one (failing fast past `maxRetryAfterMs`), else backs off exponentially
 * with jitter, on the scheduler, so unsubscribing during a pause stops all further attempts.
 * `start` chunks are held until the first content chunk, so a retried stream shows one `start`, not one per attempt.
 *
 * ```
 * source attempts:  --#  (rate-limit, retryAfterMs 3)   then  -s-a-|
 * result:           ------sa-|                           (s is held until a)
 * ```
 *
 * @example
 * ```ts
 * provider.stream(request).pipe(retryBeforeFirstChunk({ maxRetries: 2 }));
 * ```
 */
export function retryBeforeFirstChunk(options: RetryOptions = {}): OperatorFunction<Chunk, Chunk> {
  const maxRetries = options.maxRetries ?? 2;
  const shouldRetry = options.shouldRetry ?? defaultShouldRetry;
  return (source) =>
    subscribeUntilContent(
      source,
      (error, failures) => {
        if (failures > maxRetries || !shouldRetry(error)) return undefined;
        const delayMs = retryDelayMs(failures - 1, error, options);
        return delayMs === undefined ? undefined : { source, delayMs };
      },
      options.scheduler ?? asyncScheduler,
    );
}

/**
 * A provider whose streams retry before the first chunk ({@link retryBeforeFirstChunk}).
 *
 * @example
 * ```ts
 * const provider = withRetry(openaiProvider.create(process.env), { maxRetries: 3 });
 * provider.stream(request).subscribe(render);
 * ```
 */
export function withRetry(provider: Provider, options: RetryOptions = {}): Provider {
  return {
    name: provider.name,
    defaultModel: provider.defaultModel,
    stream: (request) => provider.stream(request).pipe(retryBeforeFirstChunk(options)),
  };
}
