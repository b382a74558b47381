import type { AgentEvent } from '@rxllm/protocol';
import { describe, expect, it } from 'vitest';
import { createReplyMeter, formatComplete, formatFollowed, formatProgress } from './reply-meter.js';

function clock(...times: number[]) {
  let index = 0;
  return () => times[Math.min(index++, times.length - 1)]!;
}

const call: AgentEvent = {
  type: 'tool-call-ready',
  step: 1,
  index: 0,
  id: 'c1',
  name: 'calculator',
  input: {},
  arguments: '{}',
};

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

  it('sums the output tokens of every step with step-finish.totalUsage, not the last step’s usage', () => {
    // start 0; step 1: tool-call 100, finish 300; step 2: text 1300 (after the tool ran), finish 2300; summary 2500
    const meter = createReplyMeter(clock(0, 100, 300, 1300, 2300, 2500));
    const events: AgentEvent[] = [
      { type: 'start', provider: 'simulated', model: 'm' },
      { type: 'step-start', step: 1 },
      { type: 'tool-call', index: 0, id: 'c1', name: 'calculator', argumentsDelta: '{}' },
      { type: 'usage', usage: { inputTokens: 5, outputTokens: 8 } },
      { type: 'finish', reason: 'tool-calls' },
      call,
      { type: 'tool-result', step: 1, toolCallId: 'c1', name: 'calculator', output: 42, durationMs: 1000 },
      {
        type: 'step-finish',
        step: 1,
        reason: 'tool-calls',
        usage: { outputTokens: 8 },
        totalUsage: { outputTokens: 8 },
        toolCalls: 1,
      },
      { type: 'step-start', step: 2 },
      { type: 'text', text: 'The answer is 42.' },
      { type: 'usage', usage: { inputTokens: 6, outputTokens: 19 } },
      { type: 'finish', reason: 'stop' },
      {
        type: 'step-finish',
        step: 2,
        reason: 'stop',
        usage: { outputTokens: 19 },
        totalUsage: { outputTokens: 27 },
        toolCalls: 0,
        stoppedBy: 'no-tool-calls',
      },
      { type: 'done', metrics: { ttftMs: 100, chunks: 1, chars: 17, durationMs: 2500 } },
    ];
    for (const event of events) meter.observe(event);
    const summary = meter.summary();
    expect(summary).toMatchObject({ outputTokens: 27, steps: 2, toolCalls: 1, ttftMs: 100, durationMs: 2500 });
    // 27 tokens over the model's 200 ms + 1000 ms: the tool's run between the steps does not count.
    expect(summary.tokensPerSecond).toBeCloseTo(22.5, 5);
    expect(formatComplete(summary)).toBe(
      'Complete: 1 chunks, 17 chars, 2 steps, 1 tool call, TTFT 100 ms, 22.5 tokens/s',
    );
  });

  it('sums the steps’ own usage when step-finish carries no totalUsage', () => {
    const meter = createReplyMeter(clock(0, 10, 20, 30, 40, 50));
    meter.observe({ type: 'step-start', step: 1 });
    meter.observe({ type: 'text', text: 'a' });
    meter.observe({ type: 'usage', usage: { outputTokens: 4 } });
    meter.observe({ type: 'usage', usage: { outputTokens: 5 } }); // a provider that reports twice: the latest counts
    meter.observe({ type: 'finish', reason: 'tool-calls' });
    meter.observe({ type: 'step-finish', step: 1, reason: 'tool-calls', toolCalls: 2 });
    meter.observe({ type: 'step-start', step: 2 });
    meter.observe({ type: 'text', text: 'b' });
    meter.observe({ type: 'usage', usage: { outputTokens: 7 } });
    // Before step 2 finishes the running figure already counts it.
    expect(meter.summary().outputTokens).toBe(12);
    meter.observe({ type: 'step-finish', step: 2, reason: 'stop', usage: { outputTokens: 6 }, toolCalls: 0 });
    expect(meter.summary().outputTokens).toBe(11);
  });

  it('says nothing about steps for a reply without tools, even inside a one-step loop', () => {
    const meter = createReplyMeter(clock(0, 10, 20, 30));
    meter.observe({ type: 'step-start', step: 1 });
    meter.observe({ type: 'text', text: 'hi' });
    meter.observe({ type: 'usage', usage: { outputTokens: 1 } });
    meter.observe({ type: 'finish', reason: 'stop' });
    meter.observe({ type: 'step-finish', step: 1, reason: 'stop', toolCalls: 0, totalUsage: { outputTokens: 1 } });
    expect(formatComplete(meter.summary())).toMatch(/^Complete: 1 chunks, 2 chars, TTFT 10 ms, [\d.]+ tokens\/s$/);
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
