import { firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fromAbortable, fromAbortableBatches, RELAY_VALUES_PER_RUN } from './from-abortable.js';
import { RELAY_SOLO_FACTOR } from './relay-budget.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/** Counts the turns of the event loop from now on (a `setImmediate` chain) until `stop()`. */
function turnCounter(): { readonly turns: number; stop(): void } {
  let turns = 0;
  let running = true;
  const next = () => {
    if (!running) return;
    turns += 1;
    setImmediate(next);
  };
  setImmediate(next);
  return {
    get turns() {
      return turns;
    },
    stop() {
      running = false;
    },
  };
}

const range = (length: number) => Array.from({ length }, (_, index) => index);

describe('fromAbortable', () => {
  it('is cold: each subscription runs the producer once', async () => {
    let runs = 0;
    const source = fromAbortable(async function* () {
      runs += 1;
      yield 1;
      yield 2;
    });
    expect(runs).toBe(0);
    expect(await firstValueFrom(source.pipe(toArray()))).toEqual([1, 2]);
    expect(await firstValueFrom(source.pipe(toArray()))).toEqual([1, 2]);
    expect(runs).toBe(2);
  });

  it('aborts the signal and runs finally blocks when the subscriber leaves', async () => {
    let signal: AbortSignal | undefined;
    let finalized = false;
    const source = fromAbortable(async function* (given) {
      signal = given;
      try {
        for (let index = 0; ; index++) {
          yield index;
          await tick();
        }
      } finally {
        finalized = true;
      }
    });
    expect(await firstValueFrom(source.pipe(take(3), toArray()))).toEqual([0, 1, 2]);
    expect(signal?.aborted).toBe(true);
    await tick();
    expect(finalized).toBe(true);
  });

  it('reports producer errors but not errors caused by its own abort', async () => {
    const failing = fromAbortable(async function* () {
      yield 1;
      throw new Error('boom');
    });
    await expect(firstValueFrom(failing.pipe(toArray()))).rejects.toThrow('boom');

    const errors: unknown[] = [];
    const abortable = fromAbortable(async function* (signal) {
      yield 1;
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    });
    const subscription = abortable.subscribe({ error: (error) => errors.push(error) });
    await tick();
    subscription.unsubscribe();
    await tick();
    expect(errors).toEqual([]);
  });

  it('leaves the signal alone once the producer has run to its end, and aborts it after a producer error', async () => {
    const signals: AbortSignal[] = [];
    const source = (fail: boolean) =>
      fromAbortable(async function* (signal) {
        signals.push(signal);
        yield 1;
        if (fail) throw new Error('boom');
      });
    expect(await firstValueFrom(source(false).pipe(toArray()))).toEqual([1]);
    await expect(firstValueFrom(source(true).pipe(toArray()))).rejects.toThrow('boom');
    expect(signals.map((signal) => signal.aborted)).toEqual([false, true]);
  });
});

describe('fromAbortableBatches', () => {
  it('emits every value of every batch in order, one subscription one run', async () => {
    let runs = 0;
    const source = fromAbortableBatches(async function* () {
      runs += 1;
      yield [1, 2];
      yield [];
      yield new Set([3]);
    });
    expect(runs).toBe(0);
    expect(await firstValueFrom(source.pipe(toArray()))).toEqual([1, 2, 3]);
    expect(runs).toBe(1);
  });

  it('stops in the middle of a batch when the subscriber leaves, and aborts the signal', async () => {
    let signal: AbortSignal | undefined;
    const seen: number[] = [];
    const source = fromAbortableBatches(async function* (given) {
      signal = given;
      yield [1, 2, 3, 4, 5];
      await tick();
      yield [6];
    });
    source.pipe(take(2)).subscribe((value) => seen.push(value));
    await tick();
    await tick();
    expect(seen).toEqual([1, 2]);
    expect(signal?.aborted).toBe(true);
  });
});

