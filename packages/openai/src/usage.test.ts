import { describe, expect, it } from 'vitest';
import { usageFromOpenAI, usageFromResponses } from './usage.js';

describe('usageFromOpenAI', () => {
  it('maps the 2024 form (counts only)', () => {
    expect(usageFromOpenAI({ prompt_tokens: 17, completion_tokens: 10, total_tokens: 27 })).toEqual({
      inputTokens: 17,
      outputTokens: 10,
      totalTokens: 27,
    });
  });

  it('maps cached and reasoning tokens from the details objects', () => {
    expect(
      usageFromOpenAI({
        prompt_tokens: 15,
        completion_tokens: 78,
        total_tokens: 93,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 64 },
      }),
    ).toEqual({ inputTokens: 15, outputTokens: 78, totalTokens: 93, cachedInputTokens: 4, reasoningTokens: 64 });
  });

  it('leaves out what the server did not report', () => {
    expect(usageFromOpenAI({ prompt_tokens: 3, completion_tokens: null, prompt_tokens_details: null })).toEqual({
      inputTokens: 3,
    });
  });
});

describe('usageFromResponses', () => {
  it('maps input/output tokens with cached and reasoning details, leaving out what is missing', () => {
    expect(
      usageFromResponses({
        input_tokens: 45,
        output_tokens: 25,
        total_tokens: 70,
        input_tokens_details: { cached_tokens: 40 },
        output_tokens_details: { reasoning_tokens: 9 },
      }),
    ).toEqual({ inputTokens: 45, outputTokens: 25, totalTokens: 70, cachedInputTokens: 40, reasoningTokens: 9 });
    expect(usageFromResponses({ input_tokens: 3, input_tokens_details: null })).toEqual({ inputTokens: 3 });
  });
});
