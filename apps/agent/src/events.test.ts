import { describe, expect, it } from 'vitest';
import { encodeSseEvent, encodeWebSocketFrame, toJsonLine } from './events.js';

describe('event encoding', () => {
  it('SSE: id, event and one data line, whatever the text holds', () => {
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

  it('toJsonLine escapes U+2028/U+2029 and stays valid JSON', () => {
    const line = toJsonLine({ value: 'a\u2028b\u2029c' });
    expect(line).toBe('{"value":"a\\u2028b\\u2029c"}');
    expect(JSON.parse(line)).toEqual({ value: 'a\u2028b\u2029c' });
  });

  it('WebSocket frames carry the sequence id; a start chunk keeps its vendor id as responseId', () => {
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
});
