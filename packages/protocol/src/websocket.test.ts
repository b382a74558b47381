import { describe, expect, it } from 'vitest';
import type { NumberedEvent } from './events.js';
import { ProtocolError } from './protocol-error.js';
import { everyEvent } from './test-events.js';
import { decodeWebSocketFrame, encodeWebSocketFrame } from './websocket.js';

const numbered: NumberedEvent[] = everyEvent.map((event, index) => ({ id: index + 1, event }));

describe('encodeWebSocketFrame', () => {
  it('carries the sequence id; a start chunk keeps its vendor id as responseId', () => {
    expect(
      JSON.parse(
        encodeWebSocketFrame({ id: 1, event: { type: 'start', provider: 'openai', model: 'm', id: 'chatcmpl-1' } }),
      ),
    ).toEqual({
      type: 'start',
      provider: 'openai',
      model: 'm',
      responseId: 'chatcmpl-1',
      id: 1,
    });
    expect(
      JSON.parse(
        encodeWebSocketFrame({
          id: 4,
          event: { type: 'done', metrics: { ttftMs: 1, chunks: 2, chars: 3, durationMs: 4 } },
        }),
      ),
    ).toMatchObject({
      type: 'done',
      id: 4,
    });
  });

  it('keeps the exact bytes the agent has always sent', () => {
    expect(encodeWebSocketFrame({ id: 3, event: { type: 'text', text: 'Hi' } })).toBe(
      '{"type":"text","text":"Hi","id":3}',
    );
    expect(
      encodeWebSocketFrame({ id: 1, event: { type: 'start', provider: 'p', model: 'm', id: 'r', streamId: 's' } }),
    ).toBe('{"type":"start","provider":"p","model":"m","streamId":"s","responseId":"r","id":1}');
    expect(encodeWebSocketFrame({ id: 1, event: { type: 'start', provider: 'p', model: 'm' } })).toBe(
      '{"type":"start","provider":"p","model":"m","id":1}',
    );
  });

  it("moves a tool call's own id to toolCallId instead of overwriting it", () => {
    const frame = JSON.parse(
      encodeWebSocketFrame({
        id: 5,
        event: { type: 'tool-call', index: 0, id: 'call_1', name: 'f', argumentsDelta: '{}' },
      }),
    );
    expect(frame).toEqual({
      type: 'tool-call',
      index: 0,
      toolCallId: 'call_1',
      name: 'f',
      argumentsDelta: '{}',
      id: 5,
    });
  });

  it('escapes U+2028/U+2029 like SSE', () => {
    expect(encodeWebSocketFrame({ id: 1, event: { type: 'text', text: '\u2028' } })).toBe(
      '{"type":"text","text":"\\u2028","id":1}',
    );
  });
});

describe('decodeWebSocketFrame', () => {
  it('every event type round-trips, ids and own ids restored', () => {
    for (const event of numbered) expect(decodeWebSocketFrame(encodeWebSocketFrame(event))).toEqual(event);
  });

  it('takes a frame without a numeric id as a bare event, its own id kept', () => {
    expect(decodeWebSocketFrame('{"type":"start","provider":"p","model":"m","id":"r1"}')).toEqual({
      id: undefined,
      event: { type: 'start', provider: 'p', model: 'm', id: 'r1' },
    });
  });

  it('a rejection frame has id 0', () => {
    expect(decodeWebSocketFrame('{"type":"error","error":{"kind":"invalid-request","message":"bad"},"id":0}')).toEqual({
      id: 0,
      event: { type: 'error', error: { kind: 'invalid-request', message: 'bad' } },
    });
  });

  it.each([
    ['not JSON', 'hello', 'not-json'],
    ['a JSON number', '42', 'unknown-shape'],
    ['null', 'null', 'unknown-shape'],
    ['an unknown type', '{"type":"tool-result","id":3}', 'unknown-shape'],
    ['text without text', '{"type":"text","id":3}', 'unknown-shape'],
    ['a negative id', '{"type":"text","text":"x","id":-1}', 'unknown-shape'],
    ['a fractional id', '{"type":"text","text":"x","id":1.5}', 'unknown-shape'],
    ['a prototype key as type', '{"type":"constructor","id":1}', 'unknown-shape'],
  ])('throws a ProtocolError for %s', (_name, frame, reason) => {
    let thrown: unknown;
    try {
      decodeWebSocketFrame(frame);
    } catch (error) {
      thrown = error;
    }
    expect(ProtocolError.isInstance(thrown)).toBe(true);
    expect(thrown).toMatchObject({ reason });
  });
});
