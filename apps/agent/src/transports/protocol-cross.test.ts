import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { TOOL_LOOP_CHUNK_TYPES } from '@rxllm/core';
import {
  AGENT_EVENT_TYPES,
  type AgentEvent,
  type AgentEventType,
  decodeWebSocketFrame,
  encodeWebSocketFrame,
  isStatsSnapshot,
  type NumberedEvent,
  type ReceivedEvent,
  readAgentEvents,
  readStatsSnapshots,
  type StatsSnapshot,
} from '@rxllm/protocol';
import { from } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { postJson, startTestAgent, type TestAgent } from '../test-helpers.js';
import { OutboundQueue } from './outbound-queue.js';
import { serveSse } from './sse.js';

// The agent encodes, the CLI (apps/client) and the page (apps/web) decode: with the same @rxllm/protocol functions,
// which the last block below checks they call. Any side that drifts (an encoder that changes a field, a decoder
// that does not undo it, a consumer with its own parser) fails here.

type EventOf<TType extends AgentEventType> = Extract<AgentEvent, { type: TType }>;

/** Every event type in the shapes the agent sends; keyed by type, so a new type fails to compile until it is here. */
const samples: { [TType in AgentEventType]: EventOf<TType>[] } = {
  start: [
    {
      type: 'start',
      provider: 'anthropic',
      model: 'claude-x',
      id: 'msg_1',
      streamId: 'f1e2d3c4-0000-4000-8000-000000000001',
    },
  ],
  object: [
    { type: 'object', object: { city: 'Pa', tags: [] }, complete: false },
    { type: 'object', object: { city: 'Paris', tags: ['a'] }, complete: true },
  ],
  text: [
    { type: 'text', text: 'Grüße, 世界 🎉' },
    { type: 'text', text: 'line\r\nbreaks\n\ndata: {"type":"done"}\n\n\u2028\u2029' },
  ],
  reasoning: [
    { type: 'reasoning', text: 'thinking…' },
    { type: 'reasoning', text: '', providerMetadata: { anthropic: { signature: 'sig-1' } } },
  ],
  'tool-call': [
    { type: 'tool-call', index: 0, id: 'toolu_1', name: 'get_weather', argumentsDelta: '' },
    { type: 'tool-call', index: 0, argumentsDelta: '{"city":"Paris"}' },
  ],
  usage: [{ type: 'usage', usage: { inputTokens: 12, outputTokens: 30, cachedInputTokens: 4, reasoningTokens: 8 } }],
  finish: [{ type: 'finish', reason: 'tool-calls', rawReason: 'tool_use' }],
  failover: [
    {
      type: 'failover',
      from: { provider: 'openai', model: 'gpt-4.1-mini' },
      to: { provider: 'anthropic', model: 'claude-sonnet-5-5' },
      reason: { kind: 'network', message: 'the stream was cut' },
      mode: 'prefill',
    },
  ],
  'step-start': [{ type: 'step-start', step: 1 }],
  'tool-call-ready': [
    {
      type: 'tool-call-ready',
      step: 1,
      index: 0,
      id: 'call_1',
      name: 'calculator',
      input: { expression: '6 * 7' },
      arguments: '{"expression":"6 * 7"}',
    },
  ],
  'tool-approval-request': [
    { type: 'tool-approval-request', step: 1, toolCallId: 'call_1', name: 'calculator', input: { expression: '1' } },
  ],
  'tool-result': [
    { type: 'tool-result', step: 1, toolCallId: 'call_1', name: 'calculator', output: 42, durationMs: 1 },
    {
      type: 'tool-result',
      step: 1,
      toolCallId: 'call_2',
      name: 'clock',
      error: { kind: 'timeout', message: 'clock did not answer within 30000 ms' },
      durationMs: 30000,
    },
  ],
  'step-finish': [{ type: 'step-finish', step: 1, reason: 'tool-calls', toolCalls: 1 }],
  done: [{ type: 'done', metrics: { ttftMs: 12, chunks: 6, chars: 48, durationMs: 340 } }],
  error: [
    { type: 'error', error: { kind: 'overloaded', message: 'upstream 529' } },
    { type: 'error', error: { kind: 'shutdown', message: 'the server is shutting down' } },
    { type: 'error', error: { kind: 'slow-consumer', message: 'the client could not keep up and was dropped' } },
  ],
};

const [start] = samples.start;
const body: AgentEvent[] = [
  ...samples['step-start'],
  ...samples.text,
  ...samples.reasoning,
  ...samples['tool-call'],
  ...samples.usage,
  ...samples.finish,
  ...samples.failover,
  ...samples['tool-call-ready'],
  ...samples['tool-approval-request'],
  ...samples['tool-result'],
  ...samples['step-finish'],
  ...samples.object,
];
/** One completed stream, and one failed stream per error sample: every sample appears in some stream. */
const streams: NumberedEvent[][] = [
  [start!, ...body, ...samples.done],
  ...samples.error.map((error) => [start!, samples.text[0]!, error]),
].map((events) => events.map((event, index) => ({ id: index + 1, event })));

