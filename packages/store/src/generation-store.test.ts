import { type RedisServer, startRedisServer } from '@rxllm/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventsExpiredError, type GenerationStore, type StoredEvent, StreamNotFoundError } from './generation-store.js';
import { MemoryGenerationStore } from './memory-generation-store.js';
import { RedisGenerationStore } from './redis-generation-store.js';

const event = (id: number, type = 'text'): StoredEvent => ({ id, type, data: JSON.stringify({ type, id }) });

async function collect(iterable: AsyncIterable<StoredEvent>): Promise<number[]> {
  const ids: number[] = [];
  for await (const each of iterable) ids.push(each.id);
  return ids;
}

let redisServer: RedisServer;
const clients: Redis[] = [];
beforeAll(async () => {
  redisServer = await startRedisServer();
});
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await redisServer.stop();
});

const implementations: Array<[string, () => { store: GenerationStore; other: GenerationStore }]> = [
  [
    'memory',
    () => {
      const store = new MemoryGenerationStore({ sweepIntervalMs: 0 });
      return { store, other: store };
    },
  ],
  [
    'redis',
    () => {
      const first = new Redis(redisServer.url);
      const second = new Redis(redisServer.url);
      clients.push(first, second);
      const prefix = `test${Math.random().toString(36).slice(2)}:`;
      return {
        store: new RedisGenerationStore(first, { prefix, blockMs: 200 }),
        other: new RedisGenerationStore(second, { prefix, blockMs: 200 }),
      };
    },
  ],
];

describe.each(implementations)('%s generation store', (_name, make) => {
  it('replays after an id, then follows live until the terminal event, with no gap or duplicate', async () => {
    const { store, other } = make();
    await store.create('s1');
    for (let id = 1; id <= 5; id++) await store.append('s1', event(id));
    const controller = new AbortController();
    const reading = collect(other.read('s1', 2, controller.signal));
    const follower = collect(other.read('s1', 0, controller.signal));
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let id = 6; id <= 9; id++) await store.append('s1', event(id));
    await store.append('s1', event(10, 'done'));
    expect(await reading).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await follower).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await collect(other.read('s1', 10, controller.signal))).toEqual([]);
    await store.close();
    await other.close();
  });

  it('keeps event payloads byte for byte', async () => {
    const { store, other } = make();
    await store.create('s2');
    const data = JSON.stringify({ type: 'text', text: 'ünï 🌍 "quoted"\n\u2028' });
    await store.append('s2', { id: 1, type: 'text', data });
    await store.append('s2', event(2, 'error'));
    const events: StoredEvent[] = [];
    for await (const each of other.read('s2', 0, new AbortController().signal)) events.push(each);
    expect(events[0]).toEqual({ id: 1, type: 'text', data });
    expect(events[1]?.type).toBe('error');
    await store.close();
    await other.close();
  });

  it('unknown streams are not found; aborting a follower ends it', async () => {
    const { store, other } = make();
    await expect(collect(other.read('missing', 0, new AbortController().signal))).rejects.toBeInstanceOf(
      StreamNotFoundError,
    );
    expect(await other.exists('missing')).toBe(false);
    await store.create('s3');
    await store.append('s3', event(1));
    const controller = new AbortController();
    const reading = collect(other.read('s3', 0, controller.signal));
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort();
    expect(await reading).toEqual([1]);
    await store.close();
    await other.close();
  });

  it('a cancel request reaches the handlers of every instance, only for running generations', async () => {
    const { store, other } = make();
    const cancelled: string[] = [];
    store.onCancelRequest((streamId) => cancelled.push(streamId));
    if (store instanceof RedisGenerationStore) await store.ready();
    await store.create('s4');
    expect(await other.requestCancel('s4')).toBe(true);
    expect(await other.requestCancel('nope')).toBe(false);
    await expect.poll(() => cancelled).toEqual(['s4']);
    await store.append('s4', event(1, 'done'));
    expect(await other.requestCancel('s4')).toBe(false);
    await store.close();
    await other.close();
  });

  it('a run message reaches the handlers of every instance, only for running generations, text intact', async () => {
    const { store, other } = make();
    const received: Array<[string, string]> = [];
    const cancelled: string[] = [];
    store.onRunMessage((streamId, message) => received.push([streamId, message]));
    store.onCancelRequest((streamId) => cancelled.push(streamId));
    if (store instanceof RedisGenerationStore) await store.ready();
    await store.create('s7');
    const decision = JSON.stringify({ toolCallId: 'call_1', approved: false, reason: 'nein "quoted" ✓' });
    expect(await other.sendToRun('s7', decision)).toBe(true);
    expect(await other.sendToRun('nope', decision)).toBe(false);
    await expect.poll(() => received).toEqual([['s7', decision]]);
    // The two channels stay apart: a message is not a cancel.
    expect(cancelled).toEqual([]);
    await store.append('s7', event(1, 'done'));
    expect(await other.sendToRun('s7', decision)).toBe(false);
    await store.close();
    await other.close();
  });

  it('a gap in the log (an append lost while the store was away) fails the reader at the gap, never silently', async () => {
    const { store, other } = make();
    await store.create('s6');
    await store.append('s6', event(1));
    await store.append('s6', event(2));
    await store.append('s6', event(5, 'done'));
    const ids: number[] = [];
    const reading = (async () => {
      for await (const each of other.read('s6', 0, new AbortController().signal)) ids.push(each.id);
    })();
    await expect(reading).rejects.toBeInstanceOf(EventsExpiredError);
    expect(ids).toEqual([1, 2]);
    await store.close();
    await other.close();
  });

  it('counts watchers across instances', async () => {
    const { store, other } = make();
    await store.create('s5');
    await store.attach('s5', 'a');
    await other.attach('s5', 'b');
    expect(await store.watchers('s5')).toBe(2);
    await other.detach('s5', 'b');
    expect(await store.watchers('s5')).toBe(1);
    await store.close();
    await other.close();
  });
});

