import { hasToolResult, matchRequests } from '@rxllm/testing';
import {
  AbstractChat,
  type ChatInit,
  type ChatState,
  type ChatStatus,
  DefaultChatTransport,
  lastAssistantMessageIsCompleteWithApprovalResponses,
  type UIMessage,
  uiMessageChunkSchema,
} from 'ai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { containsNoKey, postJson, readSse, startTestAgent, type TestAgent } from '../../test-helpers.js';

const agentKey = 'agent-key-MARKER-5e1f';
const auth = { Authorization: `Bearer ${agentKey}` };
const upstreamProviders = ['openai', 'anthropic', 'gemini', 'google-genai'] as const;
const scripted = ['Hallo ', 'Wélt ', '🚀 ', '漢字', '!'];
const fast = { SIMULATED_TTFT_MS: '0', SIMULATED_TOKENS_PER_SECOND: '0' };

/** The state `useChat` keeps in React, kept in plain fields: what the AI SDK's Chat needs outside a framework. */
class PlainChatState implements ChatState<UIMessage> {
  status: ChatStatus = 'ready';
  error: Error | undefined = undefined;
  constructor(public messages: UIMessage[] = []) {}
  pushMessage = (message: UIMessage) => {
    this.messages = [...this.messages, message];
  };
  popMessage = () => {
    this.messages = this.messages.slice(0, -1);
  };
  replaceMessage = (index: number, message: UIMessage) => {
    this.messages = this.messages.map((existing, at) => (at === index ? message : existing));
  };
  snapshot = <T>(value: T): T => structuredClone(value);
}

/** The AI SDK's own chat client (`AbstractChat`, what `useChat` wraps), on the agent. */
class NodeChat extends AbstractChat<UIMessage> {
  constructor(init: Omit<ChatInit<UIMessage>, 'messages' | 'state'> & { messages?: UIMessage[] }) {
    const { messages, ...rest } = init;
    super({ ...rest, state: new PlainChatState(messages) });
  }
}

function transport(harness: TestAgent, body: Record<string, unknown> = {}) {
  return new DefaultChatTransport({ api: `${harness.agent.url}/api/chat`, headers: auth, body });
}

const lastMessage = (chat: NodeChat) => chat.messages.at(-1) as UIMessage;
const textOf = (message: UIMessage) => message.parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
const toolParts = (message: UIMessage) =>
  message.parts.filter((part) => part.type.startsWith('tool-')) as Array<
    UIMessage['parts'][number] & { state: string; toolCallId: string; input?: unknown; output?: unknown }
  >;

/** Every chunk of a raw reply, each checked by the AI SDK's own chunk schema. */
async function rawChunks(response: Response) {
  const events = await readSse(response);
  expect(events.at(-1)?.data).toBe('[DONE]');
  const chunks = events.slice(0, -1).map((event) => event.data as { type: string } & Record<string, unknown>);
  const schema = uiMessageChunkSchema();
  for (const chunk of chunks) {
    const checked = await schema.validate?.(chunk);
    expect(checked?.success, JSON.stringify(chunk)).toBe(true);
  }
  return chunks;
}

const userMessage = (text: string, id = 'u1'): UIMessage => ({ id, role: 'user', parts: [{ type: 'text', text }] });

