import { createAnthropic } from '@rxllm/anthropic';
import type { LoopChunk, Provider, ToolResultChunk } from '@rxllm/core';
import { createGemini } from '@rxllm/gemini';
import { createGoogleGenAI } from '@rxllm/google-genai';
import { createOpenAI } from '@rxllm/openai';
import {
  hasToolResult,
  type MockResponder,
  type MockScript,
  type MockUpstream,
  matchRequests,
  mockUpstream,
  type RecordedRequest,
  toolResults,
} from '@rxllm/testing';
import { firstValueFrom, lastValueFrom, Subject, tap, toArray } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ToolApprovalDecision } from './approvals.js';
import { runTools } from './run-tools.js';
import { hasToolCall } from './stop-conditions.js';
import { question } from './test-provider.js';
import { type ToolSet, tool } from './tool.js';

// The real SDKs, through the real providers, against the wire-level mock; the mock answers each step by what its
// request holds (a tool result or not), as a model would.
const apiKey = 'MARKER-tools-key-5d1e';
let mock: MockUpstream;
let respond: MockResponder = () => undefined;

beforeAll(async () => {
  mock = await mockUpstream({ respond: (request) => respond(request) });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

interface Vendor {
  name: string;
  create: (mock: MockUpstream) => Provider;
  /** Whether the wire carries argument text as it is (Gemini sends parsed arguments: invalid JSON cannot occur). */
  rawArguments: boolean;
}

const vendors: Vendor[] = [
  { name: 'openai', rawArguments: true, create: (m) => createOpenAI({ apiKey, baseURL: m.baseURLs.openai }) },
  { name: 'anthropic', rawArguments: true, create: (m) => createAnthropic({ apiKey, baseURL: m.baseURLs.anthropic }) },
  { name: 'gemini', rawArguments: false, create: (m) => createGemini({ apiKey, baseURL: m.baseURLs.gemini }) },
  {
    name: 'google-genai',
    rawArguments: false,
    create: (m) => createGoogleGenAI({ apiKey, baseURL: m.baseURLs.gemini }),
  },
];

const call = (id: string, name: string, ...argumentFragments: string[]) =>
  ({ type: 'tool-call', id, name, argumentFragments }) as const;
const say = (text: string): MockScript => ({
  events: [{ type: 'text', text }],
  usage: { inputTokens: 40, outputTokens: 8 },
});

const parsedOrText = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/**
 * The result contents a request sends back, as values: JSON text (a string output goes as it is), or for Gemini
 * objects, the rest wrapped in `result`.
 */
const sentBack = (request: RecordedRequest | undefined) =>
  (request ? toolResults(request) : []).map(({ name, content }) => {
    if (request?.vendor !== 'gemini') return { name, value: parsedOrText(String(content)) };
    const response = content as Record<string, unknown>;
    return { name, value: Object.keys(response).length === 1 && 'result' in response ? response.result : response };
  });

/** The tool names a request offers the model, in its vendor's shape. */
function offeredTools(request: RecordedRequest | undefined): string[] {
  const body = (request?.body ?? {}) as Record<string, unknown>;
  const tools = (body.tools ?? []) as Array<Record<string, unknown>>;
  if (request?.vendor === 'openai') return tools.map((entry) => (entry.function as { name: string }).name);
  if (request?.vendor === 'anthropic') return tools.map((entry) => entry.name as string);
  return tools.flatMap((entry) => (entry.functionDeclarations as Array<{ name: string }>).map((fn) => fn.name));
}

const finals = (chunks: LoopChunk[]) =>
  chunks.filter((chunk): chunk is ToolResultChunk => chunk.type === 'tool-result' && !chunk.partial);

const weather = tool({
  description: 'The current weather in a city',
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, celsius: city === 'Paris' ? 21 : 4 }),
});
const now = tool({ description: 'The time now', parameters: z.object({}), execute: () => '12:00' });

