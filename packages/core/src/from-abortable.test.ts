import { firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fromAbortable, fromAbortableBatches } from './from-abortable.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

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