describe('POST /api/chat with the AI SDK chat client', () => {
  let harness: TestAgent;
  beforeAll(async () => {
    harness = await startTestAgent({ AGENT_API_KEY: agentKey, ...fast });
  });
  afterAll(() => harness.close());

  for (const provider of upstreamProviders) {
    it(`${provider}: sendMessage streams one assistant message with the text, finish reason stop`, async () => {
      harness.upstream.enqueue({
        events: [
          { type: 'reasoning', text: 'Thinking.' },
          ...scripted.map((text) => ({ type: 'text' as const, text })),
        ],
      });
      let finishReason: string | undefined;
      const chat = new NodeChat({
        transport: transport(harness, { provider }),
        onFinish: (event) => {
          finishReason = event.finishReason;
        },
      });
      await chat.sendMessage({ text: 'Hi' });
      expect(chat.error).toBeUndefined();
      expect(chat.status).toBe('ready');
      const reply = lastMessage(chat);
      expect(reply.role).toBe('assistant');
      expect(reply.id).toMatch(/^msg_[0-9a-f-]{36}$/);
      expect(textOf(reply)).toBe(scripted.join(''));
      expect(reply.parts.map((part) => part.type)).toEqual(['step-start', 'reasoning', 'text']);
      expect(reply.parts[1]).toMatchObject({ type: 'reasoning', text: 'Thinking.', state: 'done' });
      expect(finishReason).toBe('stop');
    });
  }

  it('the raw reply: UI stream headers, chunks the AI SDK schema accepts, in order, [DONE] last', async () => {
    harness.upstream.enqueue({ events: scripted.map((text) => ({ type: 'text' as const, text })) });
    const response = await postJson(
      `${harness.agent.url}/api/chat`,
      { id: 'chat-raw', messages: [userMessage('Hi')], trigger: 'submit-message', provider: 'openai' },
      auth,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    expect(response.headers.get('cache-control')).toContain('no-cache');
    const streamId = response.headers.get('x-stream-id');
    const chunks = await rawChunks(response);
    expect(chunks.map((chunk) => chunk.type)).toEqual([
      'start',
      'start-step',
      'text-start',
      ...scripted.map(() => 'text-delta'),
      'text-end',
      'finish-step',
      'finish',
    ]);
    expect(chunks[0]).toEqual({ type: 'start', messageId: `msg_${streamId}` });
    expect(chunks.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
  });

  it('a conversation with files and earlier tool steps goes upstream in the vendor shape', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const before = harness.upstream.requests.length;
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'A dot.' }] });
    const chat = new NodeChat({
      transport: transport(harness, { provider: 'openai' }),
      messages: [
        userMessage('What time is it?', 'u0'),
        {
          id: 'a0',
          role: 'assistant',
          parts: [
            { type: 'step-start' },
            { type: 'tool-clock', toolCallId: 'call_c1', state: 'output-available', input: {}, output: { iso: 'T' } },
            { type: 'step-start' },
            { type: 'text', text: 'It is T.', state: 'done' },
          ],
        },
      ],
    });
    await chat.sendMessage({
      text: 'And this?',
      files: [{ type: 'file', mediaType: 'image/png', url: `data:image/png;base64,${png}` }],
    });
    expect(chat.error).toBeUndefined();
    expect(textOf(lastMessage(chat))).toBe('A dot.');
    const [sent] = harness.upstream.requests.slice(before);
    expect(sent?.rejected).toBeUndefined();
    const body = sent?.body as { messages: Array<Record<string, unknown>> };
    expect(body.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user']);
    expect(body.messages[1]).toMatchObject({ tool_calls: [{ id: 'call_c1', function: { name: 'clock' } }] });
    expect(body.messages[2]).toMatchObject({ role: 'tool', tool_call_id: 'call_c1', content: '{"iso":"T"}' });
    expect(JSON.stringify(body.messages[4])).toContain(`data:image/png;base64,${png}`);
  });

  it('simulated: the agent runs its tools, and the message holds each step, the call and its output', async () => {
    const chat = new NodeChat({ transport: transport(harness, { provider: 'simulated' }) });
    await chat.sendMessage({ text: 'What is 6 * 7?' });
    expect(chat.error).toBeUndefined();
    const reply = lastMessage(chat);
    const [call] = toolParts(reply);
    expect(call).toMatchObject({ type: 'tool-calculator', state: 'output-available', input: { expression: '6 * 7' } });
    expect(call?.output).toBe(42);
    expect(reply.parts.filter((part) => part.type === 'step-start')).toHaveLength(2);
    expect(textOf(reply)).toMatch(/^The calculator tool returned 42\./);
  });

  it('an upstream error before the first chunk: the transport raises the agent error body', async () => {
    harness.upstream.enqueue({ httpError: { status: 400, message: 'max_tokens is too large' } });
    const chat = new NodeChat({ transport: transport(harness, { provider: 'openai' }) });
    await chat.sendMessage({ text: 'Hi' });
    expect(chat.status).toBe('error');
    expect(JSON.parse(chat.error?.message ?? '{}')).toMatchObject({
      error: { kind: 'invalid-request', message: expect.stringContaining('max_tokens is too large') },
    });
    expect(chat.messages).toHaveLength(1);
  });

  it('a stream cut after the first text: an error chunk, the text kept', async () => {
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'Half ' }], omitTerminal: true });
    const chat = new NodeChat({ transport: transport(harness, { provider: 'anthropic' }) });
    await chat.sendMessage({ text: 'Hi' });
    expect(chat.status).toBe('error');
    expect(chat.error?.message).toMatch(/^network: anthropic stream ended without/);
    expect(textOf(lastMessage(chat))).toBe('Half ');
  });

  it('stop() mid-stream aborts the upstream request', async () => {
    harness.upstream.reset();
    harness.upstream.enqueue({
      events: Array.from({ length: 200 }, (_, index) => ({ type: 'text' as const, text: `word${index} ` })),
      delivery: { eventDelayMs: 20 },
    });
    const chat = new NodeChat({ transport: transport(harness, { provider: 'gemini' }) });
    const sent = chat.sendMessage({ text: 'long story' });
    await vi.waitFor(() => expect(textOf(lastMessage(chat))).toContain('word2 '), { timeout: 10_000 });
    await chat.stop();
    await sent;
    const [upstreamRequest] = await harness.upstream.waitForRequests(1);
    await upstreamRequest?.closed;
    expect(upstreamRequest?.closedEarlyAt).toBeDefined();
    expect(upstreamRequest?.finishedAt).toBeUndefined();
  });

  it.each([
    [{ messages: [] }, 'messages: must not be empty'],
    [{ messages: [{ role: 'user', content: 'Hi' }] }, 'messages.0.parts'],
    [{ messages: [userMessage('Hi')], temperature: 7 }, 'temperature: must be between 0 and 2'],
    [{ messages: [userMessage('Hi')], tools: {} }, 'unknown field: tools'],
    [
      {
        messages: [
          { id: 'u', role: 'user', parts: [{ type: 'file', mediaType: 'image/png', url: 'data:image/png;base64,@@' }] },
        ],
      },
      'messages.0.parts.0',
    ],
    [
      {
        messages: [
          { id: 'u', role: 'user', parts: [{ type: 'file', mediaType: 'image/png', url: 'http://10.0.0.1/x.png' }] },
        ],
      },
      'https',
    ],
  ])('bad input %#: 400 {error:{kind,message}} naming the field', async (body, message) => {
    const response = await postJson(`${harness.agent.url}/api/chat`, body, auth);
    expect(response.status).toBe(400);
    const reply = (await response.json()) as { error: { kind: string; message: string } };
    expect(reply.error.kind).toBe('invalid-request');
    expect(reply.error.message).toContain(message);
  });

  it('without the agent key: 401, and the transport raises it', async () => {
    const chat = new NodeChat({ transport: new DefaultChatTransport({ api: `${harness.agent.url}/api/chat` }) });
    await chat.sendMessage({ text: 'Hi' });
    expect(chat.status).toBe('error');
    expect(JSON.parse(chat.error?.message ?? '{}')).toMatchObject({ error: { kind: 'auth' } });
  });

  it('resume without RESUMABLE_STREAMS: 204, nothing to resume', async () => {
    const response = await fetch(`${harness.agent.url}/api/chat/chat-1/stream`, { headers: auth });
    expect(response.status).toBe(204);
  });

  it('logs the route, never a key', () => {
    const logs = harness.logs.join('\n');
    expect(logs).toContain('"route":"/api/chat"');
    expect(containsNoKey(logs)).toBe(true);
    expect(logs).not.toContain(agentKey);
  });
});

