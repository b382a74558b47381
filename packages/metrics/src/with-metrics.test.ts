import type { Chunk } from '@rxllm/core';
import { createChunkTestScheduler } from '@rxllm/testing/marbles';
import { describe, expect, it } from 'vitest';
import type { StreamReport } from './stream-report.js';
import { withMetrics } from './with-metrics.js';

const createTestScheduler = () => createChunkTestScheduler({ errors: 'llm-error-fields' });

const values: Record<string, Chunk> = {
  s: { type: 'start', provider: 'anthropic', model: 'claude-test' },
  a: { type: 'text', text: 'Hello' },
  b: { type: 'text', text: ' world' },
};

describe('withMetrics', () => {
  it('exposes live progress as a side stream and the final report, replayed to late subscribers', () => {
    const live: Array<[number, number]> = [];
    let final: StreamReport | undefined;
    let progressCompleted = false;
    createTestScheduler().run(({ cold, expectObservable, flush }) => {
      const metrics = withMetrics();
      metrics.progress$.subscribe({
        next: (report) => live.push([report.textChunks, report.durationMs]),
        complete: () => {
          progressCompleted = true;
        },
      });
      expectObservable(cold('s-a-b|', values).pipe(metrics.operator)).toBe('s-a-b|', values);
      flush();
      metrics.report$.subscribe((report) => {
        final = report;
      });
    });
    expect(live).toEqual([
      [0, 0],
      [1, 2],
      [2, 4],
    ]);
    expect(progressCompleted).toBe(true);
    expect(final).toMatchObject({
      outcome: 'complete',
      ttftMs: 2,
      chars: 11,
      provider: 'anthropic',
      model: 'claude-test',
    });
  });

  it('ends the side streams with an unsubscribed report when the consumer stops early', () => {
    let final: StreamReport | undefined;
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const metrics = withMetrics();
      metrics.report$.subscribe((report) => {
        final = report;
      });
      const source = cold('s-a-b|', values);
      expectObservable(source.pipe(metrics.operator), '^--!').toBe('s-a', values);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(final).toMatchObject({ outcome: 'unsubscribed', chars: 5, durationMs: 3 });
  });
});