describe('fromAbortableBatches: a backlog is relayed in slices, with turns of the event loop in between', () => {
  it('emits 100,000 values of one batch in order, letting the event loop run between slices', async () => {
    const values = range(100_000);
    const seen: number[] = [];
    let timerRanAt: number | undefined;
    setImmediate(() => {
      timerRanAt = seen.length;
    });
    const turns = turnCounter();
    await new Promise<void>((resolve, reject) =>
      fromAbortableBatches(async function* () {
        yield values;
      }).subscribe({ next: (value) => seen.push(value), error: reject, complete: resolve }),
    );
    turns.stop();
    expect(seen).toEqual(values);
    // The setImmediate queued before the batch ran while it was being relayed, not after all of it.
    expect(timerRanAt).toBeGreaterThan(0);
    expect(timerRanAt).toBeLessThan(values.length);
    // Alone, a run relays up to RELAY_SOLO_FACTOR × RELAY_VALUES_PER_RUN values: at least one turn per that many.
    expect(turns.turns).toBeGreaterThanOrEqual(
      Math.floor(values.length / (RELAY_VALUES_PER_RUN * RELAY_SOLO_FACTOR)) - 1,
    );
  });

  it('never waits for the event loop while a run stays under its budget (small batches cost no macrotask)', async () => {
    const turns = turnCounter();
    const seen = await firstValueFrom(
      fromAbortableBatches(
        async function* () {
          for (let batch = 0; batch < 100; batch += 1) yield [batch * 3, batch * 3 + 1, batch * 3 + 2];
        },
        { maxRunMs: Number.POSITIVE_INFINITY },
      ).pipe(toArray()),
    );
    turns.stop();
    expect(seen).toEqual(range(300));
    expect(turns.turns).toBe(0);
  });

  it('unsubscribing in the middle of a backlog stops it: nothing more is emitted and the signal is aborted', async () => {
    let signal: AbortSignal | undefined;
    let finalized = false;
    const seen: number[] = [];
    const source = fromAbortableBatches(async function* (given) {
      signal = given;
      try {
        yield range(100_000);
      } finally {
        finalized = true;
      }
    });
    const subscription = source.subscribe((value) => seen.push(value));
    // Let a few slices through, then leave while the rest of the batch waits for its turn.
    while (seen.length < 3 * RELAY_VALUES_PER_RUN * RELAY_SOLO_FACTOR)
      await new Promise((resolve) => setImmediate(resolve));
    subscription.unsubscribe();
    const emittedWhenLeaving = seen.length;
    expect(signal?.aborted).toBe(true);
    for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(seen.length).toBe(emittedWhenLeaving);
    expect(emittedWhenLeaving).toBeLessThan(100_000);
    expect(seen).toEqual(range(emittedWhenLeaving));
    expect(finalized).toBe(true);
  });

  it('two fast sources take turns instead of one finishing before the other starts', async () => {
    const seen: string[] = [];
    const perSource = 5 * RELAY_VALUES_PER_RUN * RELAY_SOLO_FACTOR;
    const source = (name: string) =>
      fromAbortableBatches(async function* () {
        yield range(perSource).map((index) => `${name}${index}`);
      });
    await Promise.all(
      ['a', 'b'].map(
        (name) =>
          new Promise<void>((resolve) =>
            source(name).subscribe({ next: (value) => seen.push(value), complete: resolve }),
          ),
      ),
    );
    expect(seen).toHaveLength(2 * perSource);
    expect(seen.indexOf('b0')).toBeLessThan(seen.indexOf(`a${perSource - 1}`));
    // Once both are busy, neither runs longer than RELAY_VALUES_PER_RUN (plus a slice) before the other's turn.
    const secondHalf = seen.slice(seen.indexOf('b0') + RELAY_VALUES_PER_RUN * RELAY_SOLO_FACTOR, perSource);
    let longest = 0;
    let current = 0;
    for (const [index, value] of secondHalf.entries()) {
      current = index > 0 && value[0] === secondHalf[index - 1]?.[0] ? current + 1 : 1;
      longest = Math.max(longest, current);
    }
    expect(longest).toBeLessThanOrEqual(RELAY_VALUES_PER_RUN + 64);
    for (const name of ['a', 'b']) {
      const own = seen.filter((value) => value.startsWith(name));
      expect(own).toEqual(range(perSource).map((index) => `${name}${index}`));
    }
  });
});

describe('fromAbortable: a producer with a backlog is relayed in slices too', () => {
  it('lets a setImmediate queued before run while 100,000 ready values are relayed, all in order', async () => {
    const seen: number[] = [];
    let timerRanAt: number | undefined;
    setImmediate(() => {
      timerRanAt = seen.length;
    });
    await new Promise<void>((resolve, reject) =>
      fromAbortable(async function* () {
        for (let index = 0; index < 100_000; index += 1) yield index;
      }).subscribe({ next: (value) => seen.push(value), error: reject, complete: resolve }),
    );
    expect(seen).toEqual(range(100_000));
    expect(timerRanAt).toBeGreaterThan(0);
    expect(timerRanAt).toBeLessThan(100_000);
  });
});
