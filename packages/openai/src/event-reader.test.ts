import { LLMError } from '@rxllm/core';
import { describe, expect, it } from 'vitest';
import { createEventReader } from './event-reader.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** Feeds `reads` one by one, then ends the body; what the reader returned and whether it saw the terminator. */
function readAll(reads: readonly Uint8Array[], maxEventChars?: number) {
  const events = createEventReader('openai', maxEventChars);
  const payloads: string[] = [];
  for (const read of reads) payloads.push(...events.feed(read));
  events.end();
  return { payloads, done: events.sawDone(), error: events.error };
}

const body =
  'data: {"a":"héllo 😀"}\n\n: ping\n\nevent: x\ndata: {"b":1}\n\ndata: {"c":"[DONE] inside"}\n\ndata: [DONE]\n\n';

describe('createEventReader', () => {
  it('returns the same events wherever the body is split, down to every single byte', () => {
    const whole = bytes(body);
    const expected = ['{"a":"héllo 😀"}', '{"b":1}', '{"c":"[DONE] inside"}'];
    expect(readAll([whole])).toMatchObject({ payloads: expected, done: true });
    for (let cut = 1; cut < whole.byteLength; cut += 1) {
      expect(readAll([whole.slice(0, cut), whole.slice(cut)]), `cut at ${cut}`).toMatchObject({
        payloads: expected,
        done: true,
      });
    }
    expect(readAll([...whole].map((byte) => Uint8Array.of(byte)))).toMatchObject({ payloads: expected, done: true });
  });

  it('reads CRLF and CR line ends, and data:[DONE] without the space', () => {
    expect(readAll([bytes('data: {"a":1}\r\n\r\ndata:[DONE]\r\n\r\n')])).toMatchObject({
      payloads: ['{"a":1}'],
      done: true,
    });
    expect(readAll([bytes('data: {"a":1}\r\rdata: [DONE]\r\r')])).toMatchObject({ payloads: ['{"a":1}'], done: true });
  });

  it('[DONE] only counts as a whole payload, and nothing after it is returned', () => {
    expect(readAll([bytes('data: {"text":"data: [DONE]"}\n\n')])).toMatchObject({ done: false });
    expect(readAll([bytes('data: [DONE]\n\ndata: {"late":true}\n\n')])).toMatchObject({ payloads: [], done: true });
  });

  it('at the end of the body: a complete [DONE] line counts without its blank line, a cut event is dropped', () => {
    expect(readAll([bytes('data: {"a":1}\n\ndata: [DONE]\n')])).toMatchObject({ payloads: ['{"a":1}'], done: true });
    expect(readAll([bytes('data: {"a":1}\n\ndata: [DONE]')])).toMatchObject({ done: false });
    expect(readAll([bytes('data: {"a":1}\n\ndata: {"b":')])).toMatchObject({ payloads: ['{"a":1}'], done: false });
    expect(readAll([bytes('data: {"a":1}\n\ndata: {"b":2}\n')])).toMatchObject({ payloads: ['{"a":1}'], done: false });
  });

  it('an event longer than the limit is an error after the events before it, and the reader stops', () => {
    const events = createEventReader('openai', 100);
    expect(events.feed(bytes(`data: {"a":1}\n\ndata: "${'x'.repeat(200)}`))).toEqual(['{"a":1}']);
    expect(events.error).toBeInstanceOf(LLMError);
    expect(events.error).toMatchObject({ kind: 'network', provider: 'openai' });
    expect(events.error?.message).toBe('openai sent an event longer than 100 characters');
    expect(events.feed(bytes('"\n\ndata: [DONE]\n\n'))).toEqual([]);
    events.end();
    expect(events.sawDone()).toBe(false);
  });
});
