import { describe, expect, it } from 'vitest';
import { createChunkMapper, type OpenAIStreamEvent } from './chunk-mapper.js';

const mapper = () => createChunkMapper({ provider: 'openai', model: 'requested-model' });
const event = (delta: Record<string, unknown>, extra: Partial<OpenAIStreamEvent> = {}): OpenAIStreamEvent => ({
  id: 'chatcmpl-1',
  model: 'gpt-4.1-mini-2025-04-14',
  choices: [{ index: 0, delta, finish_reason: null }],
  ...extra,
});

describe('createChunkMapper', () => {
  it('starts with the server model and id, then text unmerged and in order', () => {
    const subject = mapper();
    expect(subject.push(event({ role: 'assistant', content: '' }))).toEqual([
      { type: 'start', provider: 'openai', model: 'gpt-4.1-mini-2025-04-14', id: 'chatcmpl-1' },
    ]);
    expect(subject.push(event({ content: 'Hel' }))).toEqual([{ type: 'text', text: 'Hel' }]);
    expect(subject.push(event({ content: 'lo' }))).toEqual([{ type: 'text', text: 'lo' }]);
  });

  it('holds usage and finish until end(), usage first, whatever order they came in', () => {
    const subject = mapper();
    subject.push(event({ content: 'Hi' }));
    expect(subject.push({ ...event({}), choices: [{ index: 0, delta: {}, finish_reason: 'length' }] })).toEqual([]);
    expect(subject.rawFinishReason).toBe('length');
    expect(subject.push({ id: 'chatcmpl-1', choices: [], usage: { prompt_tokens: 2, completion_tokens: 1 } })).toEqual(
      [],
    );
    expect(subject.end()).toEqual([
      { type: 'usage', usage: { inputTokens: 2, outputTokens: 1 } },
      { type: 'finish', reason: 'length', rawReason: 'length' },
    ]);
  });

  it('keeps the last usage when a server repeats it on every chunk', () => {
    const subject = mapper();
    subject.push(event({ content: 'a' }, { usage: { prompt_tokens: 5, completion_tokens: 1 } }));
    subject.push(event({ content: 'b' }, { usage: { prompt_tokens: 5, completion_tokens: 2 } }));
    subject.push({ ...event({}), choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    expect(subject.end()[0]).toEqual({ type: 'usage', usage: { inputTokens: 5, outputTokens: 2 } });
  });

  it('waits past an Azure prompt-filter event with empty id and model', () => {
    const subject = mapper();
    expect(subject.push({ id: '', model: '', choices: [] })).toEqual([]);
    expect(subject.push(event({ role: 'assistant', content: '' }))).toEqual([
      { type: 'start', provider: 'openai', model: 'gpt-4.1-mini-2025-04-14', id: 'chatcmpl-1' },
    ]);
  });

  it('starts with the requested model when content comes from an event that names none', () => {
    const subject = mapper();
    expect(subject.push({ choices: [{ index: 0, delta: { content: 'x' } }] })).toEqual([
      { type: 'start', provider: 'openai', model: 'requested-model' },
      { type: 'text', text: 'x' },
    ]);
  });

  it('maps reasoning_content and Ollama reasoning to reasoning chunks, refusal to marked text', () => {
    const subject = mapper();
    subject.push(event({ role: 'assistant' }));
    expect(subject.push(event({ reasoning_content: 'think' }))).toEqual([{ type: 'reasoning', text: 'think' }]);
    expect(subject.push(event({ reasoning: 'more' }))).toEqual([{ type: 'reasoning', text: 'more' }]);
    expect(subject.push(event({ refusal: "I can't" }))).toEqual([
      { type: 'text', text: "I can't", providerMetadata: { refusal: true } },
    ]);
  });

  it('maps tool-call fragments with index, id and name only where sent', () => {
    const subject = mapper();
    subject.push(event({ role: 'assistant' }));
    expect(
      subject.push(
        event({
          tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'weather', arguments: '' } }],
        }),
      ),
    ).toEqual([{ type: 'tool-call', index: 0, id: 'call_1', name: 'weather', argumentsDelta: '' }]);
    expect(subject.push(event({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }))).toEqual([
      { type: 'tool-call', index: 0, argumentsDelta: '{"ci' },
    ]);
    expect(subject.push(event({ tool_calls: [{ index: 1, function: {} }] }))).toEqual([]);
  });

  it('handles content and finish_reason in one event, and tool calls without an index', () => {
    const subject = mapper();
    expect(
      subject.push({
        id: 'x',
        model: 'm',
        choices: [
          {
            index: 0,
            delta: { content: 'Done.', tool_calls: [{ id: 'call_a', function: { name: 'f', arguments: '{}' } }] },
            finish_reason: 'tool_calls',
          },
        ],
      }),
    ).toEqual([
      { type: 'start', provider: 'openai', model: 'm', id: 'x' },
      { type: 'text', text: 'Done.' },
      { type: 'tool-call', index: 0, id: 'call_a', name: 'f', argumentsDelta: '{}' },
    ]);
    expect(subject.end()).toEqual([{ type: 'finish', reason: 'tool-calls', rawReason: 'tool_calls' }]);
  });

  it('ignores choices other than the first', () => {
    const subject = mapper();
    subject.push(event({ role: 'assistant' }));
    expect(subject.push({ choices: [{ index: 1, delta: { content: 'other' } }] })).toEqual([]);
  });

  it('still starts at end() when nothing named the response', () => {
    const subject = mapper();
    subject.push({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    expect(subject.end()).toEqual([
      { type: 'start', provider: 'openai', model: 'requested-model' },
      { type: 'finish', reason: 'stop', rawReason: 'stop' },
    ]);
  });
});