/** A ServerResponse that records what the agent writes, and says when it ended. */
function recordingResponse() {
  const written: string[] = [];
  let resolveEnded: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => {
    resolveEnded = resolve;
  });
  const response = Object.assign(new EventEmitter(), {
    writableLength: 0,
    destroyed: false,
    statusCode: 0,
    socket: { setNoDelay: () => undefined },
    writeHead(status: number) {
      response.statusCode = status;
      return response;
    },
    write(text: string) {
      written.push(text);
      return true;
    },
    end(text?: string) {
      if (text) written.push(text);
      resolveEnded();
    },
    destroy() {
      response.destroyed = true;
    },
  });
  return { response, written, ended };
}

/** A body delivering `text` in pieces of `size` bytes, so splits fall inside UTF-8 characters. */
function bodyOf(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<ReceivedEvent[]> {
  const events: ReceivedEvent[] = [];
  for await (const event of readAgentEvents(stream)) events.push(event);
  return events;
}

/** What the agent's SSE reply path writes for a stream of events. */
async function agentSseBytes(events: NumberedEvent[]): Promise<string> {
  const { response, written, ended } = recordingResponse();
  const session = serveSse({
    response: response as unknown as ServerResponse,
    events: from(events),
    streamId: 'cross',
    pingIntervalMs: 60_000,
    maxBufferedBytes: 1 << 20,
    slowConsumerGraceMs: 60_000,
  });
  await session.finished;
  await ended;
  expect(response.statusCode).toBe(200);
  return written.join('');
}

/** What the agent's WebSocket session sends: its encoder through its bounded queue, one frame per write. */
function agentWebSocketFrames(events: NumberedEvent[]): string[] {
  const frames: string[] = [];
  const queue = new OutboundQueue(
    { bufferedBytes: () => 0, write: (text) => frames.push(text) },
    { encode: encodeWebSocketFrame, maxBufferedBytes: 1 << 20, graceMs: 60_000, onSlowConsumer: () => undefined },
  );
  for (const event of events) queue.push(event);
  queue.dispose();
  return frames;
}

describe('every event type: encoded by the agent, decoded by the client and the page', () => {
  it('the samples cover every event type of the protocol', () => {
    expect(Object.keys(samples).sort()).toEqual([...AGENT_EVENT_TYPES].sort());
    const sent = new Set(streams.flat().map(({ event }) => event.type));
    expect([...sent].sort()).toEqual([...AGENT_EVENT_TYPES].sort());
  });

  for (const [index, events] of streams.entries()) {
    const name = `stream ${index + 1} (${events.at(-1)?.event.type})`;

    it(`${name}: the agent's SSE reply reads back as the same events, split anywhere`, async () => {
      const bytes = await agentSseBytes(events);
      for (const size of [1, 3, 64, bytes.length]) expect(await readAll(bodyOf(bytes, size))).toEqual(events);
    });

    it(`${name}: the agent's WebSocket frames read back as the same events`, () => {
      const frames = agentWebSocketFrames(events);
      expect(frames).toHaveLength(events.length);
      expect(frames.map(decodeWebSocketFrame)).toEqual(events);
    });
  }
});

describe('a real agent: SSE and WebSocket give the same events', () => {
  let harness: TestAgent;
  beforeAll(async () => {
    harness = await startTestAgent();
  });
  afterAll(async () => {
    await harness.close();
  });

  /** Only what differs between two runs of the same script: the stream id and the clock. */
  function normalised(events: ReceivedEvent[]) {
    return events.map(({ id, event }) => {
      if (event.type === 'start') return { id, event: { ...event, streamId: typeof event.streamId } };
      if (event.type === 'done')
        return { id, event: { ...event, metrics: { ...event.metrics, ttftMs: 0, durationMs: 0 } } };
      return { id, event };
    });
  }

  // A JSON answer is asked for, so that `object` events travel too.
  const chatBody = {
    message: 'Hi',
    provider: 'anthropic',
    responseFormat: { type: 'json', schema: { type: 'object' } },
  };

  async function overSse(): Promise<ReceivedEvent[]> {
    const response = await postJson(`${harness.agent.url}/chat`, chatBody);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    return readAll(response.body as ReadableStream<Uint8Array>);
  }

  async function overWebSocket(): Promise<ReceivedEvent[]> {
    const socket = new WebSocket(`${harness.agent.url.replace('http', 'ws')}/ws`);
    const events: ReceivedEvent[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => socket.send(JSON.stringify(chatBody)));
      socket.once('error', reject);
      socket.on('message', (data) => {
        const received = decodeWebSocketFrame(data.toString());
        events.push(received);
        if (received.event.type === 'done' || received.event.type === 'error') resolve();
      });
    });
    socket.close();
    return events;
  }

  const scripts = {
    completed: {
      id: 'msg_cross',
      events: [
        { type: 'reasoning' as const, text: 'Let me think…', signature: 'sig-cross' },
        { type: 'text' as const, text: '{"greeting":"Grüße, 世界 🎉\\n\\n"' },
        { type: 'text' as const, text: '}' },
        {
          type: 'tool-call' as const,
          id: 'toolu_cross',
          name: 'get_weather',
          argumentFragments: ['{"city":', '"Paris"}'],
        },
      ],
      usage: { inputTokens: 12, outputTokens: 30 },
      delivery: { split: 3 },
    },
    failed: {
      id: 'msg_cross',
      events: [
        { type: 'text' as const, text: 'partial' },
        { type: 'error' as const, status: 500 },
      ],
    },
  };

  for (const [name, script] of Object.entries(scripts)) {
    it(`${name}: the same events with the same ids over both transports`, async () => {
      harness.upstream.enqueue(script);
      const sse = await overSse();
      harness.upstream.enqueue(script);
      const ws = await overWebSocket();
      expect(normalised(ws)).toEqual(normalised(sse));
      expect(sse.map(({ id }) => id)).toEqual(sse.map((_, index) => index + 1));
      expect(sse.at(-1)?.event.type).toBe(name === 'completed' ? 'done' : 'error');
      if (name === 'completed') {
        const types = new Set(sse.map(({ event }) => event.type));
        // A generation without server-side tools or fallbacks: every type but the tool loop's (chat-tools.test.ts
        // has those) and `failover` (generation/fallback-providers.test.ts).
        const loopTypes: readonly string[] = TOOL_LOOP_CHUNK_TYPES;
        expect([...types].sort()).toEqual(
          AGENT_EVENT_TYPES.filter(
            (type) => type !== 'error' && type !== 'failover' && !loopTypes.includes(type),
          ).sort(),
        );
        expect(ws.find(({ event }) => event.type === 'tool-call' && event.id !== undefined)?.event).toMatchObject({
          id: 'toolu_cross',
          name: 'get_weather',
        });
        expect(ws[0]?.event).toMatchObject({ type: 'start', id: 'msg_cross' });
      }
    });
  }

  it('the dashboard feed: GET /stats and GET /stats/stream are StatsSnapshots, time in epoch milliseconds', async () => {
    const snapshot: unknown = await (await fetch(`${harness.agent.url}/stats`)).json();
    expect(isStatsSnapshot(snapshot)).toBe(true);
    const response = await fetch(`${harness.agent.url}/stats/stream`);
    let first: StatsSnapshot | undefined;
    // Leaving the loop cancels the body, which closes the feed.
    for await (const sample of readStatsSnapshots(response.body as ReadableStream<Uint8Array>)) {
      first = sample;
      break;
    }
    expect(Number.isSafeInteger(first?.time)).toBe(true);
    // Epoch milliseconds (after 2020): not seconds, not performance.now(), not an ISO string.
    expect(first?.time).toBeGreaterThan(1_600_000_000_000);
  });
});

