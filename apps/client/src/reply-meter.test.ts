import { describe, expect, it } from 'vitest';
import { createReplyMeter, formatComplete, formatFollowed, formatProgress } from './reply-meter.js';

function clock(...times: number[]) {
  let index = 0;
  return () => times[Math.min(index++, times.length - 1)]!;
}

describe('createReplyMeter', () => {
  it('counts text chunks, code points, TTFT and usage-based tokens/s', () => {
    // start 0, first text at 100, second text (no clock read), summary at 1100
    const meter = createReplyMeter(clock(0, 100, 1100));
    meter.observe({ type: 'start', provider: 'openai', model: 'm' });
    meter.observe({ type: 'text', text: 'Héllo ' });
    meter.observe({ type: 'text', text: '世界🎉' });
    meter.observe({ type: 'usage', usage: { outputTokens: 50 } });
    meter.observe({ type: 'done', metrics: { ttftMs: 100, chunks: 2, chars: 9, durationMs: 1100 } });
    const summary = meter.summary();
    expect(summary).toMatchObject({ chunks: 2, chars: 9, ttftMs: 100, durationMs: 1100, outputTokens: 50 });
    expect(summary.tokensEstimated).toBe(false);
    expect(summary.tokensPerSecond).toBeCloseTo(50, 5);
    expect(formatComplete(summary)).toBe('Complete: 2 chunks, 9 chars, TTFT 100 ms, 50.0 tokens/s');
  });

  it('estimates tokens as chars / 4 without usage and labels it', () => {
    const meter = createReplyMeter(clock(0, 500, 2500));
    meter.observe({ type: 'text', text: 'x'.repeat(80) });
    const summary = meter.summary();
    expect(summary.tokensEstimated).toBe(true);
    expect(summary.tokensPerSecond).toBeCloseTo(10, 5);
    expect(formatComplete(summary)).toBe('Complete: 1 chunks, 80 chars, TTFT 500 ms, ~10.0 tokens/s (est.)');
  });

  it('counts reasoning towards TTFT but not towards text', () => {
    const meter = createReplyMeter(clock(0, 40, 1000));
    meter.observe({ type: 'reasoning', text: 'thinking' });
    const summary = meter.summary();
    expect(summary).toMatchObject({ chunks: 0, chars: 0, ttftMs: 40 });
    expect(formatComplete(summary)).toBe('Complete: 0 chunks, 0 chars, TTFT 40 ms, n/a tokens/s');
  });

  it('counts the values of the latest partial object, at any depth', () => {
    const meter = createReplyMeter(clock(0, 10, 20));
    expect(meter.summary().objectFields).toBeUndefined();
    meter.observe({ type: 'object', object: { title: 'A' }, complete: false });
    meter.observe({
      type: 'object',
      object: { title: 'A', tags: ['x', 'y'], nested: { n: 1, empty: {} } },
      complete: false,
    });
    expect(meter.summary().objectFields).toBe(4);
  });

  it('reports no TTFT when nothing arrived', () => {
    const meter = createReplyMeter(clock(0, 10));
    expect(formatComplete(meter.summary())).toBe('Complete: 0 chunks, 0 chars, TTFT n/a, n/a tokens/s');
  });
});

describe('formatProgress', () => {
  it('prints the seed progress line, overwriting itself', () => {
    expect(formatProgress(3, 42)).toBe('\rReceived 3 chunks, 42 chars...');
    expect(formatProgress(3, 42, 1)).toBe('\rReceived 3 chunks, 42 chars, object: 1 field...');
    expect(formatProgress(3, 42, 5)).toBe('\rReceived 3 chunks, 42 chars, object: 5 fields...');
  });
});

describe('formatFollowed', () => {
  it('reports what the follower received and the agent’s own numbers', () => {
    const summary = {
      chunks: 3,
      chars: 24,
      ttftMs: 1,
      durationMs: 2,
      tokensPerSecond: 68_000,
      tokensEstimated: false,
      outputTokens: 72,
    };
    expect(formatFollowed('abc', summary, { ttftMs: 202.4, chunks: 72, chars: 415, durationMs: 3498 })).toBe(
      'Followed abc: received 3 chunks, 24 chars; the agent measured TTFT 202 ms, 72 chunks, 3498 ms',
    );
    expect(formatFollowed('abc', summary, undefined)).toBe('Followed abc: received 3 chunks, 24 chars');
  });
});
