import { describe, expect, it } from 'vitest';
import { finishReasonFromStopReason } from './finish-reason.js';

describe('finishReasonFromStopReason', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool-calls'],
    ['refusal', 'content-filter'],
    ['pause_turn', 'other'],
    ['model_context_window_exceeded', 'other'],
    ['something_new', 'other'],
    [null, 'other'],
    [undefined, 'other'],
  ] as const)('maps %s to %s', (stopReason, expected) => {
    expect(finishReasonFromStopReason(stopReason)).toBe(expected);
  });
});
