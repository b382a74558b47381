import { Observable, type Subscriber } from 'rxjs';
import { isAbortError } from './errors.js';
import { createRelayBudget, RELAY_RUN_MS, RELAY_SOLO_FACTOR, type RelayBudget } from './relay-budget.js';

/**
 * Values a relay emits at a stretch while other relays are busy, before it steps aside (unless {@link RELAY_RUN_MS}
 * comes first); {@link RELAY_SOLO_FACTOR} times as many while it is the only one.
 */
export const RELAY_VALUES_PER_RUN = 512;

/** Values emitted between two looks at the clock: small enough to stop near the budget, large enough to cost nothing. */
const SLICE_VALUES = 32;

/**
 * How much of a fast source {@link fromAbortable} and {@link fromAbortableBatches} relay at a stretch while other
 * relays are busy ({@link RELAY_SOLO_FACTOR} times as much while alone) before stepping aside for the event loop.
 */
export interface RelayOptions {
  /** Values emitted at a stretch; default {@link RELAY_VALUES_PER_RUN}. */
  maxValuesPerRun?: number;
  /** Longest stretch, in milliseconds; default {@link RELAY_RUN_MS}. */
  maxRunMs?: number;
}

/**
 * Emits values one slice at a time: after every {@link SLICE_VALUES} values it asks the budget, and once the run is
 * spent it waits for a later turn of the event loop, so timers and other sockets are served between slices.
 */
class SlicedEmitter<T> {
  private sinceLook = 0;

  constructor(
    private readonly subscriber: Subscriber<T>,
    private readonly budget: RelayBudget,
  ) {}

  /** Emits one value; resolves to a promise only when the run is spent and the caller must wait for it. */
  next(value: T): Promise<void> | undefined {
    this.subscriber.next(value);
    this.sinceLook += 1;
    if (this.sinceLook < SLICE_VALUES) return undefined;
    this.sinceLook = 0;
    return this.budget.spend(SLICE_VALUES) ? this.budget.yieldTurn() : undefined;
  }
}

/**
 * The shared body of {@link fromAbortable} and {@link fromAbortableBatches}: runs `producer` with a fresh signal per
 * subscription and hands each value it yields to `relay`. Unsubscribing before the producer has finished aborts the
 * signal; a producer that ran to its end is left alone (its request is complete, so there is nothing to close).
 */
function abortable<Yielded, T>(
  producer: (signal: AbortSignal) => AsyncIterable<Yielded>,
  relay: (emitter: SlicedEmitter<T>, value: Yielded, subscriber: Subscriber<T>) => Promise<void> | undefined,
  options: RelayOptions,
): Observable<T> {
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    const emitter = new SlicedEmitter(
      subscriber,
      createRelayBudget({
        maxPerRun: options.maxValuesPerRun ?? RELAY_VALUES_PER_RUN,
        // Two looks in one run: a stream that gets a few values per turn never waits behind fast ones.
        minPerRun: 2 * SLICE_VALUES,
        maxRunMs: options.maxRunMs ?? RELAY_RUN_MS,
      }),
    );
    let iterator: AsyncIterator<Yielded> | undefined;
    let finished = false;
    const run = async (): Promise<void> => {
      iterator = producer(controller.signal)[Symbol.asyncIterator]();
      while (!subscriber.closed) {
        const result = await iterator.next();
        if (result.done) {
          finished = true;
          break;
        }
        if (subscriber.closed) break;
        const pause = relay(emitter, result.value, subscriber);
        if (pause) await pause;
      }
      subscriber.complete();
    };
    run().catch((error: unknown) => {
      if (controller.signal.aborted && (subscriber.closed || isAbortError(error))) return;
      subscriber.error(error);
    });
    return () => {
      if (finished) return;
      controller.abort();
      // Ends a suspended generator's `finally` blocks; its rejection (if any) is the abort we just caused.
      iterator?.return?.().catch(() => undefined);
    };
  });
}

/** Emits values until they run out or the run is spent; in that case returns the wait before the next slice. */
function emitValues<T>(
  emitter: SlicedEmitter<T>,
  values: Iterator<T>,
  subscriber: Subscriber<T>,
): Promise<void> | undefined {
  for (let next = values.next(); !next.done; next = values.next()) {
    if (subscriber.closed) return undefined;
    const pause = emitter.next(next.value);
    if (pause) return pause;
  }
  return undefined;
}

async function emitAfterPauses<T>(
  pause: Promise<void>,
  emitter: SlicedEmitter<T>,
  values: Iterator<T>,
  subscriber: Subscriber<T>,
): Promise<void> {
  for (let wait: Promise<void> | undefined = pause; wait; wait = emitValues(emitter, values, subscriber)) await wait;
}

/** Emits a batch value by value; when the run is spent mid-batch, the rest follows after the event loop's turn. */
function relayBatch<T>(
  emitter: SlicedEmitter<T>,
  batch: Iterable<T>,
  subscriber: Subscriber<T>,
): Promise<void> | undefined {
  const values = batch[Symbol.iterator]();
  const pause = emitValues(emitter, values, subscriber);
  return pause && emitAfterPauses(pause, emitter, values, subscriber);
}

/**
 * Turns an abortable async source into a cold Observable. Each subscription calls `producer` with a fresh
 * `AbortSignal`; unsubscribing before the source has ended aborts it (closing the HTTP request the signal was given
 * to) and stops iteration. Errors thrown because of that abort are not reported: the subscriber is already gone.
 *
 * A source that has a backlog (values that resolve without waiting) is relayed in runs of at most
 * `maxValuesPerRun` values or `maxRunMs` milliseconds while other relays are busy ({@link RELAY_SOLO_FACTOR} times
 * that while it is alone), then it steps aside (`setImmediate`) and takes its turn after the relays that were
 * waiting, so one fast stream never holds up timers, sockets and other streams. Order is kept. A source that waits
 * between values never reaches that budget and never waits more.
 *
 * @example
 * ```ts
 * const chunks$ = fromAbortable(async function* (signal) {
 *   const stream = await client.chat.completions.create({ ...body, stream: true }, { signal });
 *   for await (const event of stream) yield* toChunks(event);
 * });
 * ```
 */
export function fromAbortable<T>(
  producer: (signal: AbortSignal) => AsyncIterable<T>,
  options: RelayOptions = {},
): Observable<T> {
  return abortable<T, T>(producer, (emitter, value) => emitter.next(value), options);
}

/**
 * {@link fromAbortable} for a source that yields its values in batches, e.g. every chunk parsed from one network
 * read: a read costs one `await` however many events it holds. A batch is emitted value by value, synchronously,
 * until the run's budget (as for {@link fromAbortable}) is spent; the rest of it follows, in order, after the event
 * loop has had a turn (`setImmediate`). Small batches never wait. Values left in a batch when the subscriber leaves
 * are dropped; unsubscribing while the rest of a batch waits for its turn aborts the signal as before.
 *
 * @example
 * ```ts
 * const chunks$ = fromAbortableBatches(async function* (signal) {
 *   const response = await fetch(url, { signal });
 *   for await (const bytes of response.body!) yield parseEvents(bytes); // Chunk[] per read
 * });
 * ```
 */
export function fromAbortableBatches<T>(
  producer: (signal: AbortSignal) => AsyncIterable<Iterable<T>>,
  options: RelayOptions = {},
): Observable<T> {
  return abortable<Iterable<T>, T>(producer, relayBatch, options);
}
