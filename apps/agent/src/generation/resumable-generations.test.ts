import { randomUUID } from 'node:crypto';
import type { Chunk } from '@rxllm/core';
import { MemoryGenerationStore } from '@rxllm/store';
import pino from 'pino';
import { firstValueFrom, of, Subject, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../http/errors.js';
import { generate } from './generate.js';
import { ResumableGenerations } from './resumable-generations.js';

const logger = pino({ level: 'silent' });

function chunks(count: number): Chunk[] {
  return [
    { type: 'start', provider: 'test', model: 'test-1', id: 'r1' } as Chunk,
    ...Array.from({ length: count }, (_, index) => ({ type: 'text', text: `t${index} ` }) as Chunk),
    { type: 'finish', reason: 'stop', rawReason: 'stop' } as Chunk,
  ];
}

async function runOne(generations: ResumableGenerations, textChunks = 3): Promise<string> {
  const streamId = randomUUID();
  const run = await generations.start(streamId, generate({ source: of(...chunks(textChunks)), streamId }));
  run.live.subscribe();
  await run.finished;
  return streamId;
}

describe('ResumableGenerations on the memory store', () => {
  it('stays bounded after 10,000+ finished generations, and expiry empties it', async () => {
    let clock = 1_000_000;
    const store = new MemoryGenerationStore({
      maxGenerations: 10_000,
      finishedTtlMs: 60_000,
      sweepIntervalMs: 0,
      now: () => clock,
    });
    const generations = new ResumableGenerations({ store, graceMs: 30_000, watcherTtlMs: 30_000, logger });
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const ids: string[] = [];
    for (let index = 0; index < 12_000; index++) {
      ids.push(await runOne(generations));
      clock += 1;
    }
    expect(store.size).toBe(10_000);
    expect(generations.running).toBe(0);
    // The oldest finished ones made room: resuming them is a clean not-found, the newest replay in full.
    const evicted = await firstValueFrom(generations.follow(ids[0] as string, 0).events.pipe(toArray()));
    expect(evicted).toMatchObject([
      { event: { type: 'error', error: { kind: 'not-found' } }, failure: { status: 404 } },
    ]);
    const newest = await firstValueFrom(generations.follow(ids.at(-1) as string, 0).events.pipe(toArray()));
    expect(newest.map((event) => event.event.type)).toEqual(['start', 'text', 'text', 'text', 'finish', 'done']);
    const heapFull = process.memoryUsage().heapUsed;
    clock += 61_000;
    store.sweep();
    expect(store.size).toBe(0);
    global.gc?.();
    console.log(
      `10,000 kept of 12,000 finished generations: heap ${((heapFull - heapBefore) / 1e6).toFixed(1)} MB over the start; after expiry ${store.size} kept`,
    );
    await generations.close(new HttpError({ kind: 'shutdown', message: 'test over' }));
    await store.close();
  }, 30_000);

  it('a resume from before the kept events is a 410 (not a silent gap)', async () => {
    const store = new MemoryGenerationStore({ maxEventsPerGeneration: 5, sweepIntervalMs: 0 });
    const generations = new ResumableGenerations({ store, graceMs: 30_000, watcherTtlMs: 30_000, logger });
    const streamId = await runOne(generations, 20);
    const early = await firstValueFrom(generations.follow(streamId, 2).events.pipe(toArray()));
    expect(early).toMatchObject([{ event: { type: 'error', error: { kind: 'not-found' } }, failure: { status: 410 } }]);
    const late = await firstValueFrom(generations.follow(streamId, 20).events.pipe(toArray()));
    expect(late.map((event) => event.id)).toEqual([21, 22, 23]);
    await store.close();
  });

  it('logs each event as {id, type, data} with data exactly the SSE data JSON', async () => {
    const store = new MemoryGenerationStore({ sweepIntervalMs: 0 });
    const generations = new ResumableGenerations({ store, graceMs: 30_000, watcherTtlMs: 30_000, logger });
    const streamId = await runOne(generations, 1);
    const stored = [];
    for await (const event of store.read(streamId, 0, new AbortController().signal)) stored.push(event);
    expect(stored[1]).toEqual({ id: 2, type: 'text', data: '{"type":"text","text":"t0 "}' });
    expect(JSON.parse(stored[0]?.data ?? '{}')).toMatchObject({ type: 'start', streamId });
    expect(stored.at(-1)?.type).toBe('done');
    await store.close();
  });

  it("a follower stopped by its own instance's shutdown gets an error event with the last id it received", async () => {
    const store = new MemoryGenerationStore({ sweepIntervalMs: 0 });
    const generations = new ResumableGenerations({ store, graceMs: 30_000, watcherTtlMs: 30_000, logger });
    const source = new Subject<Chunk>();
    const streamId = randomUUID();
    const run = await generations.start(streamId, generate({ source, streamId }));
    run.live.subscribe();
    const follower = generations.follow(streamId, 0);
    const received: Array<{ id: number; type: string }> = [];
    follower.events.subscribe(({ id, event }) => received.push({ id, type: event.type }));
    source.next(chunks(0)[0] as Chunk);
    source.next({ type: 'text', text: 'a' } as Chunk);
    await new Promise((resolve) => setTimeout(resolve, 20));
    follower.stop(new HttpError({ kind: 'shutdown', message: 'stopping' }));
    expect(received).toEqual([
      { id: 1, type: 'start' },
      { id: 2, type: 'text' },
      { id: 2, type: 'error' },
    ]);
    // The generation itself runs on for everyone else.
    source.next({ type: 'text', text: 'b' } as Chunk);
    source.complete();
    await run.finished;
    const all = [];
    for await (const event of store.read(streamId, 0, new AbortController().signal)) all.push(event.type);
    expect(all).toEqual(['start', 'text', 'text', 'done']);
    await store.close();
  });
});
