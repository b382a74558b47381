import type { NumberedEvent } from '@rxllm/protocol';
import { describe, expect, it } from 'vitest';
import { OutboundQueue } from './outbound-queue.js';

function harness(options: { maxBufferedBytes?: number; graceMs?: number } = {}) {
  let buffered = 0;
  let now = 0;
  const written: NumberedEvent[] = [];
  let dropped = 0;
  const queue = new OutboundQueue(
    {
      bufferedBytes: () => buffered,
      write: (text) => {
        written.push(JSON.parse(text));
        buffered += text.length;
      },
    },
    {
      encode: (event) => JSON.stringify(event),
      lowWaterBytes: 100,
      maxBufferedBytes: options.maxBufferedBytes ?? 10_000,
      graceMs: options.graceMs ?? 1_000,
      onSlowConsumer: () => {
        dropped += 1;
      },
      pollMs: 60_000,
      now: () => now,
    },
  );
  return {
    queue,
    written,
    drain: () => {
      buffered = 0;
      queue.flush();
    },
    setBuffered: (bytes: number) => {
      buffered = bytes;
    },
    advance: (ms: number) => {
      now += ms;
    },
    dropped: () => dropped,
  };
}

const text = (id: number, value: string): NumberedEvent => ({ id, event: { type: 'text', text: value } });

describe('OutboundQueue', () => {
  it('writes straight through while the socket is not busy', () => {
    const test = harness();
    test.queue.push(text(1, 'a'));
    expect(test.written).toEqual([text(1, 'a')]);
  });

  it('coalesces consecutive text while busy, keeps order and the later id', () => {
    const test = harness();
    test.setBuffered(500);
    test.queue.push(text(1, 'a'));
    test.queue.push(text(2, 'b'));
    test.queue.push({ id: 3, event: { type: 'usage', usage: { outputTokens: 2 } } });
    test.queue.push(text(4, 'c'));
    test.queue.push(text(5, 'd'));
    expect(test.written).toEqual([]);
    expect(test.queue.coalesced).toBe(2);
    test.drain();
    test.drain();
    test.drain();
    expect(test.written).toEqual([
      text(2, 'ab'),
      { id: 3, event: { type: 'usage', usage: { outputTokens: 2 } } },
      text(5, 'cd'),
    ]);
    test.queue.dispose();
  });

  it('drops a client that stays over the cap past the grace time, and only then', () => {
    const test = harness({ maxBufferedBytes: 1_000, graceMs: 500 });
    test.setBuffered(900);
    test.queue.push(text(1, 'x'.repeat(200)));
    expect(test.dropped()).toBe(0);
    test.advance(499);
    test.queue.flush();
    expect(test.dropped()).toBe(0);
    test.advance(1);
    test.queue.flush();
    expect(test.dropped()).toBe(1);
    expect(test.queue.isDropped).toBe(true);
    test.queue.push(text(2, 'ignored'));
    expect(test.queue.pendingBytes).toBe(0);
  });

  it('drops at once past twice the cap, so memory stays bounded even within the grace time', () => {
    const test = harness({ maxBufferedBytes: 1_000, graceMs: 60_000 });
    test.setBuffered(500);
    for (let id = 1; id <= 30; id += 1) test.queue.push(text(id, 'y'.repeat(100)));
    expect(test.dropped()).toBe(1);
    expect(test.queue.pendingBytes).toBe(0);
  });

  it('a client that catches up within the grace time is kept', () => {
    const test = harness({ maxBufferedBytes: 1_000, graceMs: 500 });
    test.setBuffered(1_200);
    test.queue.push(text(1, 'z'));
    test.advance(400);
    test.drain();
    test.advance(400);
    test.queue.flush();
    expect(test.dropped()).toBe(0);
    expect(test.written.map((event) => event.id)).toEqual([1]);
  });

  it('whenFlushed resolves once everything is handed to the socket', async () => {
    const test = harness();
    test.setBuffered(500);
    test.queue.push(text(1, 'late'));
    let flushed = false;
    const waiting = test.queue.whenFlushed().then(() => {
      flushed = true;
    });
    await Promise.resolve();
    expect(flushed).toBe(false);
    test.drain();
    await waiting;
    expect(flushed).toBe(true);
  });

  it('keeps its byte count exact through many merges and partial flushes', () => {
    // What the queue charges for one event: UTF-8 bytes of its text plus a fixed overhead, measured on the whole
    // (merged) text as it reaches the socket.
    const sizeOfWritten = (event: NumberedEvent) =>
      event.event.type === 'text' ? Buffer.byteLength(event.event.text) + 64 : 256;
    const pieces = ['a', 'é', '€', '\u{1F600}', '\ud83d', '\ude00', '', 'xyz'];
    const test = harness({ maxBufferedBytes: 1 << 30 });
    let id = 0;
    let next = 7;
    let pushedText = '';
    for (let round = 0; round < 40; round += 1) {
      test.setBuffered(500);
      for (let step = 0; step < 250; step += 1) {
        next = (next * 1_103_515_245 + 12_345) % 2_147_483_648;
        id += 1;
        if ((next >>> 16) % 50 === 0) test.queue.push({ id, event: { type: 'usage', usage: { outputTokens: id } } });
        else {
          const piece = pieces[(next >>> 8) % pieces.length] as string;
          pushedText += piece;
          test.queue.push(text(id, piece));
        }
      }
      const before = test.queue.pendingBytes;
      const writtenBefore = test.written.length;
      test.drain();
      const flushed = test.written.slice(writtenBefore).reduce((sum, event) => sum + sizeOfWritten(event), 0);
      expect(test.queue.pendingBytes).toBe(before - flushed);
    }
    const before = test.queue.pendingBytes;
    const writtenBefore = test.written.length;
    for (let attempt = 0; attempt < 10_000 && test.queue.pendingBytes > 0; attempt += 1) test.drain();
    const rest = test.written.slice(writtenBefore).reduce((sum, event) => sum + sizeOfWritten(event), 0);
    expect(rest).toBe(before);
    expect(test.queue.pendingBytes).toBe(0);
    expect(test.queue.coalesced).toBeGreaterThan(9_000);
    const allText = test.written.map((event) => (event.event.type === 'text' ? event.event.text : '')).join('');
    expect(allText).toBe(pushedText);
    expect(test.written.at(-1)?.id).toBe(id);
  });

  it('counts a surrogate pair split across two merged events as the one character it becomes', () => {
    const test = harness();
    test.setBuffered(500);
    test.queue.push(text(1, 'a\ud83d'));
    test.queue.push(text(2, ''));
    test.queue.push(text(3, '\ude00b'));
    expect(test.queue.pendingBytes).toBe(Buffer.byteLength('a\u{1F600}b') + 64);
    test.drain();
    expect(test.written).toEqual([text(3, 'a\u{1F600}b')]);
    expect(test.queue.pendingBytes).toBe(0);
  });
});