describe('the client and the page decode with @rxllm/protocol, and with nothing of their own', () => {
  const apps = join(import.meta.dirname, '..', '..', '..');
  const sources = (app: string) =>
    readdirSync(join(apps, app, 'src'))
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.startsWith('test-'))
      .map((name) => ({ file: `${app}/src/${name}`, text: readFileSync(join(apps, app, 'src', name), 'utf8') }));
  const importsFromProtocol = (text: string) =>
    [...text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from '@rxllm\/protocol'/g)].flatMap((match) =>
      (match[1] ?? '').split(',').map((name) => name.replace(/^\s*type\s+/, '').trim()),
    );
  const read = (file: string) => readFileSync(join(apps, file), 'utf8');

  it('the CLI reads SSE with readAgentEvents and WebSocket frames with decodeWebSocketFrame', () => {
    const used = importsFromProtocol(read('client/src/stream-chat.ts'));
    expect(used).toEqual(expect.arrayContaining(['readAgentEvents', 'decodeWebSocketFrame', 'parseErrorBody']));
  });

  it('the page reads its replies and the stats feed with readAgentEvents and readStatsSnapshots', () => {
    const used = importsFromProtocol(read('web/src/chat-api.ts'));
    expect(used).toEqual(expect.arrayContaining(['readAgentEvents', 'readStatsSnapshots', 'parseErrorBody']));
  });

  it('neither holds a parser, an event declaration or the id swap of its own', () => {
    const all = [...sources('client'), ...sources('web')];
    expect(all.map(({ file }) => file)).toEqual(
      expect.arrayContaining(['client/src/stream-chat.ts', 'web/src/chat-api.ts']),
    );
    for (const { file, text } of all) {
      expect(text, file).not.toMatch(/from 'eventsource-parser'|createParser\(/);
      // `toolCallId` is also a field of its own (approval requests, tool results, the `approve` decision): only the
      // start event's swapped `responseId` still marks a hand-made swap.
      expect(text, file).not.toMatch(/responseId/);
      expect(text, file).not.toMatch(
        /(interface|type)\s+(\w*Event|\w*StreamMetrics|ServerMetrics|Stats\w*|ErrorPayload|ChatMessage|ChatUsage)\b\s*[={<]/,
      );
    }
  });
});
