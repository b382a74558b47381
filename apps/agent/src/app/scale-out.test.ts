import { type MockUpstream, mockUpstream, type RedisServer, startRedisServer } from '@rxllm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type AgentProcess, startAgentProcess } from '../test-agent-process.js';
import { containsNoKey, markerKeys, postJson, readSse } from '../test-helpers.js';
import { idsOf, range, resume, slowScript, startAndCut, textOf } from '../test-resume.js';

// Two agent processes on two ports share one redis-server; every provider points at one mock upstream.
let redis: RedisServer;
let upstream: MockUpstream;
let agentA: AgentProcess;
let agentB: AgentProcess;

beforeAll(async () => {
  [redis, upstream] = await Promise.all([startRedisServer(), mockUpstream()]);
  const env = {
    LLM_PROVIDER: 'openai',
    ...markerKeys,
    OPENAI_BASE_URL: upstream.baseURLs.openai,
    ANTHROPIC_BASE_URL: upstream.baseURLs.anthropic,
    GEMINI_BASE_URL: upstream.baseURLs.gemini,
    MAX_RETRIES: '0',
    RESUMABLE_STREAMS: 'true',
    RESUME_GRACE_MS: '300',
    REDIS_URL: redis.url,
  };
  [agentA, agentB] = await Promise.all([startAgentProcess(env), startAgentProcess(env)]);
}, 30_000);

afterAll(async () => {
  await Promise.all([agentA?.stop(), agentB?.stop()]);
  await Promise.all([upstream?.close(), redis?.stop()]);
  const logs = [...(agentA?.output ?? []), ...(agentB?.output ?? [])].join('');
  expect(containsNoKey(logs)).toBe(true);
  expect(logs).not.toContain(redis?.url ?? 'unset');
});

