import { describe, expect, it } from 'vitest';
import { escapeLineSeparators } from './escape-line-separators.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Feeds `pieces` through the transform as separate reads and returns everything it wrote, decoded. */
async function transformBytes(pieces: Uint8Array[]): Promise<Uint8Array> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      controller.close();
    },
  });
  const output: Uint8Array[] = [];
  const reader = source.pipeThrough(escapeLineSeparators()).getReader();
  for (let result = await reader.read(); !result.done; result = await reader.read()) output.push(result.value);
  const joined = new Uint8Array(output.reduce((total, piece) => total + piece.length, 0));
  let offset = 0;
  for (const piece of output) {
    joined.set(piece, offset);
    offset += piece.length;
  }
  return joined;
}

async function transform(pieces: Uint8Array[]): Promise<{ text: string }> {
  return { text: decoder.decode(await transformBytes(pieces)) };
}

const modelText = 'a\u2028b\u2029c é😀 \u2028\u2029 \u2027\u202a end\u2028';
const event = `data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text: modelText }] } }] })}\r\n\r\n`;
const bytes = encoder.encode(event);
const expected = event.replaceAll('\u2028', '\\u2028').replaceAll('\u2029', '\\u2029');

describe('escapeLineSeparators', () => {
  it('turns raw U+2028/U+2029 into JSON escapes, so the JSON still parses to the same text', async () => {
    const { text } = await transform([bytes]);
    expect(text).toBe(expected);
    expect(text).not.toMatch(/[\u2028\u2029]/);
    // The SDK's own event regex now matches, and the payload means exactly what it meant before.
    const match = /^data: (.*)(?:\n\n|\r\r|\r\n\r\n)/.exec(text);
    expect(JSON.parse(match?.[1] ?? 'null').candidates[0].content.parts[0].text).toBe(modelText);
  });

  it('gives the same bytes when the body is split in two at every byte offset', async () => {
    for (let offset = 0; offset <= bytes.length; offset += 1) {
      const { text } = await transform([bytes.subarray(0, offset), bytes.subarray(offset)]);
      expect(text, `split at byte ${offset}`).toBe(expected);
    }
  });

  it('gives the same bytes when every read is a single byte', async () => {
    const { text } = await transform(Array.from(bytes, (byte) => Uint8Array.of(byte)));
    expect(text).toBe(expected);
  });

  it('leaves other characters that start with E2 alone, also at the end of a read and at the end of the body', async () => {
    const lookalikes = encoder.encode('\u2027\u202a\u20ac\u2013');
    const { text } = await transform(Array.from(lookalikes, (byte) => Uint8Array.of(byte)));
    expect(text).toBe('\u2027\u202a\u20ac\u2013');
    // A body cut after `E2 80` hands those bytes on unchanged rather than losing them.
    expect([...(await transformBytes([encoder.encode('x'), Uint8Array.of(0xe2, 0x80)]))]).toEqual([0x78, 0xe2, 0x80]);
    expect([...(await transformBytes([Uint8Array.of(0xe2)]))]).toEqual([0xe2]);
  });

  it('passes a read without separators through without copying it', async () => {
    const plain = encoder.encode('data: {"a":"no separators here"}\r\n\r\n');
    const reader = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(plain);
        controller.close();
      },
    })
      .pipeThrough(escapeLineSeparators())
      .getReader();
    const first = await reader.read();
    expect(first.value).toBe(plain);
  });
});
