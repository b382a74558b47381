import { describe, expect, it } from 'vitest';
import { LLMError } from './errors.js';
import { fromAbortableBatches } from './from-abortable.js';
import { createSseReader, readEventBatches, type SseEvent } from './sse-reader.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** Feeds `reads` one by one and ends the body: the events of the reads, and those end() added. */
function readAll(reads: readonly Uint8Array[], maxEventChars?: number) {
  const reader = createSseReader({ provider: 'vendor', ...(maxEventChars === undefined ? {} : { maxEventChars }) });
  const events: SseEvent[] = [];
  for (const read of reads) events.push(...reader.feed(read));
  return { events, atEnd: reader.end(), error: reader.error };
}

const body = 'data: {"a":"héllo 😀"}\n\n: ping\n\nevent: delta\ndata: line one\ndata: line two\n\nid: 7\ndata: x\n\n';
const expected: SseEvent[] = [
  { event: undefined, data: '{"a":"héllo 😀"}' },
  { event: 'delta', data: 'line one\nline two' },
  { event: undefined, data: 'x' },
];

describe('createSseReader', () => {
  it('returns the same events wherever the body is split, down to every single byte', () => {
    const whole = bytes(body);
    expect(readAll([whole])).toEqual({ events: expected, atEnd: [], error: undefined });
    for (let cut = 1; cut < whole.byteLength; cut += 1) {
      expect(readAll([whole.slice(0, cut), whole.slice(cut)]).events, `cut at ${cut}`).toEqual(expected);
    }
    expect(readAll([...whole].map((byte) => Uint8Array.of(byte))).events).toEqual(expected);
  });

  it('reads CRLF and CR line ends (a final CR waits for the next byte or the end of the body: it may start a CRLF)', () => {
    const all = (text: string) => {
      const { events, atEnd } = readAll([bytes(text)]);
      return [...events, ...atEnd];
    };
    const lf = all('event: a\ndata: 1\n\ndata: 2\n\n');
    expect(lf).toHaveLength(2);
    expect(all('event: a\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n')).toEqual(lf);
    expect(all('event: a\rdata: 1\r\rdata: 2\r\r')).toEqual(lf);
  });

  it('at the end of the body, end() returns an event whose last line was complete; a cut line is dropped', () => {
    expect(readAll([bytes('data: 1\n\ndata: 2\n')])).toMatchObject({
      events: [{ data: '1' }],
      atEnd: [{ data: '2' }],
    });
    expect(readAll([bytes('data: 1\n\ndata: {"cut":')])).toMatchObject({ events: [{ data: '1' }], atEnd: [] });
  });

  it('an event that grows past the limit is an error after the events before it, and the reader stops', () => {
    const reader = createSseReader({ provider: 'vendor', maxEventChars: 100 });
    expect(reader.feed(bytes(`data: 1\n\ndata: "${'x'.repeat(200)}`))).toEqual([{ event: undefined, data: '1' }]);
    expect(reader.error).toBeInstanceOf(LLMError);
    expect(reader.error).toMatchObject({ kind: 'network', provider: 'vendor' });
    expect(reader.error?.message).toBe('vendor sent an event longer than 100 characters');
    expect(reader.feed(bytes('"\n\ndata: 2\n\n'))).toEqual([]);
    expect(reader.end()).toEqual([]);
  });

  it('a long event that arrives in many reads is fine under the limit', () => {
    const data = 'y'.repeat(5_000);
    const whole = bytes(`data: ${data}\n\n`);
    const reads = [];
    for (let offset = 0; offset < whole.byteLength; offset += 64) reads.push(whole.slice(offset, offset + 64));
    expect(readAll(reads, 6_000).events).toEqual([{ event: undefined, data }]);
  });
});

/** A body delivering `reads` one per `read()`. */
function bodyOf(reads: readonly string[]): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream({
    pull(controller) {
      if (index < reads.length) controller.enqueue(bytes(reads[index++]!));
      else controller.close();
    },
  });
}

async function collect<T>(batches: AsyncGenerator<T[]>): Promise<{ batches: T[][]; error: unknown }> {
  const seen: T[][] = [];
  try {
    for await (const batch of batches) seen.push(batch);
  } catch (error) {
    return { batches: seen, error };
  }
  return { batches: seen, error: undefined };
}

