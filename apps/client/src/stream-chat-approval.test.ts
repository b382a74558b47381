import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LLMError, ToolApprovalRequestChunk } from '@rxllm/core';
import type { AgentEvent, ToolApprovalBody } from '@rxllm/protocol';
import { encodeWebSocketFrame } from '@rxllm/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { type StreamChatOptions, streamChat, type ToolApprovalDecision } from './stream-chat.js';

// A stand-in agent that asks for two approvals and waits for both decisions (POST /chat/s1/approve, or `approve`
// frames on the socket) before it goes on, as an agent with TOOL_APPROVAL does. The real agent runs in
// main-tools.test.ts.
const streamId = 's1';
const request = (toolCallId: string): ToolApprovalRequestChunk => ({
  type: 'tool-approval-request',
  step: 1,
  toolCallId,
  name: 'calculator',
  input: { expression: '6 * 7' },
});
const before: AgentEvent[] = [
  { type: 'start', provider: 'simulated', model: 'm', streamId },
  { type: 'step-start', step: 1 },
  request('c1'),
  request('c2'),
];
const after = (decisions: ToolApprovalBody[]): AgentEvent[] => [
  ...decisions.map(
    (decision): AgentEvent => ({
      type: 'tool-result',
      step: 1,
      toolCallId: decision.toolCallId,
      name: 'calculator',
      ...(decision.approved
        ? { output: 42 }
        : { denied: true as const, error: { kind: 'denied' as const, message: decision.reason ?? '' } }),
      durationMs: 1,
    }),
  ),
  { type: 'step-finish', step: 1, reason: 'tool-calls', toolCalls: 2, stoppedBy: 'max-steps' },
  { type: 'done', metrics: { ttftMs: 1, chunks: 0, chars: 0, durationMs: 2 } },
];

