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

  it('sees the terminator whatever the read boundaries: split at every byte, in one-byte reads, CRLF or LF', async () => {
    for (const marker of ['data: [DONE]', 'data:[DONE]']) {
      for (const lineEnd of ['\n', '\r\n', '\r']) {
        const body = `data: {"a":1}${lineEnd}${lineEnd}${marker}${lineEnd}${lineEnd}`;
        for (let split = 0; split <= body.length; split += 1) {
          const result = await pass([body.slice(0, split), body.slice(split)]);
          expect({ split, ...result }).toEqual({ split, text: body, sawDone: true });
        }
        expect((await pass([...body])).sawDone).toBe(true);
      }
    }
  });

  it('waits for the marker line to end, also when the line end comes in a later read', async () => {
    expect((await pass(['data: {}\n\ndata: [DONE]', ' trailing text', '\n'])).sawDone).toBe(true);
    expect((await pass(['data: {}\n\ndata: [DONE]', ' trailing text'])).sawDone).toBe(false);
    expect((await pass(['data: [DONE]\n'])).sawDone).toBe(true);
  });

  it('recognises the marker anywhere in a read with many events, and ignores what follows it', async () => {
    const events = Array.from({ length: 50 }, (_, index) => `data: {"n":${index},"list":["[DONE]"]}\n\n`).join('');
    expect((await pass([`${events}data: [DONE]\n\ndata: {"late":true}\n\n`])).sawDone).toBe(true);
    expect((await pass([events])).sawDone).toBe(false);
  });

  it('does not take a near miss for the marker', async () => {
    for (const line of [
      'data:  [DONE]',
      'data [DONE]',
      ' data: [DONE]',
      'xdata: [DONE]',
      'event: [DONE]',
      'data: [DONE',
      'data: {"text":"[DONE]"}',
      ': data: [DONE]',
    ]) {
      const result = await pass([`data: {}\n\n${line}\n\n`]);
      expect({ line, sawDone: result.sawDone }).toEqual({ line, sawDone: false });
    }
  });

  it('agrees with a byte-by-byte reading of the lines on random bodies cut at random places', async () => {
    // The reference: split the whole body into lines at CR or LF, a complete line starting with the marker counts.
    const reference = (body: string) =>
      body
        .split(/[\r\n]/)
        .slice(0, -1)
        .some((line) => /^data: ?\[DONE\]/.test(line));
    const pieces = ['data: [DONE]', 'data:[DONE]', 'data: ', 'data:', '[DONE]', '[DO', 'NE]', '{"a":1}', '\n', '\r'];
    pieces.push('\r\n', '\n\n', ' ', 'x', 'd', ':');
    let seed = 20261125;
    const random = (below: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return Math.floor(seed / 65_536) % below;
    };
    let seen = 0;
    for (let round = 0; round < 1_000; round += 1) {
      let body = '';
      for (let count = random(12); count > 0; count -= 1) body += pieces[random(pieces.length)];
      const reads: string[] = [];
      for (let start = 0; start < body.length; ) {
        const length = 1 + random(6);
        reads.push(body.slice(start, start + length));
        start += length;
      }
      const expected = reference(body);
      if (expected) seen += 1;
      const result = await pass(reads);
      expect({ body, reads, ...result }).toEqual({ body, reads, text: body, sawDone: expected });
    }
    // Both outcomes occur, so the comparison tested something either way.
    expect(seen).toBeGreaterThan(100);
    expect(seen).toBeLessThan(900);
  });

  it('passes a long body that never has a line end through with bounded state', async () => {
    const piece = 'x'.repeat(64 * 1024);
    const reads = Array.from({ length: 64 }, () => piece);
    const result = await pass([...reads, '\ndata: [DONE]\n']);
    expect(result.text.length).toBe(64 * piece.length + 14);
    expect(result.sawDone).toBe(true);
  });

  it('cancelling the watched body cancels the source with the same reason', async () => {
    let cancelledWith: unknown;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('data: {}\n\n'));
      },
      cancel(reason) {
        cancelledWith = reason;
      },
    });
    const reader = watchDoneMarker(source).body.getReader();
    await reader.read();
    await reader.cancel('stop');
    expect(cancelledWith).toBe('stop');
  });

  it('a source error reaches the reader of the watched body', async () => {
    const failure = new Error('socket hang up');
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: {}\n\n'));
      },
      pull(controller) {
        controller.error(failure);
      },
    });
    const reader = watchDoneMarker(source).body.getReader();
    expect((await reader.read()).done).toBe(false);
    await expect(reader.read()).rejects.toBe(failure);
  });
});