describe.each(vendors)('runTools on $name (real SDK, mock upstream)', (vendor) => {
  const run = (tools: ToolSet, options: Partial<Parameters<typeof runTools>[0]> = {}) =>
    lastValueFrom(runTools({ provider: vendor.create(mock), request: question, tools, ...options }).pipe(toArray()));

  it('two steps: parallel calls and a call without arguments, then the answer', async () => {
    respond = matchRequests(
      [{ when: (request) => hasToolResult(request, 'weather'), script: say('Paris 21 °C, Oslo 4 °C, at 12:00.') }],
      {
        events: [
          { type: 'text', text: 'Let me look.' },
          call('c1', 'weather', '{"city":', '"Paris"}'),
          call('c2', 'weather', '{"city":"Oslo"}'),
          call('c3', 'now'),
        ],
        usage: { inputTokens: 30, outputTokens: 12 },
      },
    );
    const chunks = await run({ weather, now });
    expect(mock.requests).toHaveLength(2);
    expect(mock.requests.map((request) => request.rejected)).toEqual([undefined, undefined]);
    expect(offeredTools(mock.requests[0])).toEqual(['weather', 'now']);
    const ready = chunks.filter((chunk) => chunk.type === 'tool-call-ready');
    expect(ready.map((chunk) => [chunk.name, chunk.input])).toEqual([
      ['weather', { city: 'Paris' }],
      ['weather', { city: 'Oslo' }],
      ['now', {}],
    ]);
    expect(sentBack(mock.requests[1])).toEqual([
      { name: 'weather', value: { city: 'Paris', celsius: 21 } },
      { name: 'weather', value: { city: 'Oslo', celsius: 4 } },
      { name: 'now', value: '12:00' },
    ]);
    const text = chunks.flatMap((chunk) => (chunk.type === 'text' ? [chunk.text] : [])).join('');
    expect(text).toBe('Let me look.Paris 21 °C, Oslo 4 °C, at 12:00.');
    const ends = chunks.filter((chunk) => chunk.type === 'step-finish');
    expect(ends).toMatchObject([
      { step: 1, reason: 'tool-calls', toolCalls: 3, usage: { inputTokens: 30, outputTokens: 12 } },
      {
        step: 2,
        reason: 'stop',
        toolCalls: 0,
        stoppedBy: 'no-tool-calls',
        usage: { inputTokens: 40, outputTokens: 8 },
      },
    ]);
    expect(ends[1]?.totalUsage).toMatchObject({ inputTokens: 70, outputTokens: 20 });
  });

  it('an unknown tool, invalid arguments and a throwing tool go back to the model as errors', async () => {
    const broken = vendor.rawArguments ? [call('c4', 'weather', '{"city":')] : [];
    respond = matchRequests([{ when: (request) => hasToolResult(request), script: say('Sorry.') }], {
      events: [
        call('c1', 'forecast', '{"city":"Paris"}'),
        call('c2', 'weather', '{"city":42}'),
        call('c3', 'explode', '{}'),
        ...broken,
      ],
    });
    const explode = tool({
      parameters: z.object({}),
      execute: () => {
        throw new Error('the fuse was short');
      },
    });
    const chunks = await run({ weather, explode });
    expect(finals(chunks).map((result) => result.error?.kind)).toEqual([
      'unknown-tool',
      'invalid-arguments',
      'execution',
      ...(vendor.rawArguments ? ['invalid-arguments'] : []),
    ]);
    expect(mock.requests.map((request) => request.rejected)).toEqual([undefined, undefined]);
    const errors = sentBack(mock.requests[1]).map(({ value }) => (value as { error: string }).error);
    expect(errors.slice(0, 3)).toEqual([
      'There is no tool named "forecast". Available tools: weather, explode.',
      'The arguments of weather do not match its schema: city: Invalid input: expected string, received number',
      'explode failed: the fuse was short',
    ]);
    if (vendor.rawArguments) expect(errors[3]).toMatch(/^The arguments of weather are not valid JSON: /);
    expect(chunks.at(-1)).toMatchObject({ type: 'step-finish', step: 2, stoppedBy: 'no-tool-calls' });
  });

  it('a streamed tool output: partial results, then the last value goes to the model', async () => {
    respond = matchRequests([{ when: (request) => hasToolResult(request), script: say('Found 2.') }], {
      events: [call('c1', 'search', '{"query":"rxjs"}')],
    });
    const search = tool({
      parameters: z.object({ query: z.string() }),
      async *execute({ query }) {
        yield { query, hits: 1 };
        yield { query, hits: 2 };
      },
    });
    const chunks = await run({ search });
    const results = chunks.filter((chunk) => chunk.type === 'tool-result');
    expect(results.map((result) => [result.partial ?? false, result.output])).toEqual([
      [true, { query: 'rxjs', hits: 1 }],
      [true, { query: 'rxjs', hits: 2 }],
      [false, { query: 'rxjs', hits: 2 }],
    ]);
    expect(sentBack(mock.requests[1])).toEqual([{ name: 'search', value: { query: 'rxjs', hits: 2 } }]);
  });

  it('stops at maxSteps though the model keeps calling; stops at a stopWhen condition', async () => {
    respond = matchRequests([], { events: [call('c1', 'weather', '{"city":"Paris"}')] });
    const limited = await run({ weather }, { maxSteps: 2 });
    expect(mock.requests).toHaveLength(2);
    expect(sentBack(mock.requests[1])).toEqual([{ name: 'weather', value: { city: 'Paris', celsius: 21 } }]);
    expect(limited.at(-1)).toMatchObject({ type: 'step-finish', step: 2, stoppedBy: 'max-steps' });

    mock.reset();
    const stopped = await run({ weather }, { stopWhen: hasToolCall('weather') });
    expect(mock.requests).toHaveLength(1);
    expect(stopped.at(-1)).toMatchObject({ type: 'step-finish', step: 1, stoppedBy: 'stop-condition' });
  });

  it('approval: the approved call runs, the denied one goes back to the model as denied', async () => {
    respond = matchRequests([{ when: (request) => hasToolResult(request), script: say('Sent 50.') }], {
      events: [call('c1', 'transfer', '{"amount":50}'), call('c2', 'transfer', '{"amount":500}')],
    });
    const sent: number[] = [];
    const transfer = tool({
      parameters: z.object({ amount: z.number() }),
      needsApproval: true,
      execute: ({ amount }) => {
        sent.push(amount);
        return { sent: amount };
      },
    });
    const approvals = new Subject<ToolApprovalDecision>();
    const decide = (chunk: LoopChunk) => {
      if (chunk.type !== 'tool-approval-request') return;
      const small = (chunk.input as { amount: number }).amount < 100;
      approvals.next({ toolCallId: chunk.toolCallId, approved: small, ...(small ? {} : { reason: 'too much' }) });
    };
    const chunks = await lastValueFrom(
      runTools({ provider: vendor.create(mock), request: question, tools: { transfer }, approvals }).pipe(
        tap(decide),
        toArray(),
      ),
    );
    expect(sent).toEqual([50]);
    expect(chunks.filter((chunk) => chunk.type === 'tool-approval-request')).toHaveLength(2);
    expect(finals(chunks).map((result) => result.denied ?? false)).toEqual([false, true]);
    expect(sentBack(mock.requests[1])).toEqual([
      { name: 'transfer', value: { sent: 50 } },
      { name: 'transfer', value: { error: 'The call of transfer was denied: too much' } },
    ]);
  });

  it('unsubscribing during the second answer closes its upstream connection', async () => {
    respond = matchRequests(
      [
        {
          when: (request) => hasToolResult(request),
          script: {
            events: [
              { type: 'text', text: 'It is' },
              { type: 'text', text: ' 21 °C' },
            ],
            delivery: { stallAfterEvents: 1 },
          },
        },
      ],
      { events: [call('c1', 'weather', '{"city":"Paris"}')] },
    );
    const loop = runTools({ provider: vendor.create(mock), request: question, tools: { weather } });
    const text = await new Promise<string>((resolve, reject) => {
      const subscription = loop.subscribe({
        next: (chunk) => {
          if (chunk.type === 'text') {
            subscription.unsubscribe();
            resolve(chunk.text);
          }
        },
        error: reject,
      });
    });
    expect(text).toBe('It is');
    const streamed = mock.requests.at(-1);
    await streamed?.closed;
    expect(streamed?.closedEarlyAt).toBeDefined();
    expect(streamed?.finishedAt).toBeUndefined();
  });

  it('unsubscribing while a tool runs aborts its signal and asks the model nothing more', async () => {
    respond = matchRequests([{ when: (request) => hasToolResult(request), script: say('never') }], {
      events: [call('c1', 'slow', '{}')],
    });
    const started = new Subject<AbortSignal>();
    const slow = tool({
      parameters: z.object({}),
      execute: (_input, { signal }) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason));
          started.next(signal);
        }),
    });
    const signalPromise = firstValueFrom(started);
    const subscription = runTools({ provider: vendor.create(mock), request: question, tools: { slow } }).subscribe();
    const signal = await signalPromise;
    expect(signal.aborted).toBe(false);
    subscription.unsubscribe();
    expect(signal.aborted).toBe(true);
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]?.finishedAt).toBeDefined();
  });
});
