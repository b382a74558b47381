import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { postJson, readSse, startTestAgent, type TestAgent } from '../test-helpers.js';
import { idsOf, range, resume, slowScript, startAndCut, textOf } from '../test-resume.js';

const script = slowScript(60);
const lastIdOf = (ids: number[]) => ids.at(-1) ?? 0;

describe('resumable streams in memory (one instance)', () => {
  let harness: TestAgent;
  beforeAll(async () => {
    harness = await startTestAgent({ RESUMABLE_STREAMS: 'true', RESUME_GRACE_MS: '300' });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('reload-resume: cut after 10 events, resume with ?after=10 → exactly events 11..end, the whole text', async () => {
    harness.upstream.reset();
    harness.upstream.enqueue(script.script);
    const { streamId, events: first } = await startAndCut(harness.agent.url, { message: 'story' }, 10);
    expect(streamId).toMatch(/^[0-9a-f-]{36}$/);
    expect(idsOf(first)).toEqual(range(1, 10));
    expect(first[0]?.data).toMatchObject({ type: 'start', streamId });
    const resumed = await resume(harness.agent.url, streamId, { after: 10 });
    expect(resumed.status).toBe(200);
    const lastId = lastIdOf(idsOf(resumed.events));
    // start, 60 texts, then at least finish and done.
    expect(lastId).toBeGreaterThanOrEqual(63);
    expect(idsOf(resumed.events)).toEqual(range(11, lastId));
    expect(resumed.events.at(-1)?.event).toBe('done');
    expect(textOf(first) + textOf(resumed.events)).toBe(script.text);
    // Finished, still kept: a late reader replays it all.
    const replay = await resume(harness.agent.url, streamId, { lastEventId: 0 });
    expect(textOf(replay.events)).toBe(script.text);
    expect(idsOf(replay.events)).toEqual(range(1, lastId));
  });

  it('Last-Event-ID wins over ?after=', async () => {
    harness.upstream.reset();
    harness.upstream.enqueue(slowScript(5, 1).script);
    const response = await postJson(`${harness.agent.url}/chat`, { message: 'short' });
    const streamId = response.headers.get('x-stream-id') as string;
    await readSse(response);
    const resumed = await resume(harness.agent.url, streamId, { after: 1, lastEventId: 4 });
    expect(idsOf(resumed.events)[0]).toBe(5);
  });

  it('a second tab follows the same generation live and sees the same text', async () => {
    harness.upstream.reset();
    harness.upstream.enqueue(script.script);
    const response = await postJson(`${harness.agent.url}/chat`, { message: 'story' });
    const streamId = response.headers.get('x-stream-id') as string;
    const [starter, follower] = await Promise.all([readSse(response), resume(harness.agent.url, streamId)]);
    expect(textOf(starter)).toBe(script.text);
    expect(textOf(follower.events)).toBe(script.text);
    expect(idsOf(follower.events)).toEqual(idsOf(starter));
    expect(harness.upstream.requests).toHaveLength(1);
  });

  it('nobody attached for RESUME_GRACE_MS cancels the generation (upstream closed, log ends with aborted)', async () => {
    harness.upstream.reset();
    harness.upstream.enqueue(slowScript(200, 10).script);
    const cutAt = performance.now();
    const { streamId } = await startAndCut(harness.agent.url, { message: 'story' }, 5);
    const [upstream] = await harness.upstream.waitForRequests(1);
    await upstream?.closed;
    const waited = (upstream?.closedEarlyAt as number) - cutAt;
    console.log(`grace 300 ms: upstream closed ${waited.toFixed(0)} ms after the cut`);
    expect(upstream?.closedEarlyAt).toBeDefined();
    expect(waited).toBeGreaterThanOrEqual(300);
    const log = await resume(harness.agent.url, streamId);
    expect(log.events.at(-1)).toMatchObject({ event: 'error', data: { error: { kind: 'aborted' } } });
  });

  it('a detach then a re-attach within the grace period does not cancel', async () => {
    harness.upstream.reset();
    harness.upstream.enqueue(slowScript(60, 10).script);
    const { streamId, events } = await startAndCut(harness.agent.url, { message: 'story' }, 5);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const resumed = await resume(harness.agent.url, streamId, { lastEventId: 5 });
    expect(resumed.events.at(-1)?.event).toBe('done');
    expect(textOf(events) + textOf(resumed.events)).toBe(slowScript(60).text);
    const [upstream] = harness.upstream.requests;
    expect(upstream?.finishedAt).toBeDefined();
    expect(upstream?.closedEarlyAt).toBeUndefined();
  });

  it('POST /chat/:id/cancel stops it for everyone (202), then 404', async () => {
    harness.upstream.reset();
    harness.upstream.enqueue(slowScript(200, 10).script);
    const response = await postJson(`${harness.agent.url}/chat`, { message: 'story' });
    const streamId = response.headers.get('x-stream-id') as string;
    const starter = readSse(response);
    const follower = resume(harness.agent.url, streamId);
    await harness.upstream.waitForRequests(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const cancel = await fetch(`${harness.agent.url}/chat/${streamId}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(202);
    expect(await cancel.json()).toEqual({ cancelled: true });
    const [starterEvents, followerEvents] = await Promise.all([starter, follower]);
    for (const events of [starterEvents, followerEvents.events]) {
      expect(events.at(-1)).toMatchObject({ event: 'error', data: { error: { kind: 'aborted' } } });
    }
    expect(idsOf(followerEvents.events)).toEqual(idsOf(starterEvents));
    await harness.upstream.requests[0]?.closed;
    expect(harness.upstream.requests[0]?.closedEarlyAt).toBeDefined();
    const again = await fetch(`${harness.agent.url}/chat/${streamId}/cancel`, { method: 'POST' });
    expect(again.status).toBe(404);
  });

  it('unknown id → 404 not-found, malformed id or Last-Event-ID → 400', async () => {
    const unknown = await resume(harness.agent.url, '00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { kind: 'not-found' } });
    const malformed = await fetch(`${harness.agent.url}/chat/not-an-id`);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { kind: 'invalid-request' } });
    const badAfter = await resume(harness.agent.url, '00000000-0000-4000-8000-000000000000', {
      headers: { 'Last-Event-ID': '-1' },
    });
    expect(badAfter.status).toBe(400);
    const cancelUnknown = await fetch(`${harness.agent.url}/chat/00000000-0000-4000-8000-000000000000/cancel`, {
      method: 'POST',
    });
    expect(cancelUnknown.status).toBe(404);
  });

  it('stream:false replies carry X-Stream-Id and the generation is resumable too', async () => {
    harness.upstream.reset();
    harness.upstream.enqueue(slowScript(3, 1).script);
    const response = await postJson(`${harness.agent.url}/chat`, { message: 'short', stream: false });
    const streamId = response.headers.get('x-stream-id') as string;
    const body = (await response.json()) as { text: string; streamId: string };
    expect(body.streamId).toBe(streamId);
    const replay = await resume(harness.agent.url, streamId);
    expect(textOf(replay.events)).toBe(body.text);
  });

  it('WebSocket: start, close after 10 frames, {type:"resume"} on a new socket → the rest, then cancel', async () => {
    harness.upstream.reset();
    harness.upstream.enqueue(script.script);
    const wsUrl = `${harness.agent.url.replace('http', 'ws')}/ws`;
    type Frame = { type: string; id: number; text?: string; streamId?: string; error?: { kind: string } };
    const first = new WebSocket(wsUrl);
    await new Promise((resolve) => first.once('open', resolve));
    const firstFrames: Frame[] = [];
    await new Promise<void>((resolve) => {
      first.on('message', (data) => {
        firstFrames.push(JSON.parse(data.toString()));
        if (firstFrames.length === 10) resolve();
      });
      first.send(JSON.stringify({ message: 'story' }));
    });
    first.close();
    const streamId = firstFrames[0]?.streamId as string;
    expect(firstFrames.map((frame) => frame.id)).toEqual(range(1, 10));

    const second = new WebSocket(wsUrl);
    await new Promise((resolve) => second.once('open', resolve));
    const secondFrames: Frame[] = [];
    await new Promise<void>((resolve) => {
      second.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as Frame;
        secondFrames.push(frame);
        if (frame.type === 'done' || frame.type === 'error') resolve();
      });
      second.send(JSON.stringify({ type: 'resume', streamId, after: 10 }));
    });
    const secondIds = secondFrames.map((frame) => frame.id);
    expect(secondIds).toEqual(range(11, lastIdOf(secondIds)));
    expect(secondFrames.at(-1)?.type).toBe('done');
    const text = [...firstFrames, ...secondFrames].map((frame) => (frame.type === 'text' ? frame.text : '')).join('');
    expect(text).toBe(script.text);

    // On a socket that resumed, cancel stops the generation for everyone.
    harness.upstream.reset();
    harness.upstream.enqueue(slowScript(200, 10).script);
    const response = await postJson(`${harness.agent.url}/chat`, { message: 'long' });
    const longId = response.headers.get('x-stream-id') as string;
    const starter = readSse(response);
    const cancelled = new Promise<Frame>((resolve) => {
      second.removeAllListeners('message');
      second.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as Frame;
        if (frame.type === 'text' && frame.id === 3) second.send(JSON.stringify({ type: 'cancel' }));
        if (frame.type === 'error') resolve(frame);
      });
      second.send(JSON.stringify({ type: 'resume', streamId: longId, after: 0 }));
    });
    expect(await cancelled).toMatchObject({ type: 'error', error: { kind: 'aborted' } });
    expect((await starter).at(-1)).toMatchObject({ event: 'error', data: { error: { kind: 'aborted' } } });
    second.close();
  });

  it('WebSocket resume of an unknown stream answers an error frame with id 0', async () => {
    const socket = new WebSocket(`${harness.agent.url.replace('http', 'ws')}/ws`);
    await new Promise((resolve) => socket.once('open', resolve));
    const frame = await new Promise<{ id: number; error: { kind: string } }>((resolve) => {
      socket.once('message', (data) => resolve(JSON.parse(data.toString())));
      socket.send(JSON.stringify({ type: 'resume', streamId: '00000000-0000-4000-8000-000000000000', after: 0 }));
    });
    expect(frame).toMatchObject({ id: 0, error: { kind: 'not-found' } });
    socket.close();
  });
});

describe('resumable streams off (the default)', () => {
  let harness: TestAgent;
  beforeAll(async () => {
    harness = await startTestAgent();
  });
  afterAll(async () => {
    await harness.close();
  });

  it('GET /chat/:id is a 404 saying resumable streams are disabled; ids are still sent', async () => {
    harness.upstream.reset();
    const response = await postJson(`${harness.agent.url}/chat`, { message: 'Hi' });
    const streamId = response.headers.get('x-stream-id') as string;
    const events = await readSse(response);
    expect(idsOf(events)).toEqual(range(1, events.length));
    const resumed = await resume(harness.agent.url, streamId);
    expect(resumed.status).toBe(404);
    expect(resumed.body).toMatchObject({ error: { kind: 'not-found', message: expect.stringMatching(/disabled/) } });
  });

  it('POST /chat/:id/cancel still cancels a generation of this instance', async () => {
    harness.upstream.reset();
    harness.upstream.enqueue(slowScript(200, 10).script);
    const response = await postJson(`${harness.agent.url}/chat`, { message: 'long' });
    const streamId = response.headers.get('x-stream-id') as string;
    const events = readSse(response);
    await harness.upstream.waitForRequests(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const cancel = await fetch(`${harness.agent.url}/chat/${streamId}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(202);
    expect((await events).at(-1)).toMatchObject({ event: 'error', data: { error: { kind: 'aborted' } } });
    await harness.upstream.requests[0]?.closed;
    expect(harness.upstream.requests[0]?.closedEarlyAt).toBeDefined();
  });
});

describe('shutdown with resumable streams', () => {
  it('a running generation ends with kind "shutdown" for its starter and its followers, and shutdown completes', async () => {
    const harness = await startTestAgent({ RESUMABLE_STREAMS: 'true' });
    try {
      harness.upstream.enqueue(slowScript(300, 10).script);
      const response = await postJson(`${harness.agent.url}/chat`, { message: 'long' });
      const streamId = response.headers.get('x-stream-id') as string;
      const starter = readSse(response);
      const follower = resume(harness.agent.url, streamId);
      await harness.upstream.waitForRequests(1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = performance.now();
      await harness.agent.shutdown(100);
      console.log(`resumable shutdown (drain 100 ms) took ${(performance.now() - started).toFixed(0)} ms`);
      const [starterEvents, followerEvents] = await Promise.all([starter, follower]);
      expect(starterEvents.at(-1)).toMatchObject({ event: 'error', data: { error: { kind: 'shutdown' } } });
      expect(followerEvents.events.at(-1)).toMatchObject({ event: 'error', data: { error: { kind: 'shutdown' } } });
      await harness.upstream.requests[0]?.closed;
      expect(harness.upstream.requests[0]?.closedEarlyAt).toBeDefined();
    } finally {
      await harness.upstream.close();
    }
  });
});
