import { describe, expect, it } from 'vitest';
import { createEventReader } from './event-reader.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** Feeds `reads` one by one, then ends the body: the payloads returned and whether `[DONE]` was seen. */
function readAll(reads: readonly Uint8Array[]) {
  const events = createEventReader('openai');
  const payloads: string[] = [];
  for (const read of reads) payloads.push(...events.feed(read));
  payloads.push(...events.end());
  return { payloads, done: events.sawDone() };
}

const body = 'data: {"a":"héllo"}\n\n: ping\n\ndata: {"c":"[DONE] inside"}\n\ndata: [DONE]\n\n';

describe('createEventReader (OpenAI Chat Completions)', () => {
  it('sees [DONE] wherever the body is split, and only as a whole payload', () => {
    const whole = bytes(body);
    const expected = { payloads: ['{"a":"héllo"}', '{"c":"[DONE] inside"}'], done: true };
    for (let cut = 1; cut < whole.byteLength; cut += 1) {
      expect(readAll([whole.slice(0, cut), whole.slice(cut)]), `cut at ${cut}`).toEqual(expected);
    }
    expect(readAll([bytes('data: {"text":"data: [DONE]"}\n\n')]).done).toBe(false);
  });

  it('data:[DONE] without the space and CRLF line ends count; nothing after [DONE] is returned', () => {
    expect(readAll([bytes('data: {"a":1}\r\n\r\ndata:[DONE]\r\n\r\ndata: {"late":true}\r\n\r\n')])).toEqual({
      payloads: ['{"a":1}'],
      done: true,
    });
  });

  it('a body that ends after a complete [DONE] line counts; one cut inside the marker does not', () => {
    expect(readAll([bytes('data: {"a":1}\n\ndata: [DONE]\n')])).toEqual({ payloads: ['{"a":1}'], done: true });
    expect(readAll([bytes('data: {"a":1}\n\ndata: [DO')])).toEqual({ payloads: ['{"a":1}'], done: false });
    expect(readAll([bytes('data: {"a":1}\n\ndata: [DONE]')]).done).toBe(false);
  });
});