interface Recorded {
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

let server: Server;
let webSockets: WebSocketServer;
let url: string;
let posts: Recorded[] = [];
let frames: unknown[] = [];
/** What the approve route answers for a call id (default 202). */
let approveStatus: (toolCallId: string) => number = () => 202;
let decided: (decision: ToolApprovalBody) => void = () => {};

function waitForDecisions(count: number): {
  received: Promise<ToolApprovalBody[]>;
  add: (body: ToolApprovalBody) => void;
} {
  const decisions: ToolApprovalBody[] = [];
  let resolve: (value: ToolApprovalBody[]) => void = () => {};
  const received = new Promise<ToolApprovalBody[]>((done) => {
    resolve = done;
  });
  return {
    received,
    add(body) {
      decisions.push(body);
      if (decisions.length === count) resolve(decisions);
    },
  };
}

function sse(response: ServerResponse, list: readonly AgentEvent[], firstId: number) {
  for (const [index, event] of list.entries()) {
    response.write(`id: ${firstId + index}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const part of request) text += String(part);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

beforeAll(async () => {
  server = createServer(async (incoming, response) => {
    const body = await readBody(incoming);
    const path = incoming.url ?? '';
    if (path === '/chat') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'x-stream-id': streamId });
      sse(response, before, 1);
      const waiting = waitForDecisions(2);
      decided = waiting.add;
      sse(response, after(await waiting.received), before.length + 1);
      response.end();
      return;
    }
    posts.push({ path, headers: incoming.headers, body });
    if (path === `/chat/${streamId}/approve`) {
      const decision = body as ToolApprovalBody;
      const status = approveStatus(decision.toolCallId);
      response.writeHead(status, { 'content-type': 'application/json' });
      if (status !== 202) {
        response.end(JSON.stringify({ error: { kind: 'invalid-request', message: 'not waiting for a decision' } }));
        decided({ ...decision, approved: false, reason: 'the agent timed it out' });
        return;
      }
      response.end(JSON.stringify({ decided: true }));
      decided(decision);
      return;
    }
    response.writeHead(202).end();
  });
  webSockets = new WebSocketServer({ server, path: '/ws' });
  webSockets.on('connection', (socket: WebSocket) => {
    const send = (list: readonly AgentEvent[], firstId: number) => {
      for (const [index, event] of list.entries()) socket.send(encodeWebSocketFrame({ id: firstId + index, event }));
    };
    const waiting = waitForDecisions(2);
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type?: string } & ToolApprovalBody;
      frames.push(message);
      if (message.type === undefined) send(before, 1);
      if (message.type !== 'approve') return;
      if (approveStatus(message.toolCallId) !== 202) {
        const error = { kind: 'invalid-request', message: `${message.toolCallId} is not waiting for a decision` };
        socket.send(JSON.stringify({ type: 'error', error, id: 0 }));
        waiting.add({ ...message, approved: false, reason: 'the agent timed it out' });
        return;
      }
      waiting.add(message);
    });
    void waiting.received.then((decisions) => send(after(decisions), before.length + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const client of webSockets.clients) client.terminate();
  webSockets.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  posts = [];
  frames = [];
  approveStatus = () => 202;
});

/** Runs a stream whose decisions come from `answers` (by call id), recording the order of the calls. */
async function run(
  transport: 'sse' | 'ws',
  answers: Record<string, ToolApprovalDecision | undefined>,
  extra: Partial<StreamChatOptions> = {},
) {
  const log: string[] = [];
  const refused: Array<{ error: LLMError; toolCallId: string }> = [];
  const events: AgentEvent[] = [];
  for await (const event of streamChat({
    url,
    prompt: 'What is 6 * 7?',
    transport,
    apiKey: 'agent-key',
    toolApproval: {
      decide: async (asked) => {
        log.push(`decide ${asked.toolCallId}`);
        // The next request waits until this one is decided: nothing else is logged meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 30));
        log.push(`decided ${asked.toolCallId}`);
        return answers[asked.toolCallId];
      },
      onRefused: (error, asked) => refused.push({ error, toolCallId: asked.toolCallId }),
    },
    ...extra,
  })) {
    events.push(event);
    if (event.type === 'tool-approval-request') log.push(`event ${event.toolCallId}`);
  }
  return { log, refused, events };
}

const answers = {
  c1: { approved: true },
  c2: { approved: false, reason: 'not now' },
};

describe('streamChat tool approvals over SSE', () => {
  it('decides one request at a time, in order, and posts each decision with the agent key', async () => {
    const result = await run('sse', answers);
    expect(result.log).toEqual(['event c1', 'decide c1', 'decided c1', 'event c2', 'decide c2', 'decided c2']);
    expect(posts.map((post) => [post.path, post.body])).toEqual([
      ['/chat/s1/approve', { toolCallId: 'c1', approved: true }],
      ['/chat/s1/approve', { toolCallId: 'c2', approved: false, reason: 'not now' }],
    ]);
    for (const post of posts) {
      expect(post.headers.authorization).toBe('Bearer agent-key');
      expect(post.headers['content-type']).toBe('application/json');
    }
    expect(result.refused).toEqual([]);
    const results = result.events.filter((event) => event.type === 'tool-result');
    expect(results).toMatchObject([
      { toolCallId: 'c1', output: 42 },
      { toolCallId: 'c2', denied: true },
    ]);
    expect(result.events.at(-1)?.type).toBe('done');
  });

  it('reports a refused decision and goes on with the stream', async () => {
    approveStatus = (toolCallId) => (toolCallId === 'c2' ? 409 : 202);
    const result = await run('sse', answers);
    expect(result.refused).toHaveLength(1);
    expect(result.refused[0]?.toolCallId).toBe('c2');
    expect(result.refused[0]?.error).toMatchObject({ kind: 'invalid-request', status: 409 });
    expect(result.refused[0]?.error.message).toContain('not waiting for a decision');
    expect(result.events.at(-1)?.type).toBe('done');
  });

  it('sends nothing for a request the handler leaves undecided', async () => {
    const stream = streamChat({
      url,
      prompt: 'hi',
      toolApproval: { decide: async (asked) => (asked.toolCallId === 'c1' ? undefined : { approved: true }) },
    });
    const seen: string[] = [];
    for await (const event of stream) {
      seen.push(event.type);
      // The stand-in waits for two decisions: give it the one this client leaves to someone else.
      if (event.type === 'tool-approval-request' && event.toolCallId === 'c2') {
        decided({ toolCallId: 'c1', approved: true });
      }
    }
    expect(posts.map((post) => post.body)).toEqual([{ toolCallId: 'c2', approved: true }]);
    expect(seen.at(-1)).toBe('done');
  });

  it('an abort while deciding ends the stream as aborted and cancels the generation', async () => {
    const controller = new AbortController();
    const stream = streamChat({
      url,
      prompt: 'hi',
      signal: controller.signal,
      toolApproval: {
        decide: (_asked, signal) =>
          new Promise((_resolve, reject) => {
            signal.addEventListener('abort', () => reject(new Error('the question was interrupted')));
            controller.abort();
          }),
      },
    });
    const error = await (async () => {
      for await (const _ of stream) {
        // Reading until it throws.
      }
    })().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'aborted' });
    expect(posts.map((post) => post.path)).toEqual(['/chat/s1/cancel']);
    decided({ toolCallId: 'c1', approved: false });
    decided({ toolCallId: 'c2', approved: false });
  });

  it('only yields the requests without a toolApproval handler', async () => {
    const seen: AgentEvent[] = [];
    for await (const event of streamChat({ url, prompt: 'hi' })) {
      seen.push(event);
      if (event.type === 'tool-approval-request') decided({ toolCallId: event.toolCallId, approved: true });
    }
    expect(seen.filter((event) => event.type === 'tool-approval-request')).toHaveLength(2);
    expect(posts).toEqual([]);
  });
});

describe('streamChat tool approvals over WebSocket', () => {
  it('sends each decision as an approve frame on the same socket, in order', async () => {
    const result = await run('ws', answers);
    expect(result.log).toEqual(['event c1', 'decide c1', 'decided c1', 'event c2', 'decide c2', 'decided c2']);
    expect(frames.slice(1)).toEqual([
      { type: 'approve', toolCallId: 'c1', approved: true },
      { type: 'approve', toolCallId: 'c2', approved: false, reason: 'not now' },
    ]);
    expect(posts).toEqual([]);
    expect(result.events.filter((event) => event.type === 'tool-result')).toMatchObject([
      { toolCallId: 'c1', output: 42 },
      { toolCallId: 'c2', denied: true },
    ]);
    expect(result.events.at(-1)?.type).toBe('done');
  });

  // c1's refusal comes while c2 is being decided; c2's while c1 (taken) still waits for its result.
  it.each(['c1', 'c2'])(
    'takes an id-0 error frame after a decision as the refusal of %s, not as the end of the stream',
    async (refusedId) => {
      approveStatus = (toolCallId) => (toolCallId === refusedId ? 409 : 202);
      const result = await run('ws', answers);
      expect(result.refused.map(({ toolCallId, error }) => [toolCallId, error.kind])).toEqual([
        [refusedId, 'invalid-request'],
      ]);
      expect(result.refused[0]?.error.message).toBe(`${refusedId} is not waiting for a decision`);
      expect(result.events.at(-1)?.type).toBe('done');
    },
  );
});
