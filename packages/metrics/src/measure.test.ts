import { type Chunk, LLMError } from '@rxllm/core';
import { createChunkTestScheduler } from '@rxllm/testing/marbles';
import { asapScheduler, map, range, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { measure } from './measure.js';
import type { StreamReport } from './stream-report.js';

const createTestScheduler = () => createChunkTestScheduler({ errors: 'llm-error-fields' });

const values: Record<string, Chunk> = {
  s: { type: 'start', provider: 'openai', model: 'gpt-test' },
  a: { type: 'text', text: 'Once' },
  b: { type: 'text', text: ' upon' },
  r: { type: 'reasoning', text: 'hmm' },
  u: { type: 'usage', usage: { inputTokens: 7, outputTokens: 4 } },
  f: { type: 'finish', reason: 'stop' },
};

describe('measure', () => {
  it('passes chunks through and reports TTFT, counts, gaps and tokens/s on completion', () => {
    const reports: StreamReport[] = [];
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('s-a--b-u-f|', values);
      expectObservable(source.pipe(measure((report) => reports.push(report)))).toBe('s-a--b-u-f|', values);
      expectSubscriptions(source.subscriptions).toBe('^---------!');
    });
    expect(reports).toEqual([
      {
        ttftMs: 2,
        chunks: 5,
        contentChunks: 2,
        textChunks: 2,
        chars: 9,
        durationMs: 10,
        outputTokens: 4,
        tokensPerSecond: 500, // 4 tokens over the 8 ms from the first chunk to the end
        gaps: { count: 1, min: 3, p50: 3, p99: 3, max: 3 },
        usage: { inputTokens: 7, outputTokens: 4 },
        finishReason: 'stop',
        outcome: 'complete',
        provider: 'openai',
        model: 'gpt-test',
      },
    ]);
  });

  it('reports gaps between all content chunks, reasoning included', () => {
    const reports: StreamReport[] = [];
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('r-a----b|', values).pipe(measure((report) => reports.push(report)))).toBe(
        'r-a----b|',
        values,
      );
    });
    expect(reports[0]).toMatchObject({
      ttftMs: 0,
      contentChunks: 3,
      textChunks: 2,
      gaps: { count: 2, min: 2, p50: 2, p99: 5, max: 5 },
    });
  });

  it('reports an error with its kind and the partial text, once', () => {
    const reports: StreamReport[] = [];
    const failure = new LLMError({ kind: 'network', provider: 'openai', message: 'connection reset' });
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('s-a-#', values, failure).pipe(measure((report) => reports.push(report)))).toBe(
        's-a-#',
        values,
        failure,
      );
    });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ outcome: 'error', errorKind: 'network', chars: 4, durationMs: 4, ttftMs: 2 });
  });

  it('calls a non-LLMError kind unknown', () => {
    const reports: StreamReport[] = [];
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-#', values, new TypeError('boom')).pipe(measure((report) => reports.push(report)))).toBe(
        '-#',
        values,
        new TypeError('boom'),
      );
    });
    expect(reports[0]).toMatchObject({ outcome: 'error', errorKind: 'unknown', chunks: 0 });
  });

  it('on unsubscribe gives an abort receipt and unsubscribes upstream', () => {
    const reports: StreamReport[] = [];
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('s-a-u-b-f|', values);
      expectObservable(source.pipe(measure((report) => reports.push(report))), '^-----!').toBe('s-a-u-', values);
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      outcome: 'unsubscribed',
      chars: 4,
      textChunks: 1,
      durationMs: 6,
      usage: { inputTokens: 7, outputTokens: 4 },
    });
  });

  it('reports live progress after every chunk', () => {
    const progress: Array<[number | undefined, number, number]> = [];
    createTestScheduler().run(({ cold, expectObservable }) => {
      const source = cold('s-a--b|', values).pipe(
        measure(() => undefined, {
          onProgress: (report) => progress.push([report.ttftMs, report.chars, report.durationMs]),
        }),
      );
      expectObservable(source).toBe('s-a--b|', values);
    });
    expect(progress).toEqual([
      [undefined, 0, 0],
      [2, 4, 2],
      [2, 9, 5],
    ]);
  });

  it('measures a million-chunk stream with flat state', () => {
    let clock = 0;
    const scheduler: SchedulerLike = { now: () => clock, schedule: asapScheduler.schedule.bind(asapScheduler) };
    const reports: StreamReport[] = [];
    const before = process.memoryUsage().heapUsed;
    range(0, 1_000_000)
      .pipe(
        map((index): Chunk => {
          clock += 1 + (index % 97);
          return { type: 'text', text: 'x' };
        }),
        measure((report) => reports.push(report), { scheduler }),
      )
      .subscribe();
    const grownMegabytes = (process.memoryUsage().heapUsed - before) / 2 ** 20;
    console.log(`measure: 1M chunks, heap grew ${grownMegabytes.toFixed(1)} MB (garbage included)`);
    expect(reports[0]).toMatchObject({
      chunks: 1_000_000,
      chars: 1_000_000,
      gaps: { count: 999_999, min: 1, max: 97 },
    });
    expect(reports[0]?.gaps.p50).toBe(49);
  });
});