describe('readEventBatches', () => {
  it('yields one batch per read with what map made of its events; reads with nothing are skipped', async () => {
    const body = bodyOf(['data: 1\n\ndata: 2\n\n', ': ping\n\n', 'data: 3\n', '\ndata: 4\n']);
    const result = await collect(
      readEventBatches(body, createSseReader({ provider: 'vendor' }), ({ data }) => [Number(data), Number(data) * 10]),
    );
    // The last event has no blank line after it: end() still hands it over.
    expect(result).toEqual({
      batches: [
        [1, 10, 2, 20],
        [3, 30],
        [4, 40],
      ],
      error: undefined,
    });
  });

  it('when map throws, the items of the events before it come first, then the error', async () => {
    const body = bodyOf(['data: 1\n\ndata: bad\n\ndata: 3\n\n', 'data: 4\n\n']);
    const result = await collect(
      readEventBatches(body, createSseReader({ provider: 'vendor' }), ({ data }) => {
        if (data === 'bad') throw new SyntaxError('bad event');
        return [data];
      }),
    );
    expect(result.batches).toEqual([['1']]);
    expect(result.error).toBeInstanceOf(SyntaxError);
  });

  it("throws the splitter's error (an event over its limit) after the items before it", async () => {
    const body = bodyOf([`data: 1\n\ndata: ${'x'.repeat(100)}`, '\n\n']);
    const result = await collect(
      readEventBatches(body, createSseReader({ provider: 'vendor', maxEventChars: 50 }), ({ data }) => [data]),
    );
    expect(result.batches).toEqual([['1']]);
    expect(result.error).toMatchObject({ kind: 'network', message: 'vendor sent an event longer than 50 characters' });
  });
});

describe('readEventBatches: a read far larger than a slice (a backlog)', () => {
  const events = (count: number, text = 'é中😀') =>
    Array.from({ length: count }, (_, index) => `data: ${index} ${text}\n\n`).join('');

  it('is parsed slice by slice: every event once, in order, no batch over maxSliceBytes worth of events', async () => {
    const whole = events(20_000);
    const sliceBytes = 1_000;
    const result = await collect(
      readEventBatches(bodyOf([whole]), createSseReader({ provider: 'vendor' }), ({ data }) => [data], {
        maxSliceBytes: sliceBytes,
      }),
    );
    expect(result.error).toBeUndefined();
    expect(result.batches.flat()).toEqual(Array.from({ length: 20_000 }, (_, index) => `${index} é中😀`));
    // A slice completes the event it ends inside of plus as many whole events as it holds, at most.
    const smallestEvent = bytes(events(1)).byteLength;
    expect(Math.max(...result.batches.map((batch) => batch.length))).toBeLessThanOrEqual(
      Math.floor(sliceBytes / smallestEvent) + 1,
    );
    expect(result.batches.length).toBeGreaterThanOrEqual(Math.floor(bytes(whole).byteLength / sliceBytes));
  });

  it('keeps multi-byte characters whole wherever a slice boundary falls', async () => {
    const whole = events(500);
    for (const sliceBytes of [1, 2, 3, 7]) {
      const result = await collect(
        readEventBatches(bodyOf([whole]), createSseReader({ provider: 'vendor' }), ({ data }) => [data], {
          maxSliceBytes: sliceBytes,
        }),
      );
      expect(result.batches.flat(), `slices of ${sliceBytes}`).toEqual(
        Array.from({ length: 500 }, (_, index) => `${index} é中😀`),
      );
    }
  });

  it('relayed by fromAbortableBatches, lets the event loop run between slices: a setImmediate queued before runs', async () => {
    const whole = events(40_000); // about 1.2 MB in one read
    const seen: string[] = [];
    let seenWhenTimerRan: number | undefined;
    setImmediate(() => {
      seenWhenTimerRan = seen.length;
    });
    await new Promise<void>((resolve, reject) =>
      fromAbortableBatches(() =>
        readEventBatches(bodyOf([whole]), createSseReader({ provider: 'vendor' }), ({ data }) => [data]),
      ).subscribe({ next: (data) => seen.push(data), error: reject, complete: resolve }),
    );
    expect(seen).toEqual(Array.from({ length: 40_000 }, (_, index) => `${index} é中😀`));
    expect(seenWhenTimerRan).toBeGreaterThan(0);
    expect(seenWhenTimerRan).toBeLessThan(seen.length);
  });

  it('never waits for the event loop itself: small reads cost no macrotask', async () => {
    let turns = 0;
    let counting = true;
    const count = () => {
      if (!counting) return;
      turns += 1;
      setImmediate(count);
    };
    setImmediate(count);
    const reads = Array.from({ length: 50 }, (_, index) => `data: ${index}\n\n`);
    const result = await collect(
      readEventBatches(bodyOf(reads), createSseReader({ provider: 'vendor' }), ({ data }) => [Number(data)]),
    );
    counting = false;
    expect(result.batches.flat()).toEqual(Array.from({ length: 50 }, (_, index) => index));
    expect(turns).toBe(0);
  });

  it('stops after the slice in hand when the consumer returns: the rest of the read is not parsed', async () => {
    let mapped = 0;
    const batches = readEventBatches(
      bodyOf([events(10_000)]),
      createSseReader({ provider: 'vendor' }),
      ({ data }) => {
        mapped += 1;
        return [data];
      },
      { maxSliceBytes: 300 },
    );
    const first = await batches.next();
    expect(first.done).toBe(false);
    await batches.return(undefined);
    expect(mapped).toBeLessThan(100);
  });
});