describe('two agents sharing one Redis', () => {
  it('both are ready and report the Redis store', async () => {
    for (const agent of [agentA, agentB]) {
      expect((await fetch(`${agent.url}/readyz`)).status).toBe(200);
      expect(agent.output.join('')).toContain('Resumable streams on (redis store)');
    }
  });

  for (const provider of ['openai', 'anthropic', 'gemini']) {
    it(`${provider}: start on A, cut after 12 events, resume on B with Last-Event-ID → exactly the rest`, async () => {
      upstream.reset();
      const { script, text } = slowScript(60, 10);
      upstream.enqueue(script);
      const { streamId, events } = await startAndCut(agentA.url, { message: 'story', provider }, 12);
      expect(idsOf(events)).toEqual(range(1, 12));
      const resumed = await resume(agentB.url, streamId, { lastEventId: 12 });
      expect(resumed.status).toBe(200);
      const ids = idsOf(resumed.events);
      expect(ids).toEqual(range(13, ids.at(-1) ?? 0));
      expect(resumed.events.at(-1)?.event).toBe('done');
      expect(textOf(events) + textOf(resumed.events)).toBe(text);
      expect(upstream.requests).toHaveLength(1);
      expect(upstream.requests[0]?.vendor).toBe(provider);
    });
  }

  it('a follower on B sees the same events and text as the starter on A', async () => {
    upstream.reset();
    const { script, text } = slowScript(60, 10);
    upstream.enqueue(script);
    const response = await postJson(`${agentA.url}/chat`, { message: 'story', provider: 'anthropic' });
    const streamId = response.headers.get('x-stream-id') as string;
    const [starter, follower] = await Promise.all([readSse(response), resume(agentB.url, streamId)]);
    expect(textOf(starter)).toBe(text);
    expect(textOf(follower.events)).toBe(text);
    expect(follower.events.map((event) => event.data)).toEqual(starter.map((event) => event.data));
  });

  it('POST /chat/:id/cancel on B stops the generation running on A (its upstream connection closes)', async () => {
    upstream.reset();
    upstream.enqueue(slowScript(300, 10).script);
    const response = await postJson(`${agentA.url}/chat`, { message: 'long', provider: 'gemini' });
    const streamId = response.headers.get('x-stream-id') as string;
    const starter = readSse(response);
    const [request] = await upstream.waitForRequests(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const cancelledAt = performance.now();
    const cancel = await fetch(`${agentB.url}/chat/${streamId}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(202);
    await request?.closed;
    expect(request?.closedEarlyAt).toBeDefined();
    const latency = (request?.closedEarlyAt as number) - cancelledAt;
    console.log(`cancel on B → A's upstream closed: ${latency.toFixed(1)} ms`);
    expect(latency).toBeLessThan(1_000);
    expect((await starter).at(-1)).toMatchObject({ event: 'error', data: { error: { kind: 'aborted' } } });
    const log = await resume(agentB.url, streamId);
    expect(log.events.at(-1)).toMatchObject({ event: 'error', data: { error: { kind: 'aborted' } } });
    expect((await fetch(`${agentB.url}/chat/${streamId}/cancel`, { method: 'POST' })).status).toBe(404);
  });

  it('nobody attached anywhere for RESUME_GRACE_MS (300 ms) → A cancels it', async () => {
    upstream.reset();
    upstream.enqueue(slowScript(300, 10).script);
    const cutAt = performance.now();
    const { streamId } = await startAndCut(agentA.url, { message: 'long', provider: 'openai' }, 5);
    const [request] = await upstream.waitForRequests(1);
    await request?.closed;
    const waited = (request?.closedEarlyAt as number) - cutAt;
    console.log(`Redis, grace 300 ms: upstream closed ${waited.toFixed(0)} ms after the cut`);
    expect(waited).toBeGreaterThanOrEqual(300);
    const log = await resume(agentB.url, streamId, { lastEventId: 5 });
    expect(log.events.at(-1)).toMatchObject({ event: 'error', data: { error: { kind: 'aborted' } } });
  });

  it('a detach on A and a re-attach on B within the grace period keep it running to the end', async () => {
    upstream.reset();
    const { script, text } = slowScript(60, 10);
    upstream.enqueue(script);
    const { streamId, events } = await startAndCut(agentA.url, { message: 'story', provider: 'anthropic' }, 5);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const resumed = await resume(agentB.url, streamId, { lastEventId: 5 });
    expect(resumed.events.at(-1)?.event).toBe('done');
    expect(textOf(events) + textOf(resumed.events)).toBe(text);
    expect(upstream.requests[0]?.closedEarlyAt).toBeUndefined();
  });

  it('WebSocket: start on A, resume on B with {type:"resume"}', async () => {
    upstream.reset();
    const { script, text } = slowScript(40, 10);
    upstream.enqueue(script);
    type Frame = { type: string; id: number; text?: string; streamId?: string };
    const collect = async (url: string, message: unknown, until: (frames: Frame[]) => boolean) => {
      const socket = new WebSocket(`${url.replace('http', 'ws')}/ws`);
      await new Promise((resolve) => socket.once('open', resolve));
      const frames: Frame[] = [];
      await new Promise<void>((resolve) => {
        socket.on('message', (data) => {
          frames.push(JSON.parse(data.toString()));
          if (until(frames)) resolve();
        });
        socket.send(JSON.stringify(message));
      });
      socket.close();
      return frames;
    };
    const first = await collect(agentA.url, { message: 'story' }, (frames) => frames.length === 8);
    const streamId = first[0]?.streamId as string;
    const rest = await collect(agentB.url, { type: 'resume', streamId, after: 8 }, (frames) =>
      ['done', 'error'].includes(frames.at(-1)?.type ?? ''),
    );
    const ids = rest.map((frame) => frame.id);
    expect(ids).toEqual(range(9, ids.at(-1) ?? 0));
    expect([...first, ...rest].map((frame) => frame.text ?? '').join('')).toBe(text);
  });

  // Last: it stops the shared redis-server.
  it("Redis lost mid-generation: A's attached client still gets every event; resuming on B is a 503", async () => {
    upstream.reset();
    const { script, text } = slowScript(60, 10);
    upstream.enqueue(script);
    const response = await postJson(`${agentA.url}/chat`, { message: 'story', provider: 'openai' });
    const streamId = response.headers.get('x-stream-id') as string;
    const starter = readSse(response);
    await upstream.waitForRequests(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await redis.stop();
    const events = await starter;
    expect(events.at(-1)?.event).toBe('done');
    expect(textOf(events)).toBe(text);
    const resumed = await resume(agentB.url, streamId, { lastEventId: 3 });
    expect(resumed.status).toBe(503);
    expect(resumed.body).toMatchObject({ error: { kind: 'overloaded' } });
    for (const agent of [agentA, agentB]) expect((await fetch(`${agent.url}/readyz`)).status).toBe(503);
  });
});
