import { LLMError } from '@rxllm/core';
import { describe, expect, it } from 'vitest';
import { createResponseMapper } from './response-mapper.js';

// Both providers run this mapper under their own name, which keys providerMetadata.
describe.each(['gemini', 'google-genai'])('createResponseMapper (provider %s)', (PROVIDER) => {
  const newMapper = () =>
    createResponseMapper({ provider: PROVIDER, requestedModel: 'gemini-test', generateToolCallId: () => 'call_1' });

  it('emits start from the first response, text per part, then usage and finish at the end', () => {
    const mapper = newMapper();
    const first = mapper.map({
      candidates: [{ content: { parts: [{ text: 'Hel' }, { text: 'lo' }] } }],
      usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1, totalTokenCount: 4 },
      modelVersion: 'gemini-2.5-flash-001',
      responseId: 'resp-1',
    });
    const second = mapper.map({
      candidates: [{ content: { parts: [{ text: '!' }] }, finishReason: 'STOP' }],
      usageMetadata: {
        promptTokenCount: 3,
        candidatesTokenCount: 2,
        totalTokenCount: 9,
        thoughtsTokenCount: 4,
        cachedContentTokenCount: 1,
      },
    });
    expect([...first, ...second, ...mapper.end()]).toEqual([
      { type: 'start', provider: PROVIDER, model: 'gemini-2.5-flash-001', id: 'resp-1' },
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo' },
      { type: 'text', text: '!' },
      {
        type: 'usage',
        usage: { inputTokens: 3, outputTokens: 2, totalTokens: 9, reasoningTokens: 4, cachedInputTokens: 1 },
      },
      { type: 'finish', reason: 'stop', rawReason: 'STOP' },
    ]);
  });

  it('uses the requested model when the response names none', () => {
    expect(newMapper().map({ candidates: [] })[0]).toEqual({ type: 'start', provider: PROVIDER, model: 'gemini-test' });
  });

  it('maps thought parts to reasoning and keeps signatures', () => {
    const mapper = newMapper();
    const chunks = mapper.map({
      candidates: [
        {
          content: {
            parts: [
              { text: 'thinking…', thought: true, thoughtSignature: 'sig-a' },
              { text: 'answer' },
              { text: '', thoughtSignature: 'sig-end' },
            ],
          },
          finishReason: 'STOP',
        },
      ],
    });
    expect(chunks.slice(1)).toEqual([
      { type: 'reasoning', text: 'thinking…', providerMetadata: { [PROVIDER]: { thoughtSignature: 'sig-a' } } },
      { type: 'text', text: 'answer' },
    ]);
    expect(mapper.end()).toEqual([
      {
        type: 'finish',
        reason: 'stop',
        rawReason: 'STOP',
        providerMetadata: { [PROVIDER]: { thoughtSignature: 'sig-end' } },
      },
    ]);
  });

  it('turns each functionCall part into one tool-call chunk and STOP into tool-calls', () => {
    const mapper = newMapper();
    const chunks = mapper.map({
      candidates: [
        { content: { parts: [{ functionCall: { name: 'weather', args: { city: 'Paris' } } }] }, finishReason: 'STOP' },
      ],
    });
    expect(chunks[1]).toEqual({
      type: 'tool-call',
      index: 0,
      id: 'call_1',
      name: 'weather',
      argumentsDelta: '{"city":"Paris"}',
    });
    expect(mapper.end()).toEqual([{ type: 'finish', reason: 'tool-calls', rawReason: 'STOP' }]);
  });

  it('keeps a vendor function call id and the finish message', () => {
    const mapper = newMapper();
    const [, call] = mapper.map({
      candidates: [
        {
          content: { parts: [{ functionCall: { id: 'vertex-id', name: 'f', args: {} } }] },
          finishReason: 'MALFORMED_FUNCTION_CALL',
          finishMessage: 'bad call',
        },
      ],
    });
    expect(call).toMatchObject({ id: 'vertex-id', argumentsDelta: '{}' });
    expect(mapper.end()[0]).toMatchObject({
      reason: 'error',
      providerMetadata: { [PROVIDER]: { finishMessage: 'bad call' } },
    });
  });

  it('treats a prompt block as a content-filter finish, not an error', () => {
    const mapper = newMapper();
    mapper.map({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' } });
    const [finish] = mapper.end();
    expect(finish).toMatchObject({ type: 'finish', reason: 'content-filter', rawReason: 'PROHIBITED_CONTENT' });
  });

  it('throws a truncation error when no response carried a finishReason', () => {
    const mapper = newMapper();
    mapper.map({ candidates: [{ content: { parts: [{ text: 'cut' }] } }] });
    expect(() => mapper.end()).toThrowError(LLMError);
    try {
      mapper.end();
    } catch (error) {
      expect(error).toMatchObject({ kind: 'network', details: { truncated: true } });
    }
  });

  it('throws an LLMError with the kind of the in-stream error code', () => {
    const mapper = newMapper();
    expect(() =>
      mapper.map({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }),
    ).toThrowError(expect.objectContaining({ kind: 'overloaded', status: 503 }));
  });
});
