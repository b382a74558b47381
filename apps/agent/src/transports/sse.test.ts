import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { request as httpRequest, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { type Chunk, createRegistry, LLMError } from '@rxllm/core';
import { Observable, Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../app/start-agent.js';
import type { GenerationEvent } from '../generation/generate.js';
import { postJson, readSse, startTestAgent, type TestAgent } from '../test-helpers.js';
import { serveSse } from './sse.js';

describe('SSE commit point and heartbeats', () => {
  let harness: TestAgent | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('a slow first chunk: 200 headers and ": ping" go out while waiting, then the text', async () => {
    harness = await startTestAgent({ SSE_PING_MS: '100' });
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'late' }], delivery: { firstByteDelayMs: 350 } });
    const response = await postJson(`${harness.agent.url}/chat`, { message: 'Hi' });
    expect(response.status).toBe(200);
    const raw = await response.text();
    expect(raw.startsWith(': ping\n\n')).toBe(true);
    expect(raw).toContain('"text":"late"');
  });

  it('an error after the heartbeat committed the stream is an error event, not a status', async () => {
    harness = await startTestAgent({ SSE_PING_MS: '100' });
    harness.upstream.enqueue({
      events: [{ type: 'error', status: 429, message: 'slow down' }],
      delivery: { firstByteDelayMs: 350 },
    });
    const response = await postJson(`${harness.agent.url}/chat`, { message: 'Hi' });
    expect(response.status).toBe(200);
    const events = await readSse(response);
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { type: 'error', error: { kind: 'rate-limit' } } });
  });

  it('after the commit, a quiet stream still gets ": ping" between events', async () => {
    harness = await startTestAgent({ SSE_PING_MS: '100' });
    harness.upstream.enqueue({
      events: [
        { type: 'text', text: 'one ' },
        { type: 'text', text: 'two' },
      ],
      delivery: { eventDelayMs: 350 },
    });
    const raw = await (await postJson(`${harness.agent.url}/chat`, { message: 'Hi' })).text();
    const between = raw.slice(raw.indexOf('"text":"one "'), raw.indexOf('"text":"two"'));
    expect(between).toContain(': ping\n\n');
  });

  it('the start chunk waits for the first content chunk, so an early error is still a status', async () => {
    harness = await startTestAgent({ SSE_PING_MS: '10000' });
    harness.upstream.enqueue({ events: [{ type: 'error', status: 529, message: 'overloaded' }] });
    const response = await postJson(`${harness.agent.url}/chat`, { message: 'Hi', provider: 'anthropic' });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { kind: 'overloaded' } });
  });

  it('a stalled upstream hits the first-chunk timeout: 504 before the first chunk', async () => {
    harness = await startTestAgent({ FIRST_CHUNK_TIMEOUT_MS: '200', SSE_PING_MS: '10000' });
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'never' }], delivery: { stallAfterEvents: 0 } });
    const response = await postJson(`${harness.agent.url}/chat`, { message: 'Hi' });
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({ error: { kind: 'timeout' } });
  });
});

