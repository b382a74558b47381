import { type Chunk, isContentChunk, type Usage } from '@rxllm/core';
import type { NumberedEvent, StartEvent, StreamMetrics } from '@rxllm/protocol';
import { sumUsage } from '@rxllm/tools';
import { Observable } from 'rxjs';
import { type HttpError, toHttpError } from '../http/errors.js';
import { costOf, estimatedUsage, type PriceTable } from '../observability/cost.js';
import type { GenerationItem } from './object-events.js';

/** How a stream ended. `cancelled` means the client went away (logged as 499). */
export type StreamOutcome = (
  | { status: 'completed'; metrics: StreamMetrics }
  | { status: 'failed'; metrics: StreamMetrics; error: HttpError }
  | { status: 'cancelled'; metrics: StreamMetrics }
) & {
  /** Who answered (the `start` chunk), when the stream is priced and got that far. */
  provider?: string;
  model?: string;
};

/** Callbacks for everything that watches streams: logs, the dashboard, Prometheus. */
export interface StreamObserver {
  started?(streamId: string): void;
  chunk?(chunk: Chunk, index: number, streamId: string): void;
  firstChunk?(chunk: Chunk, ttftMs: number, streamId: string): void;
  ended?(outcome: StreamOutcome, streamId: string): void;
}

/** A numbered event; a failure keeps its {@link HttpError} so a transport can still turn it into a status. */
export interface GenerationEvent extends NumberedEvent {
  failure?: HttpError;
}

export interface GenerateOptions {
  /** The provider stream with retry, timeouts and metrics already applied (and `object` events, if asked for). */
  source: Observable<GenerationItem>;
  streamId: string;
  observer?: StreamObserver;
  /** Clock for the `done` metrics (milliseconds). */
  now?: () => number;
  /** Prices the stream: `costUsd` in the final metrics, from its usage (every step's) or, without any, an estimate. */
  pricing?: { prices: PriceTable; inputChars: number };
  /** Fields added to the `start` event when it passes (the response cache's outcome). */
  startFields?: () => Partial<StartEvent>;
}

/** A usage chunk the response cache replayed: its tokens were paid for by the stream that recorded it. */
export function isReplayedUsage(chunk: { providerMetadata?: Record<string, unknown> }): boolean {
  return (chunk.providerMetadata?.rxllm as { cache?: unknown } | undefined)?.cache === 'hit';
}

/**
 * The usage of a stream, over the steps of a tool loop: a step's last `usage` chunk is its usage (a later one
 * supersedes an earlier one), and a `step-start` closes the step before it.
 */
export class UsageTally {
  provider = '';
  model = '';
  private steps: Array<Usage | undefined> = [];
  private current: Usage | undefined;
  /** A usage chunk came (a replayed one too): the usage is reported, not to be estimated. */
  reported = false;

  see(chunk: GenerationItem): void {
    if (chunk.type === 'start') {
      this.provider = chunk.provider;
      this.model = chunk.model;
    } else if (chunk.type === 'usage') {
      this.reported = true;
      // A replayed step cost nothing now.
      this.current = isReplayedUsage(chunk) ? undefined : chunk.usage;
    } else if (chunk.type === 'step-start' && this.current) {
      this.steps.push(this.current);
      this.current = undefined;
    }
  }

  total(): Usage | undefined {
    return sumUsage([...this.steps, this.current]);
  }
}

/**
 * The cost fields of a stream's metrics: `costUsd` from the reported usage (replayed steps free), else estimated
 * from the prompt's and the streamed characters (`costEstimated`); `null` for a model without a price.
 */
export function costFields(
  pricing: NonNullable<GenerateOptions['pricing']>,
  tally: UsageTally,
  outputChars: number,
): Pick<StreamMetrics, 'costUsd' | 'costEstimated'> {
  const price = tally.provider ? pricing.prices.priceOf(tally.provider, tally.model) : undefined;
  if (!price) return { costUsd: null };
  if (tally.reported) {
    const usage = tally.total();
    return { costUsd: usage ? costOf(price, usage, tally.provider) : 0 };
  }
  const estimate = estimatedUsage(pricing.inputChars, outputChars);
  return { costUsd: costOf(price, estimate, tally.provider), costEstimated: true };
}

/**
 * One generation, independent of any transport: numbers the provider's chunks (adding `streamId` to `start`) and
 * ends with exactly one `done` or `error` event, then completes. It never errors. Cold: subscribing starts the
 * upstream request, unsubscribing aborts it (reported to the observer as `cancelled`).
 *
 * @example
 * ```ts
 * generate({ source: provider.stream(request), streamId: randomUUID() })
 *   .subscribe(({ id, event }) => console.log(id, event.type));
 * ```
 */
export function generate(options: GenerateOptions): Observable<GenerationEvent> {
  const { source, streamId, observer } = options;
  const now = options.now ?? (() => performance.now());
  return new Observable<GenerationEvent>((subscriber) => {
    const startedAt = now();
    let sequence = 0;
    let contentChunks = 0;
    let chars = 0;
    let ttftMs: number | null = null;
    let ended = false;
    const tally = options.pricing ? new UsageTally() : undefined;
    const metrics = (): StreamMetrics => ({
      ttftMs,
      chunks: contentChunks,
      chars,
      durationMs: Math.round(now() - startedAt),
      ...(options.pricing && tally ? costFields(options.pricing, tally, chars) : {}),
    });
    const end = (outcome: StreamOutcome) => {
      ended = true;
      const who = tally?.provider ? { provider: tally.provider, model: tally.model } : {};
      observer?.ended?.({ ...outcome, ...who }, streamId);
    };
    observer?.started?.(streamId);
    const subscription = source.subscribe({
      next: (chunk) => {
        tally?.see(chunk);
        if (chunk.type !== 'object' && isContentChunk(chunk)) {
          contentChunks += 1;
          if (chunk.type !== 'tool-call') chars += chunk.text.length;
          if (ttftMs === null) {
            ttftMs = Math.round(now() - startedAt);
            observer?.firstChunk?.(chunk, ttftMs, streamId);
          }
          observer?.chunk?.(chunk, contentChunks, streamId);
        }
        sequence += 1;
        const event = chunk.type === 'start' ? { ...chunk, streamId, ...options.startFields?.() } : chunk;
        subscriber.next({ id: sequence, event });
      },
      error: (error: unknown) => {
        const failure = toHttpError(error);
        const finalMetrics = metrics();
        end({ status: 'failed', metrics: finalMetrics, error: failure });
        sequence += 1;
        subscriber.next({
          id: sequence,
          event: { type: 'error', error: { kind: failure.kind, message: failure.message } },
          failure,
        });
        subscriber.complete();
      },
      complete: () => {
        const finalMetrics = metrics();
        end({ status: 'completed', metrics: finalMetrics });
        sequence += 1;
        subscriber.next({ id: sequence, event: { type: 'done', metrics: finalMetrics } });
        subscriber.complete();
      },
    });
    return () => {
      subscription.unsubscribe();
      if (!ended) end({ status: 'cancelled', metrics: metrics() });
    };
  });
}
