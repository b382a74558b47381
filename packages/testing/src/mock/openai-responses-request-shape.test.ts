import { describe, expect, it } from 'vitest';
import { openaiResponsesRequestProblem } from './openai-responses-request-shape.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PDF = 'JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK';
const weather = { type: 'function', name: 'weather', parameters: { type: 'object', properties: {} }, strict: false };
const withInput = (...input: unknown[]) => ({ model: 'gpt-5-mini', input, stream: true, store: false });

describe('openaiResponsesRequestProblem accepts', () => {
  it('a plain string input, and leaves what is not a JSON object alone', () => {
    expect(openaiResponsesRequestProblem({ model: 'gpt-5-mini', input: 'Hi', stream: true })).toBeUndefined();
    expect(openaiResponsesRequestProblem('not json')).toBeUndefined();
    expect(openaiResponsesRequestProblem(undefined)).toBeUndefined();
  });

  it('a whole conversation with every part, tool calls, tool results, tools and a JSON schema format', () => {
    const body = {
      ...withInput(
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is in these?' },
            { type: 'input_image', image_url: `data:image/png;base64,${PNG}`, detail: 'auto' },
            { type: 'input_image', image_url: 'https://example.com/cat.jpg', detail: 'low' },
            { type: 'input_file', file_data: `data:application/pdf;base64,${PDF}`, filename: 'doc.pdf' },
            { type: 'input_file', file_url: 'https://example.com/doc.pdf' },
          ],
        },
        { role: 'assistant', content: 'Let me look.' },
        { type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
      ),
      instructions: 'Be brief.',
      tools: [weather],
      tool_choice: { type: 'function', name: 'weather' },
      parallel_tool_calls: false,
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } },
      max_output_tokens: 500,
    };
    expect(openaiResponsesRequestProblem(body)).toBeUndefined();
  });
});

describe('openaiResponsesRequestProblem refuses', () => {
  it.each([
    ['a Chat Completions body', { model: 'gpt-5-mini', messages: [] }, 'messages: not a Responses API field'],
    ['stop sequences', { model: 'gpt-5-mini', input: 'Hi', stop: ['x'] }, 'stop: not a Responses API field'],
    ['a missing model', { input: 'Hi' }, 'model'],
    ['a Chat-style part', withInput({ role: 'user', content: [{ type: 'text', text: 'Hi' }] }), 'input.0'],
    [
      'an image without detail',
      withInput({ role: 'user', content: [{ type: 'input_image', image_url: 'https://a.b/c.png' }] }),
      'detail',
    ],
    [
      'a file without filename',
      withInput({ role: 'user', content: [{ type: 'input_file', file_data: `data:application/pdf;base64,${PDF}` }] }),
      'filename',
    ],
    [
      'a function call without call_id',
      withInput({ type: 'function_call', name: 'weather', arguments: '{}' }),
      'call_id',
    ],
    [
      'a nested Chat-style tool',
      { model: 'gpt-5-mini', tools: [{ type: 'function', function: { name: 'weather' } }] },
      'tools.0',
    ],
    ['max_output_tokens below 16', { model: 'gpt-5-mini', max_output_tokens: 5 }, 'max_output_tokens'],
  ])('%s', (_label, body, expected) => {
    expect(openaiResponsesRequestProblem(body)).toContain(expected);
  });
});