describe('slow consumers', () => {
  let agent: RunningAgent | undefined;
  afterEach(async () => {
    await agent?.close();
    agent = undefined;
  });

  function floodProvider() {
    const state = { emitted: 0, unsubscribedAt: 0 };
    const piece = 'x'.repeat(1024);
    const provider = {
      name: 'flood',
      defaultModel: 'flood-1',
      stream: () =>
        new Observable<Chunk>((subscriber) => {
          subscriber.next({ type: 'start', provider: 'flood', model: 'flood-1' });
          let running = true;
          const pump = () => {
            for (let index = 0; index < 256 && running; index += 1) {
              state.emitted += 1;
              subscriber.next({ type: 'text', text: piece });
            }
            if (running) setImmediate(pump);
          };
          pump();
          return () => {
            running = false;
            state.unsubscribedAt = performance.now();
          };
        }),
    };
    return { provider, state };
  }

  async function waitFor(condition: () => boolean, ms: number) {
    const deadline = performance.now() + ms;
    while (!condition() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  }

  it('a client that stops reading is dropped once over the cap, and the generation is unsubscribed', async () => {
    const { provider: flood, state } = floodProvider();
    const logs: string[] = [];
    agent = await startAgent({
      env: {
        LLM_PROVIDER: 'flood',
        SSE_MAX_BUFFER_BYTES: String(256 * 1024),
        SLOW_CONSUMER_GRACE_MS: '200',
        LOG_LEVEL: 'info',
      },
      port: 0,
      host: '127.0.0.1',
      registry: createRegistry({ flood: () => flood }),
      logStream: new Writable({
        write(chunk, _encoding, callback) {
          logs.push(chunk.toString());
          callback();
        },
      }),
    });
    const memoryBefore = process.memoryUsage().rss;
    const request = httpRequest(`${agent.url}/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
    });
    const response = await new Promise<import('node:http').IncomingMessage>((resolve) => {
      request.on('response', resolve);
      request.end(JSON.stringify({ message: 'flood me' }));
    });
    response.pause();
    await waitFor(() => state.unsubscribedAt > 0, 20_000);
    const grewMiB = (process.memoryUsage().rss - memoryBefore) / 2 ** 20;
    console.log(
      `slow consumer: dropped after ${state.emitted} chunks (${(state.emitted / 1024).toFixed(1)} MiB generated), rss grew ${grewMiB.toFixed(1)} MiB`,
    );
    expect(state.unsubscribedAt).toBeGreaterThan(0);
    expect(logs.join('')).toContain('Dropped a slow client');
    response.destroy();
  }, 30_000);

  it('a WebSocket client that stops reading is dropped too (bufferedAmount), closing its generation', async () => {
    const { provider: flood, state } = floodProvider();
    agent = await startAgent({
      env: {
        LLM_PROVIDER: 'flood',
        SSE_MAX_BUFFER_BYTES: String(256 * 1024),
        SLOW_CONSUMER_GRACE_MS: '200',
        LOG_LEVEL: 'silent',
      },
      port: 0,
      host: '127.0.0.1',
      registry: createRegistry({ flood: () => flood }),
    });
    // A raw socket that completes the upgrade, sends one masked frame, and then never reads again.
    const socket = connect(agent.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${agent.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await new Promise((resolve) => socket.once('data', resolve));
    socket.pause();
    const payload = Buffer.from(JSON.stringify({ message: 'flood me' }));
    const mask = randomBytes(4);
    const masked = Buffer.from(payload.map((byte, index) => byte ^ (mask[index % 4] as number)));
    socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
    await waitFor(() => state.unsubscribedAt > 0, 20_000);
    console.log(`slow WebSocket consumer: dropped after ${(state.emitted / 1024).toFixed(1)} MiB generated`);
    expect(state.unsubscribedAt).toBeGreaterThan(0);
    socket.destroy();
  }, 30_000);

  it('a slow but steady reader gets all the text, coalesced into fewer events', async () => {
    const pieces = Array.from({ length: 4000 }, (_, index) => `${index % 10}`.repeat(100));
    const burst = {
      name: 'burst',
      defaultModel: 'burst-1',
      stream: () =>
        new Observable<Chunk>((subscriber) => {
          subscriber.next({ type: 'start', provider: 'burst', model: 'burst-1' });
          for (const text of pieces) subscriber.next({ type: 'text', text });
          subscriber.next({ type: 'finish', reason: 'stop' });
          subscriber.complete();
        }),
    };
    agent = await startAgent({
      env: { LLM_PROVIDER: 'burst', SSE_MAX_BUFFER_BYTES: String(8 * 1024 * 1024), LOG_LEVEL: 'silent' },
      port: 0,
      host: '127.0.0.1',
      registry: createRegistry({ burst: () => burst }),
    });
    const response = await postJson(`${agent.url}/chat`, { message: 'burst' });
    const events = await readSse(response);
    const texts = events
      .filter((event) => event.event === 'text')
      .map((event) => (event.data as { text: string }).text);
    expect(texts.join('')).toBe(pieces.join(''));
    expect(events.at(-1)?.event).toBe('done');
    const ids = events.map((event) => Number(event.id));
    expect([...ids].sort((left, right) => left - right)).toEqual(ids);
    console.log(`burst of ${pieces.length} text chunks arrived as ${texts.length} events`);
  });
});

describe('errors from a provider that throws LLMErrors directly', () => {
  it('maps kinds to statuses before the first chunk', async () => {
    const cases: Array<[LLMError, number]> = [
      [new LLMError({ kind: 'not-found', provider: 'p', message: 'no model' }), 404],
      [new LLMError({ kind: 'content-filter', provider: 'p', message: 'blocked' }), 400],
      [new LLMError({ kind: 'network', provider: 'p', message: 'reset' }), 502],
      [new LLMError({ kind: 'unknown', provider: 'p', message: 'odd' }), 500],
    ];
    let next = 0;
    const failing = {
      name: 'failing',
      defaultModel: 'f',
      stream: () =>
        new Observable<Chunk>((subscriber) => {
          subscriber.error(cases[next]?.[0]);
        }),
    };
    const agent = await startAgent({
      env: { LLM_PROVIDER: 'failing', LOG_LEVEL: 'silent', MAX_RETRIES: '0' },
      port: 0,
      host: '127.0.0.1',
      registry: createRegistry({ failing: () => failing }),
    });
    try {
      for (next = 0; next < cases.length; next += 1) {
        const response = await postJson(`${agent.url}/chat`, { message: 'x' });
        expect(response.status).toBe(cases[next]?.[1]);
        expect(((await response.json()) as { error: { kind: string } }).error.kind).toBe(cases[next]?.[0].kind);
      }
    } finally {
      await agent.close();
    }
  });
});

describe('serveSse with a logged generation', () => {
  /** A response whose socket never drains: every write stays "buffered". */
  function stuckResponse() {
    const written: string[] = [];
    const response = Object.assign(new EventEmitter(), {
      writableLength: 0,
      destroyed: false,
      socket: { setNoDelay: () => undefined },
      writeHead: () => response,
      write(text: string) {
        written.push(text);
        response.writableLength += Buffer.byteLength(text);
        return false;
      },
      end: () => undefined,
      destroy() {
        response.destroyed = true;
      },
    });
    return { response, written };
  }

  for (const logged of [false, true]) {
    it(`a dropped slow consumer's farewell event takes ${logged ? 'the last id (the next one belongs to the log)' : 'the next id'}`, async () => {
      const { response, written } = stuckResponse();
      const events = new Subject<GenerationEvent>();
      const session = serveSse({
        response: response as unknown as ServerResponse,
        events,
        streamId: 's',
        pingIntervalMs: 60_000,
        maxBufferedBytes: 4096,
        slowConsumerGraceMs: 60_000,
        logged,
      });
      events.next({ id: 1, event: { type: 'start', provider: 'p', model: 'm' } });
      events.next({ id: 2, event: { type: 'text', text: 'x'.repeat(8192) } });
      // Twice the cap queued on a stuck socket drops the client at once.
      events.next({ id: 3, event: { type: 'reasoning', text: 'y'.repeat(8192) } });
      expect(await session.finished).toMatchObject({ status: 'slow-consumer' });
      // Events written in one turn leave in one write: the farewell is the last event of the last one.
      const farewell = written.join('').split('\n\n').filter(Boolean).at(-1) ?? '';
      expect(farewell).toContain('"kind":"slow-consumer"');
      expect(farewell.startsWith(`id: ${logged ? 3 : 4}\n`)).toBe(true);
    });
  }
});
