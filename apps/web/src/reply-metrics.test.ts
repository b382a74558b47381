import { describe, expect, it } from 'vitest';
import { createReplyTracker, formatReplyMetrics } from './reply-metrics.js';

function clock(...times: number[]) {
  let index = 0;
  return () => times[Math.min(index++, times.length - 1)]!;
}

describe('createReplyTracker', () => {
  it('measures TTFT, chunks and usage-based tokens/s and keeps the server TTFT', () => {
    const tracker = createReplyTracker(clock(0, 200, 2200));
    tracker.observe({ type: 'start', provider: 'openai', model: 'm' });
    tracker.observe({ type: 'text', text: 'Hello ' });
    tracker.observe({ type: 'text', text: 'wörld 🎉' });
    tracker.observe({ type: 'usage', usage: { outputTokens: 40 } });
    tracker.observe({ type: 'done', metrics: { ttftMs: 150, chunks: 2, chars: 13, durationMs: 2100 } });
    tracker.end();
    const metrics = tracker.metrics();
    expect(metrics).toMatchObject({ ttftMs: 200, serverTtftMs: 150, chunks: 2, chars: 13, durationMs: 2200 });
    expect(metrics.tokensPerSecond).toBeCloseTo(20, 5);
    expect(formatReplyMetrics(metrics)).toBe('TTFT 200 ms (server 150 ms) · 2 chunks · 20.0 tokens/s · 2.20 s');
  });

  it('labels the chars/4 estimate when there is no usage', () => {
    const tracker = createReplyTracker(clock(0, 100, 1100));
    tracker.observe({ type: 'text', text: 'x'.repeat(40) });
    tracker.end();
    expect(formatReplyMetrics(tracker.metrics())).toBe(
      'TTFT 100 ms · 1 chunk · ~10.0 tokens/s (est. chars/4) · 1.10 s',
    );
  });

  it('shows only chunks and duration when nothing arrived', () => {
    const tracker = createReplyTracker(clock(0, 50));
    tracker.end();
    expect(formatReplyMetrics(tracker.metrics())).toBe('0 chunks · 0.05 s');
  });

  it('freezes the duration at end()', () => {
    const tracker = createReplyTracker(clock(0, 300, 9000));
    tracker.end();
    expect(tracker.metrics().durationMs).toBe(300);
  });
});