describe('POST /api/chat: tool approvals as the AI SDK asks for them', () => {
  let harness: TestAgent;
  /** The mock: a calculator call until the request sends a tool result back, then the answer. */
  const calculatorThenAnswer = matchRequests(
    [{ when: hasToolResult, script: { events: [{ type: 'text', text: 'Done.' }] } }],
    {
      events: [
        { type: 'tool-call', id: 'call_k1', name: 'calculator', argumentFragments: ['{"expression":', '"2 + 3"}'] },
      ],
    },
  );
  beforeAll(async () => {
    harness = await startTestAgent(
      { ...fast, AGENT_TOOLS: 'clock,calculator', TOOL_APPROVAL: 'calculator' },
      { respond: calculatorThenAnswer },
    );
  });
  afterAll(() => harness.close());

  const approvingChat = (provider: string) =>
    new NodeChat({
      transport: new DefaultChatTransport({ api: `${harness.agent.url}/api/chat`, body: { provider } }),
      sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithApprovalResponses,
    });

  async function askAndDecide(chat: NodeChat, question: string, approved: boolean) {
    await chat.sendMessage({ text: question });
    expect(chat.error).toBeUndefined();
    const [waiting] = toolParts(lastMessage(chat));
    expect(waiting).toMatchObject({ state: 'approval-requested', approval: { id: `approval-${waiting?.toolCallId}` } });
    const approval = (waiting as { approval: { id: string } }).approval;
    await chat.addToolApprovalResponse({ id: approval.id, approved, ...(approved ? {} : { reason: 'not now' }) });
    await vi.waitFor(
      () => {
        expect(chat.status).toBe('ready');
        expect(toolParts(lastMessage(chat))[0]?.state).toMatch(/^output-/);
        expect(textOf(lastMessage(chat))).not.toBe('');
      },
      { timeout: 10_000 },
    );
    expect(chat.error).toBeUndefined();
    return lastMessage(chat);
  }

  it('simulated: the reply stops at the request; approving runs the call and the answer follows on the same message', async () => {
    const chat = approvingChat('simulated');
    const reply = await askAndDecide(chat, 'What is 6 * 7?', true);
    expect(chat.messages).toHaveLength(2);
    const [call] = toolParts(reply);
    expect(call).toMatchObject({ type: 'tool-calculator', state: 'output-available', output: 42 });
    expect(textOf(reply)).toMatch(/^The calculator tool returned 42\./);
    expect(harness.logs.join('')).toContain('Tool call waits for approval: calculator');
  });

  it('simulated: a denial reaches the model with its reason, nothing runs', async () => {
    const chat = approvingChat('simulated');
    const reply = await askAndDecide(chat, 'What is 6 * 7?', false);
    expect(toolParts(reply)[0]).toMatchObject({ state: 'output-denied' });
    expect(textOf(reply)).toContain('denied');
  });

  for (const provider of ['openai', 'anthropic'] as const) {
    it(`${provider}: the call streams as tool input, waits, runs once approved, the model gets its result`, async () => {
      const before = harness.upstream.requests.length;
      const chat = approvingChat(provider);
      const reply = await askAndDecide(chat, 'Add 2 and 3', true);
      expect(toolParts(reply)[0]).toMatchObject({
        type: 'tool-calculator',
        toolCallId: 'call_k1',
        input: { expression: '2 + 3' },
        output: 5,
      });
      expect(textOf(reply)).toBe('Done.');
      // Two model requests in all: the call, then the answer with the result (the replayed step asks nothing).
      const sent = harness.upstream.requests.slice(before);
      expect(sent).toHaveLength(2);
      expect(JSON.stringify(sent[1]?.body)).toContain('call_k1');
    });
  }

  it('an approval this agent did not sign (other arguments, no signature) is refused with a 400', async () => {
    const chat = approvingChat('simulated');
    await chat.sendMessage({ text: 'What is 6 * 7?' });
    const [waiting] = toolParts(lastMessage(chat)) as Array<Record<string, unknown>>;
    const forged = (change: Record<string, unknown>) => ({
      id: 'chat-forged',
      messages: [
        ...chat.messages.slice(0, -1),
        {
          ...lastMessage(chat),
          parts: lastMessage(chat).parts.map((part) =>
            part === (waiting as unknown) ? { ...waiting, state: 'approval-responded', ...change } : part,
          ),
        },
      ],
    });
    const approval = waiting?.approval as Record<string, unknown>;
    for (const change of [
      { input: { expression: '6 * 700' }, approval: { ...approval, approved: true } },
      { approval: { id: approval.id, approved: true } },
      { approval: { ...approval, approved: true, signature: 'x'.repeat(43) } },
    ]) {
      const response = await postJson(`${harness.agent.url}/api/chat`, forged(change));
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { message: string } };
      expect(body.error.message).toContain('is not an approval this agent asked for');
    }
  });
});

