import type { AgentEvent } from '@rxllm/protocol';
import { decodeWebSocketFrame } from '@rxllm/protocol';
import { type RedisServer, startRedisServer } from '@rxllm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { postJson, readSse, startTestAgent, type TestAgent } from '../test-helpers.js';

const simulatedFast = { LLM_PROVIDER: 'simulated', SIMULATED_TTFT_MS: '0', SIMULATED_TOKENS_PER_SECOND: '0' };
const question = { message: 'What is 6 * 7?' };

type Decision = { approved: boolean; reason?: string } | ((toolCallId: string, streamId: string) => Promise<void>);

const ofType = <T extends AgentEvent['type']>(events: AgentEvent[], type: T) =>
  events.filter((event): event is Extract<AgentEvent, { type: T }> => event.type === type);
const textOf = (events: AgentEvent[]) =>
  ofType(events, 'text')
    .map((event) => event.text)
    .join('');

const approve = (baseUrl: string, streamId: string, body: unknown, headers: Record<string, string> = {}) =>
  postJson(`${baseUrl}/chat/${streamId}/approve`, body, headers);

/**
 * `POST /chat` on `chatUrl`, answering each `tool-approval-request` as it arrives: with `decision` sent to
 * `approveUrl`'s approve route (its status and body kept), or by calling `decision` itself.
 */
async function chatDeciding(chatUrl: string, decision: Decision, approveUrl = chatUrl) {
  const response = await postJson(`${chatUrl}/chat`, question);
  expect(response.status).toBe(200);
  const streamId = response.headers.get('x-stream-id') ?? '';
  const answers: Array<{ status: number; body: unknown }> = [];
  const pending: Array<Promise<void>> = [];
  const parsed = await readSse(response, (event) => {
    const data = event.data as AgentEvent;
    if (data.type !== 'tool-approval-request') return undefined;
    pending.push(
      typeof decision === 'function'
        ? decision(data.toolCallId, streamId)
        : approve(approveUrl, streamId, { toolCallId: data.toolCallId, ...decision }).then(async (reply) => {
            answers.push({ status: reply.status, body: await reply.json() });
          }),
    );
    return undefined;
  });
  await Promise.all(pending);
  return { streamId, answers, events: parsed.map((event) => event.data as AgentEvent) };
}

