import { request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MockUpstream } from '../mock/api.js';
import { mockUpstream } from '../mock/mock-upstream.js';
import type { MockScript } from '../mock/script.js';
import { type FaultProxy, faultProxy, type ProxyFaults } from './fault-proxy.js';

const PIECES = Array.from({ length: 40 }, (_, index) => `token-${index} ünïcödé `);
const TEXT = PIECES.join('');
const script: MockScript = { events: PIECES.map((text) => ({ type: 'text', text })) };

let mock: MockUpstream;
let proxy: FaultProxy | undefined;
beforeAll(async () => {
  mock = await mockUpstream({ defaultScript: script });
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  mock.reset();
});
afterAll(() => mock.close());

const startProxy = async (faults: ProxyFaults) => {
  proxy = await faultProxy({ target: mock.url, faults });
  return proxy;
};

/** A plain HTTP POST through the proxy; resolves with the body or rejects with the socket error. */
function post(
  url: string,
  path = '/v1/chat/completions',
  body = '{"stream":true}',
): Promise<{ body: Buffer; status: number }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}${path}`, { method: 'POST', agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ body: Buffer.concat(chunks), status: response.statusCode ?? 0 }));
      response.on('error', reject);
      response.on('aborted', () => reject(new Error('response aborted')));
    });
    request.on('error', reject);
    request.end(body);
  });
}

const contentOf = (body: Buffer) =>
  body
    .toString('utf8')
    .split('\n')
    .filter((line) => line.startsWith('data: {'))
    .map((line) => JSON.parse(line.slice(6)).choices[0]?.delta?.content ?? '')
    .join('');

describe('faultProxy with a plain HTTP client', () => {
  it('passes a stream through unchanged without faults', async () => {
    const direct = await post(mock.url);
    mock.reset();
    const proxied = await post((await startProxy({})).url);
    expect(proxied.body.equals(direct.body)).toBe(true);
    expect(contentOf(proxied.body)).toBe(TEXT);
    await proxy!.connections[0]?.closed;
    expect(proxy!.connections[0]).toMatchObject({ index: 0, faultTriggered: false });
    expect(proxy!.connections[0]?.bytesToClient).toBeGreaterThan(direct.body.length);
  });

  it('adds latency each way', async () => {
    const { url } = await startProxy({ latencyMs: 40 });
    const started = performance.now();
    const { body } = await post(url);
    expect(contentOf(body)).toBe(TEXT);
    // One request chunk out and at least one response chunk back, each delayed.
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('caps the bandwidth', async () => {
    const { url, connections } = await startProxy({ bytesPerSecond: 100_000 });
    const started = performance.now();
    const { body } = await post(url);
    const elapsed = performance.now() - started;
    const bytes = connections[0]!.bytesToClient;
    console.log(`bandwidth cap 100000 B/s: ${bytes} bytes in ${elapsed.toFixed(0)} ms`);
    expect(contentOf(body)).toBe(TEXT);
    expect(elapsed).toBeGreaterThanOrEqual((bytes / 100_000) * 1000 * 0.9);
  });

  it('splits the response into small writes', async () => {
    const { url, connections } = await startProxy({ splitBytes: 3 });
    const { body } = await post(url);
    expect(contentOf(body)).toBe(TEXT);
    expect(connections[0]!.writesToClient).toBeGreaterThanOrEqual(Math.floor(connections[0]!.bytesToClient / 3));
  });

  it('resets the connection after N bytes, and the mock sees the client go', async () => {
    const { url, connections } = await startProxy({ resetAfterBytes: 700 });
    // Slow the mock down so it is still writing when the proxy cuts the line.
    mock.enqueue({ ...script, delivery: { eventDelayMs: 5 } });
    await expect(post(url)).rejects.toThrow();
    await connections[0]!.closed;
    expect(connections[0]).toMatchObject({ closeReason: 'reset', faultTriggered: true, bytesToClient: 700 });
    await mock.requests[0]!.closed;
    expect(mock.requests[0]!.closedEarlyAt).toBeDefined();
  });

  it('closes cleanly (FIN) after N bytes: the chunked body is cut short', async () => {
    const { url, connections } = await startProxy({ closeAfterBytes: 700 });
    await expect(post(url)).rejects.toThrow();
    await connections[0]!.closed;
    expect(connections[0]).toMatchObject({ closeReason: 'close-after-bytes', bytesToClient: 700 });
  });

  it('stalls after N bytes until the client gives up', async () => {
    const { url, connections } = await startProxy({ stallAfterBytes: 700 });
    const received: Buffer[] = [];
    const request = httpRequest(`${url}/v1/chat/completions`, { method: 'POST', agent: false }, (response) => {
      response.on('data', (chunk: Buffer) => received.push(chunk));
      response.on('error', () => undefined);
    });
    request.on('error', () => undefined);
    request.end('{"stream":true}');
    // Give the stall time to show: nothing beyond the threshold arrives.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(connections[0]!.bytesToClient).toBe(700);
    expect(connections[0]!.closedAt).toBeUndefined();
    const gaveUpAt = performance.now();
    request.destroy();
    await connections[0]!.closed;
    expect(connections[0]!.closeReason).toBe('client');
    expect(connections[0]!.closedAt! - gaveUpAt).toBeLessThan(200);
  });

  it('applies per-connection faults by index', async () => {
    proxy = await faultProxy({ target: mock.url, faults: (index) => (index === 0 ? { resetAfterBytes: 10 } : {}) });
    await expect(post(proxy.url)).rejects.toThrow();
    expect(contentOf((await post(proxy.url)).body)).toBe(TEXT);
    expect(proxy.connections.map((connection) => connection.faultTriggered)).toEqual([true, false]);
  });
});

describe('faultProxy with the openai SDK', () => {
  const client = (url: string) => new OpenAI({ apiKey: 'sk-test', baseURL: `${url}/v1`, maxRetries: 0 });
  const streamText = async (url: string, signal?: AbortSignal, onText?: () => void) => {
    const stream = await client(url).chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true },
      { signal },
    );
    let text = '';
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      onText?.();
    }
    return text;
  };

  it('reassembles a stream forwarded one byte per write with latency', async () => {
    const { url } = await startProxy({ splitBytes: 1, latencyMs: 5 });
    expect(await streamText(url)).toBe(TEXT);
  });

  it('throws when the proxy resets the connection mid-stream', async () => {
    const { url } = await startProxy({ resetAfterBytes: 1500 });
    await expect(streamText(url)).rejects.toThrow();
  });

  it('lets the SDK abort a stalled stream; the proxy and the mock both see the close', async () => {
    const { url, connections } = await startProxy({ stallAfterBytes: 1500 });
    mock.enqueue({ ...script, delivery: { eventDelayMs: 5 } });
    const controller = new AbortController();
    let abortedAt = 0;
    const onText = () => {
      if (abortedAt === 0) {
        setTimeout(() => {
          abortedAt = performance.now();
          controller.abort();
        }, 50);
        abortedAt = -1;
      }
    };
    const text = await streamText(url, controller.signal, onText);
    expect(TEXT.startsWith(text)).toBe(true);
    expect(text.length).toBeLessThan(TEXT.length);
    await connections[0]!.closed;
    const latency = connections[0]!.closedAt! - abortedAt;
    console.log(`SDK abort through the proxy: proxy saw the close after ${latency.toFixed(2)} ms`);
    expect(latency).toBeLessThan(200);
    await mock.requests[0]!.closed;
    expect(mock.requests[0]!.closedEarlyAt).toBeDefined();
  });
});