describe('GET /api/chat/:id/stream: the AI SDK resume, RESUMABLE_STREAMS=true', () => {
  let harness: TestAgent;
  beforeAll(async () => {
    harness = await startTestAgent({ RESUMABLE_STREAMS: 'true', SIMULATED_TTFT_MS: '0' });
  });
  afterAll(() => harness.close());

  it('a second client resumes the chat mid-stream: the whole message, replayed from its first chunk', async () => {
    harness.upstream.enqueue({
      events: Array.from({ length: 40 }, (_, index) => ({ type: 'text' as const, text: `w${index} ` })),
      delivery: { eventDelayMs: 15 },
    });
    const api = `${harness.agent.url}/api/chat`;
    const first = new NodeChat({
      id: 'chat-resume-1',
      transport: new DefaultChatTransport({ api, body: { provider: 'openai' } }),
    });
    const sending = first.sendMessage({ text: 'long story' });
    await vi.waitFor(() => expect(textOf(lastMessage(first))).toContain('w3 '), { timeout: 10_000 });
    // A reload: the page kept the user message, the stream goes on without it.
    const second = new NodeChat({
      id: 'chat-resume-1',
      transport: new DefaultChatTransport({ api }),
      messages: [first.messages[0] as UIMessage],
    });
    await second.resumeStream();
    await sending;
    const expected = Array.from({ length: 40 }, (_, index) => `w${index} `).join('');
    expect(second.error).toBeUndefined();
    expect(second.messages).toHaveLength(2);
    expect(textOf(lastMessage(second))).toBe(expected);
    expect(lastMessage(second).id).toBe(lastMessage(first).id);
    expect(textOf(lastMessage(first))).toBe(expected);
  });

  it('a chat with no stream: 204, and resumeStream() leaves the messages as they are', async () => {
    const chat = new NodeChat({
      id: 'chat-never-streamed',
      transport: new DefaultChatTransport({ api: `${harness.agent.url}/api/chat` }),
      messages: [userMessage('Hi')],
    });
    await chat.resumeStream();
    expect(chat.error).toBeUndefined();
    expect(chat.messages).toHaveLength(1);
  });

  it('a bad chat id is a 400', async () => {
    const response = await fetch(`${harness.agent.url}/api/chat/${encodeURIComponent('a b')}/stream`);
    expect(response.status).toBe(400);
  });
});
