import { type Chunk, type CompletionRequest, LLMError, type Provider, subscribeUntilContent } from '@rxllm/core';
import { asyncScheduler, type Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { continueAfterFailure } from './continue-after-failure.js';

/**
 * Options of {@link fallback} and {@link withFallback}.
 *
 * @example
 * ```ts
 * withFallback([openai, anthropic], { shouldFallback: (error) => LLMError.isInstance(error) && error.kind !== 'invalid-request' });
 * ```
 */
export interface FallbackOptions {
  /** Which failures move on to the next source. Default: `LLMError`s with `retryable: true`. */
  shouldFallback?: (error: unknown) => boolean;
  /** Scheduler the next source is subscribed on (after a 0 ms pause); `asyncScheduler` by default. */
  scheduler?: SchedulerLike;
  /**
   * `withFallback` only. After content has streamed, a failure is passed on (`error`, the default), or the next entry
   * is asked to continue the partial answer (`continue`): as a prefill where the provider takes one (`prefill`), else
   * as context, with a `failover` chunk before the first content it adds. A stream cut in a tool call is never
   * continued.
   */
  afterFirstChunk?: 'error' | 'continue';
  /** Which providers take a partial answer as the start of their reply. Default: the `anthropic` provider. */
  prefill?: (provider: Provider) => boolean;
}

const defaultShouldFallback = (error: unknown) => LLMError.isInstance(error) && error.retryable;

/**
 * When the stream fails before its first content chunk with a retryable error, continues with the next of
 * `alternatives` (in order); after content has been emitted a failure is passed on. The last failure surfaces when
 * every alternative has failed. `start` chunks are held until content, so only the answering source's `start` shows.
 *
 * ```
 * source:        -#                 (overloaded)
 * alternatives:  [ -s-a-| ]
 * result:        ---sa-|
 * ```
 *
 * @example
 * ```ts
 * openai.stream(request).pipe(fallback([anthropic.stream(request)]));
 * ```
 */
export function fallback(
  alternatives: Observable<Chunk>[],
  options: FallbackOptions = {},
): OperatorFunction<Chunk, Chunk> {
  const shouldFallback = options.shouldFallback ?? defaultShouldFallback;
  return (source) =>
    subscribeUntilContent(
      source,
      (error, failures) => {
        const alternative = alternatives[failures - 1];
        return alternative && shouldFallback(error) ? { source: alternative, delayMs: 0 } : undefined;
      },
      options.scheduler ?? asyncScheduler,
    );
}

/**
 * A provider, optionally with the model to ask it for (a request's `model` is vendor-specific).
 *
 * @example
 * ```ts
 * const entry: FallbackEntry = { provider: anthropic, model: 'claude-sonnet-4-5' };
 * ```
 */
export type FallbackEntry = Provider | { provider: Provider; model?: string };

const defaultPrefill = (provider: Provider) => provider.name === 'anthropic';

const entryStream = (entry: FallbackEntry, request: CompletionRequest): Observable<Chunk> =>
  'stream' in entry
    ? entry.stream(request)
    : entry.provider.stream(entry.model === undefined ? request : { ...request, model: entry.model });

/**
 * A provider that asks each entry in turn, moving on when one fails retryably before its first content chunk;
 * with `afterFirstChunk: 'continue'` also after it, the next entry continuing the partial answer (a `failover` chunk
 * marks where). Takes its name and default model from the first entry. Give each entry its own `model`, or leave
 * the request's `model` unset so each provider uses its default.
 *
 * @example
 * ```ts
 * const provider = withFallback([openai, { provider: anthropic, model: 'claude-sonnet-4-5' }], { afterFirstChunk: 'continue' });
 * provider.stream({ messages: [{ role: 'user', content: 'Hi' }] }).subscribe(render);
 * ```
 */
export function withFallback(entries: FallbackEntry[], options: FallbackOptions = {}): Provider {
  const [first, ...rest] = entries;
  if (!first) throw new RangeError('withFallback needs at least one provider');
  const firstProvider = 'stream' in first ? first : first.provider;
  if (options.afterFirstChunk === 'continue') {
    const chain = entries.map((entry) => ('stream' in entry ? { provider: entry } : entry));
    const continueOptions = {
      shouldFallback: options.shouldFallback ?? defaultShouldFallback,
      prefill: options.prefill ?? defaultPrefill,
      scheduler: options.scheduler ?? asyncScheduler,
    };
    return {
      name: firstProvider.name,
      defaultModel: firstProvider.defaultModel,
      stream: (request) => continueAfterFailure(chain, request, continueOptions),
    };
  }
  return {
    name: firstProvider.name,
    defaultModel: firstProvider.defaultModel,
    stream: (request) =>
      entryStream(first, request).pipe(
        fallback(
          rest.map((entry) => entryStream(entry, request)),
          options,
        ),
      ),
  };
}
