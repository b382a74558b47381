import { describe, expect, it } from 'vitest';
import { hasToolResult, matchRequests, toolResults } from './match.js';
import type { RecordedRequest } from './script.js';

const recorded = (vendor: RecordedRequest['vendor'], body: unknown): RecordedRequest => ({
  index: 0,
  method: 'POST',
  path: '/',
  vendor,
  headers: {},
  body,
  receivedAt: 0,
  closed: Promise.resolve(),
});

const openai = recorded('openai', {
  messages: [
    { role: 'user', content: 'Weather?' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{}' } }],
    },
    { role: 'tool', tool_call_id: 'c1', content: '21 °C' },
  ],
});
const anthropic = recorded('anthropic', {
  messages: [
    { role: 'user', content: 'Weather?' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'weather', input: {} }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: '21 °C' }] },
  ],
});
const gemini = recorded('gemini', {
  contents: [
    { role: 'user', parts: [{ text: 'Weather?' }] },
    { role: 'model', parts: [{ functionCall: { name: 'weather', args: {} } }] },
    { role: 'user', parts: [{ functionResponse: { name: 'weather', response: { result: '21 °C' } } }] },
  ],
});
const firstTurn = (vendor: RecordedRequest['vendor']) =>
  recorded(
    vendor,
    vendor === 'gemini'
      ? { contents: [{ role: 'user', parts: [{ text: 'x' }] }] }
      : { messages: [{ role: 'user', content: 'x' }] },
  );

describe('request matchers', () => {
  it('find tool results in every dialect, with the tool name', () => {
    expect(toolResults(openai)).toEqual([{ name: 'weather', content: '21 °C' }]);
    expect(toolResults(anthropic)).toEqual([{ name: 'weather', content: '21 °C' }]);
    expect(toolResults(gemini)).toEqual([{ name: 'weather', content: { result: '21 °C' } }]);
    for (const request of [openai, anthropic, gemini]) {
      expect(hasToolResult(request)).toBe(true);
      expect(hasToolResult(request, 'weather')).toBe(true);
      expect(hasToolResult(request, 'other')).toBe(false);
    }
    for (const vendor of ['openai', 'anthropic', 'gemini'] as const)
      expect(hasToolResult(firstTurn(vendor))).toBe(false);
    expect(hasToolResult(recorded('openai', 'not json'))).toBe(false);
  });

  it('matchRequests answers with the first matching rule, else the fallback (undefined = the queue)', () => {
    const answer = { events: [{ type: 'text' as const, text: 'It is 21 °C' }] };
    const call = { events: [{ type: 'tool-call' as const, id: 'c1', name: 'weather', argumentFragments: ['{}'] }] };
    const respond = matchRequests([{ when: hasToolResult, script: answer }], call);
    expect(respond(openai)).toBe(answer);
    expect(respond(firstTurn('openai'))).toBe(call);
    const dynamic = matchRequests([{ when: () => true, script: (request) => ({ id: `r${request.vendor}` }) }]);
    expect(dynamic(gemini)).toEqual({ id: 'rgemini' });
    expect(matchRequests([{ when: () => false, script: answer }])(openai)).toBeUndefined();
  });
});
