import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { containsNoKey, postJson, readSse, startTestAgent, type TestAgent } from '../test-helpers.js';

const agentKey = 'agent-key-MARKER-5e1f';

describe('routes on a real socket: chunked bodies, WebSocket upgrades, live feeds', () => {
  let harness: TestAgent;
  let url: string;
  const auth = { Authorization: `Bearer ${agentKey}` };
  beforeAll(async () => {
    harness = await startTestAgent({
      AGENT_API_KEY: agentKey,
      OPENAI_MODELS: 'gpt-extra-1, gpt-extra-2',
      MAX_BODY_BYTES: String(64 * 1024),
      MAX_MESSAGE_CHARS: '1000',
      ALLOWED_ORIGINS: 'https://allowed.example',
      STATS_INTERVAL_MS: '50',
    });
    url = harness.agent.url;
  });
  afterAll(async () => {
    await harness.close();
  });

  it('413 for a chunked body that passes the limit', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${url}/chat`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      for (let index = 0; index < 20; index += 1) request.write('x'.repeat(8 * 1024));
      request.end();
    });
    expect(status).toBe(413);
  });

  it('WebSocket: auth and Origin are checked at the upgrade; the bearer subprotocol works', async () => {
    const wsUrl = `${url.replace('http', 'ws')}/ws`;
    const refused = (socket: WebSocket) =>
      new Promise<number>((resolve) => {
        socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.on('error', () => undefined);
      });
    expect(await refused(new WebSocket(wsUrl))).toBe(401);
    expect(await refused(new WebSocket(`${url.replace('http', 'ws')}/elsewhere`, { headers: auth }))).toBe(404);
    expect(await refused(new WebSocket(wsUrl, { headers: { ...auth, Origin: 'https://evil.example' } }))).toBe(403);
    const viaProtocol = new WebSocket(wsUrl, ['rxllm', `rxllm.bearer.${agentKey}`], {
      headers: { Origin: 'https://allowed.example' },
    });
    await new Promise((resolve, reject) => {
      viaProtocol.once('open', resolve);
      viaProtocol.once('error', reject);
    });
    expect(viaProtocol.protocol).toBe('rxllm');
    const frames: Array<{ type: string; id: number; error?: { kind: string; message: string } }> = [];
    const gotError = new Promise<void>((resolve) =>
      viaProtocol.on('message', (data) => {
        frames.push(JSON.parse(data.toString()));
        if (frames.length === 2) resolve();
      }),
    );
    viaProtocol.send('not json');
    viaProtocol.send(JSON.stringify({ message: 'hi', temperature: 9 }));
    await gotError;
    expect(frames[0]?.error?.message).toMatch(/not valid JSON/);
    expect(frames[1]?.error?.message).toMatch(/temperature/);
    viaProtocol.close();
  });

  it('/stats, /stats/stream and /metrics report the streams', async () => {
    expect((await postJson(`${url}/chat`, { message: '   ' }, auth)).status).toBe(400);
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'counted' }] });
    const events = await readSse(await postJson(`${url}/chat`, { message: 'hi' }, auth));
    expect(events.at(-1)?.event).toBe('done');
    const stats = (await (await fetch(`${url}/stats`, { headers: auth })).json()) as Record<string, unknown>;
    expect(stats.streamsStarted).toBeGreaterThanOrEqual(1);
    expect(stats.streamsCompleted).toBeGreaterThanOrEqual(1);
    expect(typeof stats.ttftMsP50).toBe('number');
    const feed = await fetch(`${url}/stats/stream`, { headers: auth });
    const samples = await readSse(feed, (_event, all) => all.length >= 2);
    expect(samples[1]?.data).toMatchObject({ activeStreams: 0 });
    const metrics = await (await fetch(`${url}/metrics`, { headers: auth })).text();
    expect(metrics).toMatch(/rxllm_streams_total\{provider="openai",model="[^"]+",outcome="complete"\} \d+/);
    expect(metrics).toContain('rxllm_ttft_seconds_bucket');
    expect(metrics).toContain('rxllm_agent_active_streams 0');
    expect(metrics).toMatch(/rxllm_agent_http_requests_total\{method="POST",route="\/chat",status="400"\}/);
    expect(metrics).toContain('process_cpu_user_seconds_total');
  });

  it('never logs a key or the bearer token', () => {
    const all = harness.logs.join('\n');
    expect(containsNoKey(all)).toBe(true);
    expect(all).not.toContain(agentKey);
  });
});
