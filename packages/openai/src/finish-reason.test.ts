import { describe, expect, it } from 'vitest';
import { finishReasonFromOpenAI } from './finish-reason.js';

describe('finishReasonFromOpenAI', () => {
  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['content_filter', 'content-filter'],
    ['tool_calls', 'tool-calls'],
    ['function_call', 'tool-calls'],
    ['error', 'error'],
    ['eos', 'other'],
    ['toString', 'other'],
    ['', 'other'],
  ])('maps %j to %j', (raw, expected) => {
    expect(finishReasonFromOpenAI(raw)).toBe(expected);
  });
});
