import { type RedisServer, startRedisServer } from '@rxllm/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryChatStreams, redisChatStreams } from './chat-streams.js';

const stream = (n: number) => ({ streamId: `s${n}`, messageId: `msg_s${n}` });

describe('memoryChatStreams', () => {
  it('keeps the newest stream per chat, at most maxChats chats (the oldest go first), each until its TTL', async () => {
    let now = 0;
    const chats = memoryChatStreams(2, 1_000, () => now);
    await chats.set('a', stream(1));
    await chats.set('a', stream(2));
    await chats.set('b', stream(3));
    expect(await chats.get('a')).toEqual(stream(2));
    await chats.set('c', stream(4));
    expect(await chats.get('a')).toBeUndefined();
    expect(await chats.get('b')).toEqual(stream(3));
    now = 1_000;
    expect(await chats.get('c')).toBeUndefined();
  });
});

describe('redisChatStreams on a real Redis', () => {
  let server: RedisServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it('two agents on one Redis see each other’s chats; each key has the TTL; junk reads as none', async () => {
    const second = new Redis(server.url);
    try {
      const one = redisChatStreams(redis, 60_000);
      const other = redisChatStreams(second, 60_000);
      await one.set('chat-x', stream(7));
      expect(await other.get('chat-x')).toEqual(stream(7));
      const ttl = await redis.pttl('rxllm:chat:chat-x');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
      await redis.set('rxllm:chat:bad', 'not json');
      expect(await other.get('bad')).toBeUndefined();
      expect(await other.get('never')).toBeUndefined();
    } finally {
      second.disconnect();
    }
  });
});
