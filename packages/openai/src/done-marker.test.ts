import { describe, expect, it } from 'vitest';
import { watchDoneMarker } from './done-marker.js';

async function pass(pieces: string[]): Promise<{ text: string; sawDone: boolean }> {
  const encoder = new TextEncoder();
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(encoder.encode(piece));
      controller.close();
    },
  });
  const watch = watchDoneMarker(source);
  const text = await new Response(watch.body).text();
  return { text, sawDone: watch.sawDone() };
}

describe('watchDoneMarker', () => {
  it('passes the bytes through unchanged and sees the terminator', async () => {
    const body = 'data: {"a":1}\n\ndata: [DONE]\n\n';
    expect(await pass([body])).toEqual({ text: body, sawDone: true });
  });

  it('sees a terminator split across reads, with CRLF and without the space', async () => {
    expect((await pass(['data: {}\r\n\r\nda', 'ta:[DO', 'NE]\r\n\r\n'])).sawDone).toBe(true);
  });

  it('does not see a stream that ends without it', async () => {
    expect((await pass(['data: {"choices":[]}\n\n'])).sawDone).toBe(false);
  });

  it('ignores [DONE] inside a payload and a terminator without its line end', async () => {
    expect((await pass(['data: {"content":"data: [DONE]"}\n\n', 'data: [DONE]'])).sawDone).toBe(false);
  });
});