describe('MemoryGenerationStore bounds', () => {
  it('expires 10k finished generations and stays bounded', async () => {
    let now = 0;
    const store = new MemoryGenerationStore({
      now: () => now,
      finishedTtlMs: 1000,
      sweepIntervalMs: 0,
      maxGenerations: 10_000,
    });
    for (let index = 0; index < 10_000; index++) {
      await store.create(`g${index}`);
      await store.append(`g${index}`, event(1));
      await store.append(`g${index}`, event(2, 'done'));
    }
    expect(store.size).toBe(10_000);
    // A full store evicts the oldest finished generation to make room.
    await store.create('extra');
    expect(store.size).toBe(10_000);
    expect(await store.exists('g0')).toBe(false);
    now = 1001;
    store.sweep();
    expect(store.size).toBe(1);
    expect(await store.exists('extra')).toBe(true);
    await store.close();
  });

  it('refuses new generations when full of running ones', async () => {
    const store = new MemoryGenerationStore({ maxGenerations: 2, sweepIntervalMs: 0 });
    await store.create('a');
    await store.create('b');
    await expect(store.create('c')).rejects.toThrow('running generations');
    await store.close();
  });

  it('drops the oldest events past the per-generation cap and says so to a reader who needs them', async () => {
    const store = new MemoryGenerationStore({ maxEventsPerGeneration: 3, sweepIntervalMs: 0 });
    await store.create('long');
    for (let id = 1; id <= 5; id++) await store.append('long', event(id));
    await store.append('long', event(6, 'done'));
    expect(await collect(store.read('long', 3, new AbortController().signal))).toEqual([4, 5, 6]);
    await expect(collect(store.read('long', 0, new AbortController().signal))).rejects.toThrow('no longer kept');
    await store.close();
  });
});
