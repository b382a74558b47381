import type { ToolCallReadyChunk } from '@rxllm/core';
import { describe, expect, it } from 'vitest';
import type { StepResult } from './step-result.js';
import { sumUsage } from './step-result.js';
import { hasToolCall, stepCountIs } from './stop-conditions.js';

const call = (name: string): ToolCallReadyChunk => ({
  type: 'tool-call-ready',
  step: 1,
  index: 0,
  id: 'c1',
  name,
  input: {},
  arguments: '{}',
});
const step = (names: string[]): StepResult => ({
  step: 1,
  text: '',
  reasoning: '',
  toolCalls: names.map(call),
  toolResults: [],
  finishReason: 'tool-calls',
  rawFinishReason: undefined,
  usage: undefined,
});

describe('stop conditions', () => {
  it('stepCountIs holds from the n-th step on', () => {
    expect(stepCountIs(2)({ steps: [step([])] })).toBe(false);
    expect(stepCountIs(2)({ steps: [step([]), step([])] })).toBe(true);
    expect(stepCountIs(2)({ steps: [step([]), step([]), step([])] })).toBe(true);
  });

  it('hasToolCall looks at the last step only', () => {
    expect(hasToolCall('finalAnswer')({ steps: [] })).toBe(false);
    expect(hasToolCall('finalAnswer')({ steps: [step(['search', 'finalAnswer'])] })).toBe(true);
    expect(hasToolCall('finalAnswer')({ steps: [step(['finalAnswer']), step(['search'])] })).toBe(false);
  });
});

describe('sumUsage', () => {
  it('adds field by field and leaves out what no step reports', () => {
    expect(
      sumUsage([
        { inputTokens: 10, outputTokens: 2 },
        undefined,
        { inputTokens: 14, outputTokens: 5, cachedInputTokens: 8 },
      ]),
    ).toEqual({ inputTokens: 24, outputTokens: 7, cachedInputTokens: 8 });
    expect(sumUsage([undefined, {}])).toBeUndefined();
  });
});
