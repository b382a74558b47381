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
    expect(formatReplyMetrics(metrics)).toBe(
      'TTFT 200 ms (server 150 ms) · 2 chunks · 40 tokens out · 20.0 tokens/s · 2.20 s',
    );
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

  it('adds up the usage of every step of a tool loop (step-finish totalUsage) and counts steps and tool calls', () => {
    // 0 start, 100 first text, 1100 step 1's finish, 5100 step 2 starts (4 s in the tool), 7100 end.
    const tracker = createReplyTracker(clock(0, 100, 1100, 5100, 7100));
    tracker.observe({ type: 'step-start', step: 1 });
    tracker.observe({ type: 'text', text: 'Let me compute. ' });
    tracker.observe({ type: 'usage', usage: { inputTokens: 20, outputTokens: 10 } });
    tracker.observe({ type: 'finish', reason: 'tool-calls' });
    tracker.observe({
      type: 'tool-call-ready',
      step: 1,
      index: 0,
      id: 'c1',
      name: 'calculator',
      input: {},
      arguments: '{}',
    });
    tracker.observe({ type: 'tool-result', step: 1, toolCallId: 'c1', name: 'calculator', output: 42, durationMs: 3 });
    tracker.observe({
      type: 'step-finish',
      step: 1,
      reason: 'tool-calls',
      usage: { inputTokens: 20, outputTokens: 10 },
      totalUsage: { inputTokens: 20, outputTokens: 10 },
      toolCalls: 1,
    });
    tracker.observe({ type: 'step-start', step: 2 });
    tracker.observe({ type: 'text', text: 'It is 42.' });
    // Only the last step's usage: the sum comes from totalUsage.
    tracker.observe({ type: 'usage', usage: { inputTokens: 35, outputTokens: 20 } });
    tracker.observe({ type: 'finish', reason: 'stop' });
    tracker.observe({
      type: 'step-finish',
      step: 2,
      reason: 'stop',
      usage: { inputTokens: 35, outputTokens: 20 },
      totalUsage: { inputTokens: 55, outputTokens: 30 },
      toolCalls: 0,
      stoppedBy: 'no-tool-calls',
    });
    tracker.end();
    const metrics = tracker.metrics();
    expect(metrics).toMatchObject({ inputTokens: 55, outputTokens: 30, steps: 2, toolCalls: 1, durationMs: 7100 });
    // 30 tokens over 7 s of reply minus 4 s in the tool.
    expect(metrics.tokensPerSecond).toBeCloseTo(10, 5);
    expect(formatReplyMetrics(metrics)).toBe(
      'TTFT 100 ms · 2 chunks · 2 steps, 1 tool call · 55 in / 30 out tokens · 10.0 tokens/s · 7.10 s',
    );
  });

  it("adds the steps' own usage up when step-finish has no totalUsage, with the running step on top", () => {
    const tracker = createReplyTracker(clock(0));
    tracker.observe({ type: 'step-start', step: 1 });
    tracker.observe({ type: 'step-finish', step: 1, reason: 'tool-calls', usage: { outputTokens: 7 }, toolCalls: 1 });
    tracker.observe({ type: 'step-start', step: 2 });
    tracker.observe({ type: 'usage', usage: { inputTokens: 4, outputTokens: 5 } });
    expect(tracker.metrics()).toMatchObject({ inputTokens: 4, outputTokens: 12 });
  });

  it('freezes the duration at end()', () => {
    const tracker = createReplyTracker(clock(0, 300, 9000));
    tracker.end();
    expect(tracker.metrics().durationMs).toBe(300);
  });
});
