import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MockUpstream } from './api.js';
import { mockUpstream } from './mock-upstream.js';
import type { MockEvent, MockScript } from './script.js';
import { type SdkClient, sdkClients, settle, thrown } from './test-sdk-clients.js';

// Multi-byte on purpose: 2-, 3- and 4-byte UTF-8 sequences and a grapheme made of two code points.
const PIECES = ['Hello', ', wörld', ' — 世界', ' 👋🏽', '!'];
const TEXT = PIECES.join('');
const textEvents = (pieces: readonly string[] = PIECES): MockEvent[] => pieces.map((text) => ({ type: 'text', text }));
const stopReason: Record<SdkClient['vendor'], string> = { openai: 'stop', anthropic: 'end_turn', gemini: 'STOP' };

let mock: MockUpstream;
beforeAll(async () => {
  mock = await mockUpstream();
});
beforeEach(() => mock.reset());
afterAll(() => mock.close());

describe.each(sdkClients)('$name SDK against the mock', (client) => {
  const streamWith = async (script: MockScript, options?: Parameters<SdkClient['stream']>[1]) => {
    mock.enqueue(script);
    return client.stream(mock, options);
  };

  it('streams the scripted text exactly, with the terminal event', async () => {
    const result = await streamWith({ events: textEvents() });
    expect(result.text).toBe(TEXT);
    expect(result.sawTerminal).toBe(true);
    expect(result.finishReason).toBe(stopReason[client.vendor]);
    expect(mock.requests[0]?.vendor).toBe(client.vendor);
  });

  it('delivers each event as its own text delta (one write per event)', async () => {
    const deltas: string[] = [];
    await streamWith({ events: textEvents() }, { onText: (text) => deltas.push(text) });
    expect(deltas).toEqual(PIECES);
  });

  it('waits out a delay before the headers and before the first byte', async () => {
    const started = performance.now();
    const result = await streamWith({ events: textEvents(), delivery: { headersDelayMs: 30, firstByteDelayMs: 30 } });
    const elapsed = performance.now() - started;
    expect(result.text).toBe(TEXT);
    expect(elapsed).toBeGreaterThanOrEqual(55);
  });

  it('keeps the text exact with a delay between events', async () => {
    const arrivals: number[] = [];
    const result = await streamWith(
      { events: textEvents(), delivery: { eventDelayMs: 15 } },
      { onText: () => arrivals.push(performance.now()) },
    );
    expect(result.text).toBe(TEXT);
    expect(arrivals.length).toBe(PIECES.length);
    // The deltas arrived spread out, not in one burst: the first and last are at least (n-1) gaps apart.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual((PIECES.length - 1) * 15 - 5);
  });

  it('reassembles a body written one byte at a time, cut inside UTF-8 characters', async () => {
    const result = await streamWith({ events: textEvents(), delivery: { split: 1 } });
    expect(result.text).toBe(TEXT);
    expect(result.sawTerminal).toBe(true);
  });

  it('reassembles a body cut every 7 bytes and at explicit offsets', async () => {
    expect((await streamWith({ events: textEvents(), delivery: { split: 7 } })).text).toBe(TEXT);
    expect((await streamWith({ events: textEvents(), delivery: { split: [1, 2, 3, 50, 51, 300] } })).text).toBe(TEXT);
  });

  it('parses a whole body delivered in one write', async () => {
    const result = await streamWith({ events: textEvents(), delivery: { split: 'one-write' } });
    expect(result.text).toBe(TEXT);
    expect(result.sawTerminal).toBe(true);
  });

  it(`accepts the other line ending (${client.vendor === 'gemini' ? 'LF' : 'CRLF'})`, async () => {
    const lineEnding = client.vendor === 'gemini' ? 'lf' : 'crlf';
    const result = await streamWith({ events: textEvents(), delivery: { lineEnding, split: 3 } });
    expect(result.text).toBe(TEXT);
  });

  it('reports the scripted usage', async () => {
    const result = await streamWith({ events: textEvents(), usage: { inputTokens: 9, outputTokens: 21 } });
    expect(result.outputTokens).toBe(21);
  });

  it('streams reasoning and a tool call', async () => {
    const result = await streamWith({
      events: [
        { type: 'reasoning', text: 'Thinking about ' },
        { type: 'reasoning', text: 'the weather.', signature: 'sig-1' },
        { type: 'text', text: 'Let me check.' },
        { type: 'tool-call', id: 'call_1', name: 'weather', argumentFragments: ['{"city"', ':"Paris"}'] },
      ],
    });
    expect(result.text).toBe('Let me check.');
    expect(result.toolCalls).toHaveLength(1);
    expect(result.toolCalls[0]?.name).toBe('weather');
    expect(JSON.parse(result.toolCalls[0]?.arguments ?? '')).toEqual({ city: 'Paris' });
    expect(result.reasoning).toBe('Thinking about the weather.');
    const expectedFinish = { openai: 'tool_calls', anthropic: 'tool_use', gemini: 'STOP' }[client.vendor];
    expect(result.finishReason).toBe(expectedFinish);
  });

  if (client.name === 'generative-ai') {
    it('fails on comment lines, as the real SDK does against a proxy that injects them', async () => {
      const error = await thrown(() =>
        streamWith({
          events: [{ type: 'text', text: 'Hi' }, { type: 'comment', text: 'keep-alive' }, ...textEvents()],
        }),
      );
      expect(String((error as Error).message)).toContain('Failed to parse stream');
    });
  } else {
    it('ignores comment / ping lines between events', async () => {
      const result = await streamWith({
        events: [
          { type: 'comment' },
          ...textEvents(['Hel']),
          { type: 'comment', text: 'keep-alive' },
          ...textEvents(['lo']),
        ],
      });
      expect(result.text).toBe('Hello');
      expect(result.sawTerminal).toBe(true);
    });
  }

  describe('HTTP errors with the vendor error body', () => {
    const statuses =
      client.vendor === 'anthropic' ? [400, 401, 403, 404, 429, 500, 529] : [400, 401, 403, 404, 429, 500, 503];
    it.each(statuses)('status %i', async (status) => {
      const message = `scripted failure ${status}`;
      const error = await thrown(() => streamWith({ httpError: { status, message } }));
      expect((error as { status?: number }).status).toBe(status);
      expect(String((error as Error).message)).toContain(message);
    });

    it('exposes retry-after-ms and retry-after on a 429', async () => {
      const headers = { 'retry-after-ms': '20', 'retry-after': '1' };
      const error = await thrown(() => streamWith({ httpError: { status: 429, headers } }));
      expect((error as { status?: number }).status).toBe(429);
      const errorHeaders = (error as { headers?: Headers }).headers;
      if (client.vendor === 'gemini') {
        // Neither Google SDK keeps response headers on its error; the mock's reply itself carries them.
        expect(errorHeaders).toBeUndefined();
      } else {
        expect(errorHeaders?.get('retry-after-ms')).toBe('20');
        expect(errorHeaders?.get('retry-after')).toBe('1');
      }
    });
  });

  if (client.name === 'generative-ai') {
    it('swallows a framed error mid-stream (the real SDK yields a chunk without candidates)', async () => {
      const result = await streamWith({ events: [...textEvents(['Hel', 'lo']), { type: 'error', status: 500 }] });
      expect(result.text).toBe('Hello');
      expect(result.sawTerminal).toBe(false);
    });
  } else {
    it('throws on an error event mid-stream, after the text already delivered', async () => {
      const deltas: string[] = [];
      const error = await thrown(() =>
        streamWith(
          {
            events: [
              ...textEvents(['Hel', 'lo']),
              { type: 'error', status: client.vendor === 'anthropic' ? 529 : 500 },
            ],
          },
          { onText: (text) => deltas.push(text) },
        ),
      );
      expect(deltas.join('')).toBe('Hello');
      const expected = { openai: 'server_error', anthropic: 'overloaded_error', gemini: 'INTERNAL' }[client.vendor];
      expect(String((error as Error).message) + JSON.stringify(error)).toContain(expected);
    });
  }

  it('ends quietly without the terminal event when omitTerminal is set (the caller must notice)', async () => {
    const result = await streamWith({ events: textEvents(), omitTerminal: true });
    expect(result.text).toBe(TEXT);
    expect(result.sawTerminal).toBe(false);
    expect(mock.requests[0]?.finishedAt).toBeDefined();
  });

  it('throws when the connection drops mid-stream', async () => {
    const deltas: string[] = [];
    const error = await thrown(() =>
      streamWith({ events: textEvents(), delivery: { dropAfterEvents: 2 } }, { onText: (text) => deltas.push(text) }),
    );
    expect(error).toBeInstanceOf(Error);
    expect(deltas).toEqual(PIECES.slice(0, 2));
    await mock.requests[0]?.closed;
    expect(mock.requests[0]?.droppedAt).toBeDefined();
    expect(mock.requests[0]?.closedEarlyAt).toBeUndefined();
  });

  it('stalls until the client aborts, and records the close', async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    const outcome = await settle(() =>
      streamWith(
        { events: textEvents(), delivery: { stallAfterEvents: 1 } },
        {
          signal: controller.signal,
          onText: () => {
            setTimeout(() => {
              abortedAt = performance.now();
              controller.abort();
            }, 20);
          },
        },
      ),
    );
    // Stainless SDKs end iteration quietly on abort; the Google SDKs throw. Either way no terminal event arrived.
    if (client.vendor === 'gemini') expect(outcome.error).toBeDefined();
    else expect(outcome.result?.sawTerminal).toBe(false);
    const request = mock.requests[0]!;
    await request.closed;
    const latency = request.closedEarlyAt! - abortedAt;
    console.log(`[${client.name}] abort → mock saw the close after ${latency.toFixed(2)} ms`);
    expect(latency).toBeGreaterThanOrEqual(0);
    expect(latency).toBeLessThan(200);
  });
});
