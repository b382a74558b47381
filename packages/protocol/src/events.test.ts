import { describe, expect, it } from 'vitest';
import { AGENT_EVENT_TYPES, type AgentEvent, isAgentEvent, isTerminalEvent } from './events.js';
import { eventsByType, everyEvent } from './test-events.js';

describe('isAgentEvent', () => {
  it('accepts every event type, with and without its optional fields', () => {
    for (const event of everyEvent) expect(isAgentEvent(event), JSON.stringify(event)).toBe(true);
  });

  it('knows exactly the types the fixtures cover, in stream order', () => {
    expect(AGENT_EVENT_TYPES).toEqual(Object.keys(eventsByType));
    expect(AGENT_EVENT_TYPES).toEqual([
      'start',
      'text',
      'reasoning',
      'tool-call',
      'usage',
      'finish',
      'failover',
      'step-start',
      'tool-call-ready',
      'tool-approval-request',
      'tool-result',
      'step-finish',
      'object',
      'done',
      'error',
    ]);
  });

  it.each([
    ['not an object', 'text'],
    ['null', null],
    ['an array', [{ type: 'text', text: 'x' }]],
    ['no type', { text: 'x' }],
    ['an unknown type', { type: 'tool-results', result: 1 }],
    ['step-start with step 0', { type: 'step-start', step: 0 }],
    ['tool-call-ready without arguments', { type: 'tool-call-ready', step: 1, index: 0, id: 'c', name: 'n' }],
    ['tool-result without durationMs', { type: 'tool-result', step: 1, toolCallId: 'c', name: 'n', output: 1 }],
    [
      'tool-result with a string error',
      { type: 'tool-result', step: 1, toolCallId: 'c', name: 'n', error: 'x', durationMs: 1 },
    ],
    ['tool-approval-request without name', { type: 'tool-approval-request', step: 1, toolCallId: 'c' }],
    ['step-finish without toolCalls', { type: 'step-finish', step: 1, reason: 'stop' }],
    ['a prototype key as type', { type: 'constructor' }],
    ['start without model', { type: 'start', provider: 'p' }],
    ['start with a numeric id', { type: 'start', provider: 'p', model: 'm', id: 7 }],
    ['text without text', { type: 'text' }],
    ['text with a number', { type: 'text', text: 1 }],
    ['reasoning without text', { type: 'reasoning' }],
    ['tool-call without index', { type: 'tool-call', argumentsDelta: '' }],
    ['tool-call without argumentsDelta', { type: 'tool-call', index: 0 }],
    ['usage without usage', { type: 'usage' }],
    ['finish without reason', { type: 'finish' }],
    ['object without object', { type: 'object', complete: true }],
    ['object without complete', { type: 'object', object: {} }],
    ['done without metrics', { type: 'done' }],
    ['done with null metrics', { type: 'done', metrics: null }],
    ['error without error', { type: 'error' }],
    ['error without message', { type: 'error', error: { kind: 'unknown' } }],
    ['error with a numeric kind', { type: 'error', error: { kind: 500, message: 'x' } }],
  ])('rejects %s', (_name, value) => {
    expect(isAgentEvent(value)).toBe(false);
  });
});

describe('isTerminalEvent', () => {
  it('is true for done and error only', () => {
    const terminal = everyEvent.filter((event: AgentEvent) => isTerminalEvent(event)).map((event) => event.type);
    expect(new Set(terminal)).toEqual(new Set(['done', 'error']));
    expect(terminal).toHaveLength(eventsByType.done.length + eventsByType.error.length);
  });
});
