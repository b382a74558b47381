import { describe, expect, it } from 'vitest';
import { normaliseFinishReason } from './finish-reason.js';

describe('normaliseFinishReason', () => {
  it.each([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool-calls'],
    ['MAX_TOKENS', false, 'length'],
    ['SAFETY', false, 'content-filter'],
    ['RECITATION', false, 'content-filter'],
    ['BLOCKLIST', false, 'content-filter'],
    ['PROHIBITED_CONTENT', false, 'content-filter'],
    ['SPII', false, 'content-filter'],
    ['IMAGE_SAFETY', false, 'content-filter'],
    ['IMAGE_PROHIBITED_CONTENT', false, 'content-filter'],
    ['IMAGE_RECITATION', false, 'content-filter'],
    ['UNEXPECTED_TOOL_CALL', false, 'error'],
    ['MALFORMED_FUNCTION_CALL', true, 'error'],
    ['OTHER', false, 'other'],
    ['LANGUAGE', false, 'other'],
    ['FINISH_REASON_UNSPECIFIED', false, 'other'],
  ] as const)('%s (function call: %s) → %s', (raw, sawFunctionCall, expected) => {
    expect(normaliseFinishReason(raw, sawFunctionCall)).toBe(expected);
  });
});
