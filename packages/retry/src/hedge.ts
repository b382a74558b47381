import { type Chunk, isContentChunk, LLMError, type Provider } from '@rxllm/core';
import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';

/**
 * Options of {@link hedge} and {@link withHedge}.
 *
 * @example
 * ```ts
 * const options: HedgeOptions = { afterMs: 2_000 };
 * ```
 */
export interface HedgeOptions {
  /** Start the hedge when the source has emitted no content chunk this long after subscribing. */
  afterMs: number;
  /**
   * Which failures of one contender, before any content, let the other carry on (starting it at once if it has
   * not started). Default: `LLMError`s with `retryable: true`. Any other failure ends the stream.
   */
  shouldContinue?: (error: unknown) => boolean;
  /** Time source; `asyncScheduler` by default, a `TestScheduler` in tests. */
  scheduler?: SchedulerLike;
}

interface Contender {
  subscription: Subscription | undefined;
  held: Chunk[];
  failed: boolean;
}

const defaultShouldContinue = (error: unknown) => LLMError.isInstance(error) && error.retryable;

/**
 * Hedged request: if the source has produced no content chunk `afterMs` after subscribing, also subscribes
 * `hedgeSource`. Whichever emits content first wins and the other is unsubscribed (its HTTP request aborted).
 * Chunks before content (`start`) are held per contender; only the winner's are emitted. A contender that completes
 * without content also wins. Content arriving at exactly `afterMs` wins without starting the hedge.
 *
 * ```
 * source:       -------a-|      afterMs: 3
 * hedgeSource:     --b---|      (subscribed at 3)
 * result:       -----b---|      source unsubscribed at 5
 * ```
 *
 * @example
 * ```ts
 * openai.stream(request).pipe(hedge(anthropic.stream(request), { afterMs: 2_000 }));
 * ```
 */
export function hedge(hedgeSource: Observable<Chunk>, options: HedgeOptions): OperatorFunction<Chunk, Chunk> {
  const shouldContinue = options.shouldContinue ?? defaultShouldContinue;
  return (source) =>
    new Observable<Chunk>((subscriber) => {
      const scheduler = options.scheduler ?? asyncScheduler;
      const contenders: Contender[] = [];
      let winner: Contender | undefined;
      let hedgeStarted = false;
      let timer: Subscription | undefined;

      const win = (contender: Contender) => {
        winner = contender;
        timer?.unsubscribe();
        for (const other of contenders) if (other !== contender) other.subscription?.unsubscribe();
        const held = contender.held;
        contender.held = [];
        for (const chunk of held) subscriber.next(chunk);
      };

      const startHedge = () => {
        timer?.unsubscribe();
        if (hedgeStarted || winner) return;
        hedgeStarted = true;
        start(hedgeSource);
      };

      const start = (stream: Observable<Chunk>) => {
        const contender: Contender = { subscription: undefined, held: [], failed: false };
        contenders.push(contender);
        const subscription = stream.subscribe({
          next: (chunk) => {
            if (winner === contender) subscriber.next(chunk);
            else if (winner) return;
            else if (isContentChunk(chunk)) {
              win(contender);
              subscriber.next(chunk);
            } else contender.held.push(chunk);
          },
          error: (error: unknown) => {
            contender.failed = true;
            contender.held = [];
            if (winner || !shouldContinue(error)) return subscriber.error(error);
            if (!hedgeStarted) return startHedge();
            if (contenders.every((other) => other.failed)) subscriber.error(error);
          },
          complete: () => {
            if (!winner) win(contender);
            subscriber.complete();
          },
        });
        contender.subscription = subscription;
        // A winner chosen during this subscribe call may have been the other contender.
        if (winner && winner !== contender) subscription.unsubscribe();
      };

      // The extra 0 ms step lets content already due at exactly `afterMs` arrive first.
      timer = scheduler.schedule(() => {
        timer = scheduler.schedule(startHedge, 0);
      }, options.afterMs);
      start(source);

      return () => {
        timer?.unsubscribe();
        for (const contender of contenders) contender.subscription?.unsubscribe();
        contenders.length = 0;
      };
    });
}

/**
 * A provider that asks `primary`, and also `secondary` if `primary` has produced no content after `afterMs`;
 * the first to produce content answers and the other is aborted. Name and default model come from `primary`.
 *
 * @example
 * ```ts
 * const provider = withHedge(openai, anthropic, { afterMs: 2_000 });
 * provider.stream({ messages: [{ role: 'user', content: 'Hi' }] }).subscribe(render);
 * ```
 */
export function withHedge(primary: Provider, secondary: Provider, options: HedgeOptions): Provider {
  return {
    name: primary.name,
    defaultModel: primary.defaultModel,
    stream: (request) => primary.stream(request).pipe(hedge(secondary.stream(request), options)),
  };
}