describe('tool approval: TOOL_APPROVAL=calculator on the simulated provider', () => {
  let harness: TestAgent;
  beforeAll(async () => {
    harness = await startTestAgent({ ...simulatedFast, TOOL_APPROVAL: 'calculator' });
  });
  afterAll(() => harness.close());

  it('SSE: the call waits for its request, runs once approved over HTTP, and the answer uses its result', async () => {
    harness.logs.length = 0;
    const { answers, events } = await chatDeciding(harness.agent.url, { approved: true });
    expect(answers).toEqual([{ status: 202, body: { decided: true } }]);
    const types = events.map((event) => event.type);
    expect(types.indexOf('tool-call-ready')).toBeLessThan(types.indexOf('tool-approval-request'));
    expect(types.indexOf('tool-approval-request')).toBeLessThan(types.indexOf('tool-result'));
    const [request] = ofType(events, 'tool-approval-request');
    expect(request).toMatchObject({ step: 1, name: 'calculator', input: { expression: '6 * 7' } });
    expect(request?.toolCallId).toBe(ofType(events, 'tool-call-ready')[0]?.id);
    expect(ofType(events, 'tool-result')).toEqual([expect.objectContaining({ name: 'calculator', output: 42 })]);
    expect(textOf(events)).toMatch(/^The calculator tool returned 42\./);
    expect(types.at(-1)).toBe('done');
    const log = harness.logs.join('');
    expect(log).toContain('Tool call waits for approval: calculator');
    expect(log).toContain('Tool call approved by a client');
  });

  it('SSE: a denial goes to the model as such, with its reason; nothing runs', async () => {
    const { events } = await chatDeciding(harness.agent.url, { approved: false, reason: 'not today' });
    const [result] = ofType(events, 'tool-result');
    expect(result).toMatchObject({ name: 'calculator', denied: true, error: { kind: 'denied' } });
    expect(result?.error?.message).toContain('not today');
    expect(result?.output).toBeUndefined();
    expect(textOf(events)).toContain('denied');
    expect(textOf(events)).not.toContain('returned 42');
  });

  it('refuses what is not a decision on a waiting call, and the stream goes on', async () => {
    const refusals: Array<{ status: number; kind: string }> = [];
    const record = async (reply: Response) => {
      const body = (await reply.json()) as { error?: { kind: string } };
      refusals.push({ status: reply.status, kind: body.error?.kind ?? 'none' });
    };
    const url = harness.agent.url;
    const { events } = await chatDeciding(url, async (toolCallId, streamId) => {
      await record(await approve(url, streamId, { toolCallId: 'call_nobody', approved: true }));
      await record(await approve(url, streamId, { toolCallId, approved: 'yes' }));
      await record(await approve(url, streamId, { toolCallId, approved: true, extra: 1 }));
      await record(await approve(url, streamId, { toolCallId, approved: true, reason: 'x'.repeat(20_000) }));
      await record(await approve(url, streamId, '{"toolCallId":'));
      const plain = await fetch(`${url}/chat/${streamId}/approve`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: JSON.stringify({ toolCallId, approved: true }),
      });
      await record(plain);
      await record(await approve(url, streamId, { toolCallId, approved: true }, { Origin: 'https://evil.example' }));
      await record(await approve(url, streamId, { toolCallId, approved: true }));
      // Decided already: a second decision has no call waiting for it.
      await record(await approve(url, streamId, { toolCallId, approved: false }));
    });
    expect(refusals).toEqual([
      { status: 409, kind: 'invalid-request' },
      { status: 400, kind: 'invalid-request' },
      { status: 400, kind: 'invalid-request' },
      { status: 413, kind: 'invalid-request' },
      { status: 400, kind: 'invalid-request' },
      { status: 415, kind: 'invalid-request' },
      { status: 403, kind: 'forbidden' },
      { status: 202, kind: 'none' },
      { status: 409, kind: 'invalid-request' },
    ]);
    expect(ofType(events, 'tool-result')[0]).toMatchObject({ output: 42 });
    expect(events.at(-1)?.type).toBe('done');
  });

  it('an unknown or finished generation is a 404; a malformed id is a 400', async () => {
    const unknown = await approve(harness.agent.url, '00000000-0000-4000-8000-000000000000', {
      toolCallId: 'c',
      approved: true,
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { kind: 'not-found' } });
    const { streamId } = await chatDeciding(harness.agent.url, { approved: true });
    const finished = await approve(harness.agent.url, streamId, { toolCallId: 'c', approved: true });
    expect(finished.status).toBe(404);
    const malformed = await approve(harness.agent.url, 'not a stream id', { toolCallId: 'c', approved: true });
    expect(malformed.status).toBe(400);
  });

  it('a JSON reply (stream:false) cannot ask: the call is denied at once, saying why', async () => {
    const response = await postJson(`${harness.agent.url}/chat`, { ...question, stream: false });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { text: string };
    expect(body.text).toContain('denied');
    expect(body.text).toContain('cannot ask for approval');
  });

  it('a client that leaves while a call waits ends the generation: its approvals are gone', async () => {
    const controller = new AbortController();
    const response = await postJson(`${harness.agent.url}/chat`, question, {}, controller.signal);
    const streamId = response.headers.get('x-stream-id') ?? '';
    await readSse(response, (event) => (event.data as AgentEvent).type === 'tool-approval-request').catch(
      () => undefined,
    );
    controller.abort();
    await expect
      .poll(async () => (await approve(harness.agent.url, streamId, { toolCallId: 'c', approved: true })).status)
      .toBe(404);
  });

  it('WebSocket: an approve frame decides; a bad or misplaced one gets an id-0 refusal and the stream goes on', async () => {
    const socket = new WebSocket(`${harness.agent.url.replace('http', 'ws')}/ws`);
    const frames: Array<{ id: number; event: AgentEvent }> = [];
    const finished = new Promise<void>((resolve, reject) => {
      socket.on('message', (data) => {
        const frame = decodeWebSocketFrame(String(data));
        frames.push({ id: frame.id ?? -1, event: frame.event });
        if (frame.event.type === 'tool-approval-request') {
          socket.send(JSON.stringify({ type: 'approve', toolCallId: frame.event.toolCallId, approved: 'yes' }));
          socket.send(JSON.stringify({ type: 'approve', toolCallId: frame.event.toolCallId, approved: true }));
        }
        if ((frame.event.type === 'done' || frame.event.type === 'error') && frame.id !== 0) resolve();
      });
      socket.once('error', reject);
    });
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'approve', toolCallId: 'early', approved: true }));
    socket.send(JSON.stringify(question));
    await finished;
    socket.close();
    const refusals = frames.filter((frame) => frame.id === 0).map((frame) => frame.event);
    expect(refusals).toHaveLength(2);
    expect(refusals[0]).toMatchObject({ type: 'error', error: { kind: 'invalid-request' } });
    expect(refusals.map((event) => (event.type === 'error' ? event.error.message : ''))).toEqual([
      expect.stringContaining('no generation is running'),
      expect.stringContaining('approved'),
    ]);
    const streamed = frames.filter((frame) => frame.id !== 0).map((frame) => frame.event);
    expect(ofType(streamed, 'tool-result')[0]).toMatchObject({ output: 42 });
    expect(textOf(streamed)).toMatch(/^The calculator tool returned 42\./);
  });
});

describe('tool approval deadline', () => {
  let harness: TestAgent;
  beforeAll(async () => {
    harness = await startTestAgent({
      ...simulatedFast,
      TOOL_APPROVAL: 'all',
      TOOL_APPROVAL_TIMEOUT_MS: '1000',
    });
  });
  afterAll(() => harness.close());

  it('no decision within TOOL_APPROVAL_TIMEOUT_MS counts as a denial, and the loop goes on', async () => {
    const { events } = await chatDeciding(harness.agent.url, async () => undefined);
    expect(ofType(events, 'tool-result')[0]).toMatchObject({ denied: true, error: { kind: 'denied' } });
    expect(ofType(events, 'tool-result')[0]?.error?.message).toContain('no decision within 1000 ms');
    expect(events.at(-1)?.type).toBe('done');
  });
});

describe('tool approval across instances (resumable streams on one Redis)', () => {
  let redis: RedisServer;
  let first: TestAgent;
  let second: TestAgent;
  beforeAll(async () => {
    redis = await startRedisServer();
    const env = { ...simulatedFast, TOOL_APPROVAL: 'calculator', RESUMABLE_STREAMS: 'true', REDIS_URL: redis.url };
    [first, second] = await Promise.all([startTestAgent(env), startTestAgent(env)]);
  }, 30_000);
  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
    await redis?.stop();
  });

  it('a decision posted to the other instance is forwarded through the store and taken by the run', async () => {
    const { answers, events } = await chatDeciding(first.agent.url, { approved: true }, second.agent.url);
    expect(answers).toEqual([{ status: 202, body: { forwarded: true } }]);
    expect(ofType(events, 'tool-result')[0]).toMatchObject({ output: 42 });
    expect(textOf(events)).toMatch(/^The calculator tool returned 42\./);
  });
});
