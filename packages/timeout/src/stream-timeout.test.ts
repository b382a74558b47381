import { LLMError } from '@rxllm/core';
import { createChunkTestScheduler } from '@rxllm/testing/marbles';
import { type SchedulerAction, type SchedulerLike, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { streamTimeout, timeoutError } from './stream-timeout.js';
import { expectedError, values } from './test-values.js';

const createTestScheduler = () => createChunkTestScheduler({ errors: 'llm-error-fields' });

describe('streamTimeout', () => {
  it('switches from the first-chunk clock to the idle clock after the first content chunk', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      // first chunk may take 8, later gaps only 3
      const source = cold('s 6ms a 1ms b 5ms f|', values);
      expectObservable(source.pipe(streamTimeout({ firstChunkMs: 8, idleMs: 3, totalMs: 100 }))).toBe(
        's 6ms a 1ms b 2ms #',
        values,
        expectedError('idle', 3),
      );
    });
  });

  it('the total clock wins when it is the earliest deadline', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const source = cold('s a a a a a a a a|', values);
      expectObservable(source.pipe(streamTimeout({ firstChunkMs: 8, idleMs: 3, totalMs: 5 }))).toBe(
        's a a a a #',
        values,
        expectedError('total', 5),
      );
    });
  });

  it('fails with a real LLMError instance', () => {
    const errors: unknown[] = [];
    createTestScheduler().run(({ cold, flush }) => {
      cold('-', values)
        .pipe(streamTimeout({ firstChunkMs: 2 }))
        .subscribe({ error: (error) => errors.push(error) });
      flush();
    });
    expect(errors).toHaveLength(1);
    expect(LLMError.isInstance(errors[0])).toBe(true);
    expect(errors[0]).toMatchObject({
      kind: 'timeout',
      retryable: true,
      provider: 'unknown',
      message: 'No first chunk within 2 ms',
    });
    expect(timeoutError('idle', 5, 'gemini')).toMatchObject({ provider: 'gemini', message: 'No chunk for 5 ms' });
  });

  it('fails in real time with the async scheduler too', async () => {
    const { NEVER } = await import('rxjs');
    const error = await new Promise((resolve) =>
      NEVER.pipe(streamTimeout({ firstChunkMs: 20 })).subscribe({ error: resolve }),
    );
    expect(LLMError.isInstance(error) && error.details).toEqual({ clock: 'first-chunk', ms: 20 });
  });

  describe('lazy re-arm (one timer, moved deadlines)', () => {
    it('fires exactly idleMs after the last of many chunks, and unsubscribes upstream then', () => {
      createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        // a at frames 1..12, then silence: the idle deadline is 12 + 4 = 16.
        const source = cold('s a a a a a a a a a a a a 30ms f|', values);
        expectObservable(source.pipe(streamTimeout({ idleMs: 4, totalMs: 100 }))).toBe(
          's a a a a a a a a a a a a 3ms #',
          values,
          expectedError('idle', 4),
        );
        expectSubscriptions(source.subscriptions).toBe('^ 15ms !');
      });
    });

    it('a chunk exactly idleMs after the last of many is late, one frame earlier is in time (cold and hot)', () => {
      createTestScheduler().run(({ cold, hot, expectObservable }) => {
        // a at 0..5, b at 9 (exactly 4 after the last a): late, whichever of timer and chunk runs first.
        expectObservable(cold('a a a a a a 3ms b|', values).pipe(streamTimeout({ idleMs: 4 }))).toBe(
          'a a a a a a 3ms #',
          values,
          expectedError('idle', 4, 'unknown'),
        );
        expectObservable(hot('a a a a a a 3ms b|', values).pipe(streamTimeout({ idleMs: 4 }))).toBe(
          'a a a a a a 3ms #',
          values,
          expectedError('idle', 4, 'unknown'),
        );
        expectObservable(cold('a a a a a a 2ms b|', values).pipe(streamTimeout({ idleMs: 4 }))).toBe(
          'a a a a a a 2ms b|',
          values,
        );
      });
    });

    it('an idle clock shorter than the first-chunk clock starts at the first chunk, not at the first-chunk deadline', () => {
      createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        // first chunk at 1 (first-chunk deadline was 20), idle deadline 1 + 3 = 4.
        const source = cold('s a 20ms b|', values);
        expectObservable(source.pipe(streamTimeout({ firstChunkMs: 20, idleMs: 3 }))).toBe(
          's a 2ms #',
          values,
          expectedError('idle', 3),
        );
        expectSubscriptions(source.subscriptions).toBe('^ 3ms !');
      });
    });

    it('the total clock still fires on time while chunks keep moving the idle deadline', () => {
      createTestScheduler().run(({ cold, expectObservable }) => {
        const source = cold('a-a-a-a-a-a-a-a-a-a|', values);
        expectObservable(source.pipe(streamTimeout({ idleMs: 3, totalMs: 9 }))).toBe(
          'a-a-a-a-a#',
          values,
          expectedError('total', 9, 'unknown'),
        );
      });
    });

    it('schedules one timer per subscription and runs it at most once per idle period, however many chunks pass', () => {
      let scheduled = 0;
      let ran = 0;
      const testScheduler = createTestScheduler();
      testScheduler.run(({ cold, expectObservable }) => {
        const counting: SchedulerLike = {
          now: () => testScheduler.now(),
          schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T) {
            scheduled += 1;
            return testScheduler.schedule<T>(
              function (this: SchedulerAction<T>, value?: T) {
                ran += 1;
                work.call(this, value);
              },
              delay,
              state,
            );
          },
        };
        // 100 content chunks one frame apart (frames 0..99), completion at 100.
        const marbles = `${'a'.repeat(100)}|`;
        expectObservable(cold(marbles, values).pipe(streamTimeout({ idleMs: 10, scheduler: counting }))).toBe(
          marbles,
          values,
        );
      });
      expect(scheduled).toBe(1);
      // Due at 10; each run finds the deadline moved to (last chunk + 10) and re-arms for the rest: 19, 28, ..., 91.
      // The one re-armed for 100 is cancelled by the completion at 100. The eager version scheduled 101 timers.
      expect(ran).toBe(10);
    });

    it('fires idleMs after the last chunk in real time (asyncScheduler), never earlier by its clock', async () => {
      const chunks = new Subject<(typeof values)[string]>();
      let lastChunkAt = 0;
      const failure = new Promise<{ error: unknown; at: number }>((resolve) =>
        chunks.pipe(streamTimeout({ idleMs: 40 })).subscribe({ error: (error) => resolve({ error, at: Date.now() }) }),
      );
      for (let index = 0; index < 10; index += 1) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        lastChunkAt = Date.now();
        chunks.next(values.a as (typeof values)[string]);
      }
      const { error, at } = await failure;
      console.log(`idle timeout fired ${at - lastChunkAt} ms after the last chunk (idleMs 40)`);
      expect(LLMError.isInstance(error) && error.details).toEqual({ clock: 'idle', ms: 40 });
      expect(at - lastChunkAt).toBeGreaterThanOrEqual(40);
      expect(chunks.observed).toBe(false);
    });
  });
});
