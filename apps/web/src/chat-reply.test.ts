import type { AgentEvent, ReceivedEvent } from '@rxllm/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cancelReply, streamReply } from './chat-api.js';

// `streamReply`'s reconnection rules against a scripted `fetch`: each call gets the next scripted answer, so the
// requests it makes (paths, Last-Event-ID) and what it yields are checked exactly.
const streamId = '9a241c23-33d9-4fda-9072-22e97ee8f075';
const events: AgentEvent[] = [
  { type: 'start', provider: 'openai', model: 'gpt', streamId },
  ...['one ', 'two ', 'three ', 'four ', 'five '].map((text) => ({ type: 'text' as const, text })),
  { type: 'done', metrics: { ttftMs: 3, chunks: 5, chars: 24, durationMs: 5 } },
];

function frame(index: number): string {
  return `id: ${index + 1}\nevent: ${events[index]!.type}\ndata: ${JSON.stringify(events[index])}\n\n`;
}

/** A body with events `from`..`to` (0-based, end excluded) that then ends cleanly or errors like a broken socket. */
function body(from: number, to: number, ending: 'end' | 'break'): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(
    Array.from({ length: to - from }, (_, offset) => frame(from + offset)).join(''),
  );
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(bytes);
        return;
      }
      if (ending === 'end') controller.close();
      else controller.error(new TypeError('network error'));
    },
  });
}

function sseResponse(stream: ReadableStream<Uint8Array>): Response {
  return new Response(stream, { headers: { 'content-type': 'text/event-stream', 'x-stream-id': streamId } });
}

function script(answers: Array<() => Response | Promise<Response>>) {
  const calls: Array<{ url: string; method: string; lastEventId: string | undefined }> = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const headers = (init.headers ?? {}) as Record<string, string>;
    calls.push({ url, method: init.method ?? 'GET', lastEventId: headers['last-event-id'] });
    const answer = answers.shift();
    if (!answer) throw new TypeError('Failed to fetch');
    return answer();
  });
  return calls;
}

async function collect(iterable: AsyncIterable<ReceivedEvent>) {
  const seen: ReceivedEvent[] = [];
  try {
    for await (const event of iterable) seen.push(event);
    return { seen, error: undefined };
  } catch (error) {
    return { seen, error: error as Error };
  }
}

const fast = { attempts: 3, initialDelayMs: 1, maxDelayMs: 4 };

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('streamReply', () => {
  it('retries a broken connection from the last event id and yields each event once, with its id', async () => {
    const calls = script([
      () => sseResponse(body(0, 3, 'break')),
      // The replay overlaps by one event on purpose: it must not be shown twice.
      () => sseResponse(body(2, events.length, 'end')),
    ]);
    const delays: number[] = [];
    const result = await collect(
      streamReply({
        messages: [{ role: 'user', content: 'hi' }],
        reconnect: { ...fast, onReconnect: (_attempt, delayMs) => delays.push(delayMs) },
      }),
    );
    expect(result.error).toBeUndefined();
    expect(result.seen.map((entry) => entry.event)).toEqual(events);
    expect(result.seen.map((entry) => entry.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(calls).toEqual([
      { url: '/chat', method: 'POST', lastEventId: undefined },
      { url: `/chat/${streamId}`, method: 'GET', lastEventId: '3' },
    ]);
    expect(delays).toEqual([1]);
  });

  it('resumes a reply after a reload from a saved position', async () => {
    const calls = script([() => sseResponse(body(4, events.length, 'end'))]);
    const result = await collect(streamReply({ messages: [], resumeFrom: { streamId, lastEventId: 4 } }));
    expect(result.seen.map((entry) => entry.event)).toEqual(events.slice(4));
    expect(calls).toEqual([{ url: `/chat/${streamId}`, method: 'GET', lastEventId: '4' }]);
  });

  it('stops at a 404 with a not-found ChatError (the agent does not keep streams, or it expired)', async () => {
    const calls = script([
      () => sseResponse(body(0, 3, 'break')),
      () =>
        Response.json(
          { error: { kind: 'not-found', message: 'resumable streams are disabled on this agent' } },
          { status: 404 },
        ),
    ]);
    const result = await collect(streamReply({ messages: [], reconnect: fast }));
    expect(result.seen).toHaveLength(3);
    expect(result.error).toMatchObject({ kind: 'not-found', status: 404 });
    expect(calls).toHaveLength(2);
  });

  it('gives up after the configured attempts with backoff, as a network error', async () => {
    const calls = script([() => sseResponse(body(0, 2, 'break'))]);
    const delays: number[] = [];
    const result = await collect(
      streamReply({ messages: [], reconnect: { ...fast, onReconnect: (_attempt, delayMs) => delays.push(delayMs) } }),
    );
    expect(result.error).toMatchObject({ kind: 'network' });
    expect(delays).toEqual([1, 2, 4]);
    expect(calls.map((call) => `${call.method} ${call.lastEventId ?? '-'}`)).toEqual([
      'POST -',
      'GET 2',
      'GET 2',
      'GET 2',
    ]);
  });

  it('does not retry when reconnect is off, nor after an error event from the agent', async () => {
    script([() => sseResponse(body(0, 2, 'break'))]);
    const off = await collect(streamReply({ messages: [], reconnect: false }));
    expect(off.error).toMatchObject({ kind: 'network' });

    const failing = `${frame(0)}id: 2\nevent: error\ndata: ${JSON.stringify({ type: 'error', error: { kind: 'network', message: 'upstream dropped' } })}\n\n`;
    const calls = script([() => sseResponse(new Response(failing).body!)]);
    const reported = await collect(streamReply({ messages: [], reconnect: fast }));
    expect(reported.error).toMatchObject({ kind: 'network', message: 'upstream dropped' });
    expect(calls).toHaveLength(1);
  });

  it('reports aborted, without retrying, when the signal fires', async () => {
    const controller = new AbortController();
    const calls = script([() => sseResponse(body(0, 2, 'break'))]);
    controller.abort();
    const result = await collect(streamReply({ messages: [], signal: controller.signal, reconnect: fast }));
    expect(result.error).toMatchObject({ kind: 'aborted' });
    expect(calls.length).toBeLessThanOrEqual(1);
  });
});

describe('cancelReply', () => {
  it('posts to /chat/:streamId/cancel and maps the answer', async () => {
    const calls = script([
      () => Response.json({ cancelled: true }, { status: 202 }),
      () => Response.json({ error: { kind: 'not-found', message: 'no running generation' } }, { status: 404 }),
    ]);
    expect(await cancelReply(streamId, { apiKey: 'k' })).toBe('cancelled');
    expect(await cancelReply(streamId)).toBe('not-running');
    expect(await cancelReply(streamId)).toBe('failed');
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual([
      `POST /chat/${streamId}/cancel`,
      `POST /chat/${streamId}/cancel`,
      `POST /chat/${streamId}/cancel`,
    ]);
  });
});
