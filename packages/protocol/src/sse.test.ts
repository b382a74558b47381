import { describe, expect, it } from 'vitest';
import type { NumberedEvent } from './events.js';
import { toJsonLine } from './json-line.js';
import { ProtocolError } from './protocol-error.js';
import { decodeSseEvent, encodeSseEvent, readAgentEvents, readServerSentEvents } from './sse.js';
import { everyEvent } from './test-events.js';
import { bodyOf, drain } from './test-streams.js';

const numbered: NumberedEvent[] = everyEvent.map((event, index) => ({ id: index + 1, event }));
const wire = numbered.map(encodeSseEvent).join('');

describe('encodeSseEvent', () => {
  it('writes id, event and one data line, whatever the text holds', () => {
    const text = 'line1\nline2\r\n\u2028\u2029data: fake\n\n';
    const encoded = encodeSseEvent({ id: 7, event: { type: 'text', text } });
    expect(encoded.endsWith('\n\n')).toBe(true);
    const lines = encoded.slice(0, -2).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('id: 7');
    expect(lines[1]).toBe('event: text');
    expect(JSON.parse((lines[2] as string).slice('data: '.length))).toEqual({ type: 'text', text });
    expect(encoded).not.toMatch(/[\r\u2028\u2029]/);
  });

  it('keeps the exact bytes the agent has always sent', () => {
    expect(encodeSseEvent({ id: 2, event: { type: 'text', text: 'Hi' } })).toBe(
      'id: 2\nevent: text\ndata: {"type":"text","text":"Hi"}\n\n',
    );
    expect(
      encodeSseEvent({ id: 9, event: { type: 'done', metrics: { ttftMs: null, chunks: 0, chars: 0, durationMs: 3 } } }),
    ).toBe(
      'id: 9\nevent: done\ndata: {"type":"done","metrics":{"ttftMs":null,"chunks":0,"chars":0,"durationMs":3}}\n\n',
    );
  });
});

describe('toJsonLine', () => {
  it('escapes U+2028/U+2029 and stays valid JSON', () => {
    const line = toJsonLine({ value: 'a\u2028b\u2029c' });
    expect(line).toBe('{"value":"a\\u2028b\\u2029c"}');
    expect(JSON.parse(line)).toEqual({ value: 'a\u2028b\u2029c' });
  });
});

describe('readAgentEvents: every event type round-trips', () => {
  for (const pieceSize of [1, 2, 3, 7, 64, Number.POSITIVE_INFINITY]) {
    it(`split every ${pieceSize} bytes`, async () => {
      const { items, error } = await drain(readAgentEvents(bodyOf(wire, pieceSize).body));
      expect(error).toBeUndefined();
      expect(items).toEqual(numbered);
    });
  }

  it('with CRLF line ends and ": ping" comments between events', async () => {
    const crlf = numbered.map((event) => `: ping\r\n\r\n${encodeSseEvent(event).replace(/\n/g, '\r\n')}`).join('');
    const { items, error } = await drain(readAgentEvents(bodyOf(crlf, 5).body));
    expect(error).toBeUndefined();
    expect(items).toEqual(numbered);
  });

  it('names each SSE event after its type', async () => {
    const { items } = await drain(readServerSentEvents(bodyOf(wire).body));
    expect(items.map((message) => message.event)).toEqual(everyEvent.map((event) => event.type));
    expect(items.map((message) => message.id)).toEqual(numbered.map(({ id }) => String(id)));
  });
});

describe('readAgentEvents: bad input', () => {
  const text = encodeSseEvent({ id: 1, event: { type: 'text', text: 'ok' } });

  it.each([
    ['not JSON', 'data: {oops\n\n', 'not-json'],
    ['an unknown type', 'data: {"type":"tool-result"}\n\n', 'unknown-shape'],
    ['a done without metrics', 'data: {"type":"done"}\n\n', 'unknown-shape'],
    ['a JSON array', 'data: [1]\n\n', 'unknown-shape'],
  ])('%s: the events before it, then a ProtocolError', async (_name, bad, reason) => {
    const after = encodeSseEvent({ id: 3, event: { type: 'text', text: 'never' } });
    const { body, seen } = bodyOf(text + bad + after, 8);
    const { items, error } = await drain(readAgentEvents(body));
    expect(items).toEqual([{ id: 1, event: { type: 'text', text: 'ok' } }]);
    expect(ProtocolError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ reason });
    expect(seen.cancelled).toBe(true);
  });

  it('an event over maxEventChars: the events before it, then too-large', async () => {
    const huge = `data: ${'x'.repeat(5000)}`;
    const { body, seen } = bodyOf(text + huge, 512);
    const { items, error } = await drain(readAgentEvents(body, { maxEventChars: 1000 }));
    expect(items).toHaveLength(1);
    expect(error).toMatchObject({ name: 'ProtocolError', reason: 'too-large' });
    expect(seen.cancelled).toBe(true);
  });

  it('an event without id, or with a non-numeric one, has id undefined', () => {
    const data = '{"type":"text","text":"x"}';
    expect(decodeSseEvent({ id: undefined, data })).toEqual({ id: undefined, event: { type: 'text', text: 'x' } });
    expect(decodeSseEvent({ id: 'abc', data }).id).toBeUndefined();
    expect(decodeSseEvent({ id: '-1', data }).id).toBeUndefined();
  });

  it('an error event of a kind this package does not know arrives as unknown, with its message', () => {
    const data = '{"type":"error","error":{"kind":"teapot","message":"short and stout"}}';
    expect(decodeSseEvent({ id: '4', data })).toEqual({
      id: 4,
      event: { type: 'error', error: { kind: 'unknown', message: 'short and stout' } },
    });
  });

  it('a failing read throws its own error, not a ProtocolError', async () => {
    const reset = new TypeError('terminated');
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(reset);
        sent = true;
        controller.enqueue(new TextEncoder().encode(text));
      },
    });
    const { items, error } = await drain(readAgentEvents(body));
    expect(items).toHaveLength(1);
    expect(error).toBe(reset);
  });

  it('leaving early cancels the body', async () => {
    const { body, seen } = bodyOf(wire, 16);
    for await (const _event of readAgentEvents(body)) break;
    expect(seen.cancelled).toBe(true);
  });

  it('a body that ends inside an event yields nothing for it', async () => {
    const { items, error } = await drain(readAgentEvents(bodyOf(`${text}id: 2\ndata: {"type":"text"`).body));
    expect(error).toBeUndefined();
    expect(items).toHaveLength(1);
  });
});
