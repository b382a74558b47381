import type { AgentEvent } from '@rxllm/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { approveToolCall, ChatError, fetchModels, streamChat } from './chat-api.js';

function eventStream(text: string, pieceSize: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + pieceSize));
      offset += pieceSize;
    },
  });
}

function sse(events: AgentEvent[]): string {
  return events
    .map((event, index) => `id: ${index + 1}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
    .join('');
}

function respondWith(response: Response) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return response;
  });
  return calls;
}

async function collect(iterable: AsyncIterable<AgentEvent>) {
  const events: AgentEvent[] = [];
  try {
    for await (const event of iterable) events.push(event);
    return { events, error: undefined };
  } catch (error) {
    return { events, error: error as ChatError };
  }
}

const reply: AgentEvent[] = [
  { type: 'start', provider: 'openai', model: 'gpt' },
  { type: 'text', text: 'Hé ' },
  { type: 'text', text: '**世界**' },
  { type: 'finish', reason: 'stop' },
  { type: 'done', metrics: { ttftMs: 3, chunks: 2, chars: 9, durationMs: 5 } },
];

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('streamChat', () => {
  it('posts the conversation and yields events split at any byte', async () => {
    const calls = respondWith(
      new Response(eventStream(sse(reply), 2), { headers: { 'content-type': 'text/event-stream' } }),
    );
    const result = await collect(
      streamChat({ messages: [{ role: 'user', content: 'hi' }], provider: 'openai', model: 'gpt', apiKey: 'k' }),
    );
    expect(result.error).toBeUndefined();
    expect(result.events).toEqual(reply);
    expect(calls[0]!.url).toBe('/chat');
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual({
      messages: [{ role: 'user', content: 'hi' }],
      provider: 'openai',
      model: 'gpt',
    });
    expect((calls[0]!.init.headers as Record<string, string>).authorization).toBe('Bearer k');
  });

  it('turns an HTTP error body into a ChatError', async () => {
    respondWith(
      new Response(JSON.stringify({ error: { kind: 'invalid-request', message: 'messages must not be empty' } }), {
        status: 400,
      }),
    );
    const result = await collect(streamChat({ messages: [] }));
    expect(result.error).toBeInstanceOf(ChatError);
    expect(result.error).toMatchObject({ kind: 'invalid-request', status: 400, message: 'messages must not be empty' });
  });

  it('yields the text before a mid-stream error event, then throws it', async () => {
    const events: AgentEvent[] = [reply[1]!, { type: 'error', error: { kind: 'overloaded', message: 'upstream 529' } }];
    respondWith(new Response(eventStream(sse(events), 5)));
    const result = await collect(streamChat({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(result.events).toEqual([reply[1]]);
    expect(result.error).toMatchObject({ kind: 'overloaded', message: 'upstream 529' });
  });

  it('fails a stream that ends without done', async () => {
    respondWith(new Response(eventStream(sse(reply.slice(0, 2)), 64)));
    const result = await collect(streamChat({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(result.events).toHaveLength(2);
    expect(result.error).toMatchObject({ kind: 'network' });
  });
});

describe('fetchModels', () => {
  it('maps owned_by to the provider, in order', async () => {
    respondWith(
      Response.json({
        object: 'list',
        data: [
          { id: 'gpt-x', object: 'model', owned_by: 'openai' },
          { id: 'claude-y', object: 'model', owned_by: 'anthropic' },
        ],
      }),
    );
    expect(await fetchModels()).toEqual([
      { id: 'gpt-x', provider: 'openai' },
      { id: 'claude-y', provider: 'anthropic' },
    ]);
  });

  it('reports 401 with its status so the page can ask for a key', async () => {
    respondWith(
      new Response(JSON.stringify({ error: { kind: 'auth', message: 'missing bearer token' } }), { status: 401 }),
    );
    await expect(fetchModels()).rejects.toMatchObject({ kind: 'auth', status: 401 });
  });
});

describe('approveToolCall', () => {
  const streamId = 'a stream/with odd characters';

  it('posts the decision as JSON to /chat/:streamId/approve with the key, and reads the answer', async () => {
    const calls = respondWith(Response.json({ decided: true }, { status: 202 }));
    const outcome = await approveToolCall(
      streamId,
      { toolCallId: 'call_1', approved: false, reason: 'not that file' },
      { apiKey: 'k' },
    );
    expect(outcome).toBe('decided');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('/chat/a%20stream%2Fwith%20odd%20characters/approve');
    expect(calls[0]!.init.method).toBe('POST');
    expect(calls[0]!.init.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer k' });
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual({
      toolCallId: 'call_1',
      approved: false,
      reason: 'not that file',
    });
  });

  it('sends no key and no empty reason when there is none, and tells a forwarded decision', async () => {
    const calls = respondWith(Response.json({ forwarded: true }, { status: 202 }));
    expect(await approveToolCall(streamId, { toolCallId: 'call_1', approved: true, reason: '' })).toBe('forwarded');
    expect(calls[0]!.init.headers).toEqual({ 'content-type': 'application/json' });
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual({ toolCallId: 'call_1', approved: true });
  });

  it('turns a 409 or 404 answer into a ChatError with its kind, message and status', async () => {
    respondWith(
      Response.json(
        { error: { kind: 'invalid-request', message: 'tool call call_1 is not waiting for a decision' } },
        { status: 409 },
      ),
    );
    await expect(approveToolCall(streamId, { toolCallId: 'call_1', approved: true })).rejects.toMatchObject({
      kind: 'invalid-request',
      status: 409,
      message: 'tool call call_1 is not waiting for a decision',
    });
    respondWith(Response.json({ error: { kind: 'not-found', message: 'no running generation' } }, { status: 404 }));
    await expect(approveToolCall(streamId, { toolCallId: 'call_1', approved: true })).rejects.toBeInstanceOf(ChatError);
  });

  it('reports an agent it cannot reach as a network error', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(approveToolCall(streamId, { toolCallId: 'call_1', approved: true })).rejects.toMatchObject({
      kind: 'network',
      status: undefined,
    });
  });
});
