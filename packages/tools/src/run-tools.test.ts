import { type Chunk, LLMError, type LoopChunk } from '@rxllm/core';
import { createChunkTestScheduler, finish, start, text, toolCall, usage } from '@rxllm/testing/marbles';
import {
  asyncScheduler,
  filter,
  lastValueFrom,
  map,
  type Observable,
  of,
  type SchedulerLike,
  throwError,
  toArray,
} from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_MAX_STEPS, runTools } from './run-tools.js';
import { hasToolCall, stepCountIs } from './stop-conditions.js';
import { code, question, scriptedProvider } from './test-provider.js';
import { tool } from './tool.js';

const createTestScheduler = () => createChunkTestScheduler({ errors: 'llm-error-fields' });

/** The chunks of a model answer that calls `weather` once per city (ids c1, c2, …), at once. */
const callWeather = (...cities: string[]): Chunk[] => [
  start(),
  ...cities.map((city, index) => toolCall(JSON.stringify({ city }), { index, id: `c${index + 1}`, name: 'weather' })),
  finish('tool-calls', 'tool_calls'),
];
const answer = (words: string): Chunk[] => [start(), text(words), finish('stop', 'stop')];
const city = z.object({ city: z.string() });
const codes = (loop: Observable<LoopChunk>) => loop.pipe(map(code));

describe('runTools: the loop in virtual time', () => {
  it('runs the tool when the step ends and the next step when its result is in', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const first = cold('a 9ms b 9ms (cd|)', {
        a: start(),
        b: toolCall('{"city":"Paris"}', { id: 'c1', name: 'weather' }),
        c: usage({ inputTokens: 10, outputTokens: 5 }),
        d: finish('tool-calls'),
      });
      const second = cold('a 9ms (bcd|)', {
        a: start(),
        b: text('21 °C'),
        c: usage({ inputTokens: 20, outputTokens: 3 }),
        d: finish('stop'),
      });
      const lookup = cold('10ms (x|)', { x: { celsius: 21 } });
      const provider = scriptedProvider((_request, index) => [first, second][index]!);
      const weather = tool({ parameters: city, execute: () => lookup });

      const loop = runTools({ provider, request: question, tools: { weather } });
      expectObservable(codes(loop)).toBe('(Sa) 6ms b 9ms (udR) 5ms (prFTa) 3ms (tuxG|)', {
        S: 'step 1',
        a: 'start',
        b: 'fragment 0',
        u: 'usage',
        d: 'finish tool-calls',
        R: 'ready c1 weather',
        p: 'partial c1 {"celsius":21}',
        r: 'result c1 {"celsius":21}',
        F: 'end 1 tool-calls',
        T: 'step 2',
        t: 'text 21 °C',
        x: 'finish stop',
        G: 'end 2 stop no-tool-calls',
      });
      expectSubscriptions(first.subscriptions).toBe('^ 19ms !');
      expectSubscriptions(lookup.subscriptions).toBe('20ms ^ 9ms !');
      expectSubscriptions(second.subscriptions).toBe('30ms ^ 9ms !');
    });
  });

  it('sends the assistant calls and the results, in call order, in the next request', async () => {
    const provider = scriptedProvider((_request, index) =>
      of(...(index === 0 ? callWeather('Paris', 'Oslo') : answer('Done'))),
    );
    const weather = tool({
      description: 'The weather in a city',
      parameters: city,
      execute: ({ city: name }) => ({ celsius: name === 'Paris' ? 21 : 4 }),
    });
    await lastValueFrom(runTools({ provider, request: question, tools: { weather } }));
    expect(provider.requests).toHaveLength(2);
    expect(provider.requests[0]?.tools).toEqual([
      {
        name: 'weather',
        description: 'The weather in a city',
        parameters: {
          type: 'object',
          properties: { city: { type: 'string' } },
          required: ['city'],
        },
      },
    ]);
    expect(provider.requests[1]?.messages).toEqual([
      ...question.messages,
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          { id: 'c1', name: 'weather', arguments: '{"city":"Paris"}' },
          { id: 'c2', name: 'weather', arguments: '{"city":"Oslo"}' },
        ],
      },
      { role: 'tool', toolCallId: 'c1', name: 'weather', content: '{"celsius":21}' },
      { role: 'tool', toolCallId: 'c2', name: 'weather', content: '{"celsius":4}' },
    ]);
  });

  it('emits every chunk of a two-step loop, with per-step and total usage', async () => {
    const provider = scriptedProvider((_request, index) =>
      index === 0
        ? of(
            start({ id: 'r1' }),
            text('Looking.'),
            toolCall('{"city":', { id: 'c1', name: 'weather' }),
            toolCall('"Paris"}'),
            usage({ inputTokens: 10, outputTokens: 5 }),
            finish('tool-calls', 'tool_calls'),
          )
        : of(start({ id: 'r2' }), text('21 °C.'), usage({ inputTokens: 30, outputTokens: 4 }), finish('stop', 'stop')),
    );
    const weather = tool({ parameters: city, execute: () => ({ celsius: 21 }) });
    // A stopped clock: the call's durationMs is exactly 0 however long the machine takes to run it.
    const stopped: SchedulerLike = { now: () => 0, schedule: asyncScheduler.schedule.bind(asyncScheduler) };
    const chunks = await lastValueFrom(
      runTools({ provider, request: question, tools: { weather }, scheduler: stopped }).pipe(toArray()),
    );
    expect(chunks).toEqual([
      { type: 'step-start', step: 1 },
      start({ id: 'r1' }),
      text('Looking.'),
      toolCall('{"city":', { id: 'c1', name: 'weather' }),
      toolCall('"Paris"}'),
      usage({ inputTokens: 10, outputTokens: 5 }),
      finish('tool-calls', 'tool_calls'),
      {
        type: 'tool-call-ready',
        step: 1,
        index: 0,
        id: 'c1',
        name: 'weather',
        input: { city: 'Paris' },
        arguments: '{"city":"Paris"}',
      },
      { type: 'tool-result', step: 1, toolCallId: 'c1', name: 'weather', output: { celsius: 21 }, durationMs: 0 },
      {
        type: 'step-finish',
        step: 1,
        reason: 'tool-calls',
        rawReason: 'tool_calls',
        usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
        totalUsage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
        toolCalls: 1,
      },
      { type: 'step-start', step: 2 },
      start({ id: 'r2' }),
      text('21 °C.'),
      usage({ inputTokens: 30, outputTokens: 4 }),
      finish('stop', 'stop'),
      {
        type: 'step-finish',
        step: 2,
        reason: 'stop',
        rawReason: 'stop',
        usage: { inputTokens: 30, outputTokens: 4, totalTokens: 34 },
        totalUsage: { inputTokens: 40, outputTokens: 9, totalTokens: 49 },
        toolCalls: 0,
        stoppedBy: 'no-tool-calls',
      },
    ]);
    expect(provider.requests[1]?.messages[1]).toEqual({
      role: 'assistant',
      content: 'Looking.',
      toolCalls: [{ id: 'c1', name: 'weather', arguments: '{"city":"Paris"}' }],
    });
  });

  it('runs at most maxParallel calls at a time; results come as they finish, messages in call order', () => {
    const provider = scriptedProvider((_request, index) =>
      of(...(index === 0 ? callWeather('Paris', 'Oslo', 'Rome') : answer('Done'))),
    );
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const runs = [
        cold('30ms (x|)', { x: 'Paris' }),
        cold('10ms (x|)', { x: 'Oslo' }),
        cold('10ms (x|)', { x: 'Rome' }),
      ];
      let calls = 0;
      const weather = tool({ parameters: city, execute: () => runs[calls++]! });
      const loop = runTools({ provider, request: question, tools: { weather }, maxParallel: 2 });
      const results = loop.pipe(
        filter((chunk) => chunk.type === 'tool-result' && !chunk.partial),
        map((chunk) => (chunk.type === 'tool-result' ? chunk.toolCallId : '')),
      );
      expectObservable(results).toBe('10ms a 9ms b 9ms (c|)', { a: 'c2', b: 'c3', c: 'c1' });
      expectSubscriptions(runs[0]!.subscriptions).toBe('^ 29ms !');
      expectSubscriptions(runs[1]!.subscriptions).toBe('^ 9ms !');
      expectSubscriptions(runs[2]!.subscriptions).toBe('10ms ^ 9ms !');
    });
    const results = provider.requests[1]?.messages.filter((message) => message.role === 'tool');
    expect(results?.map((message) => [message.role === 'tool' && message.toolCallId, message.content])).toEqual([
      ['c1', 'Paris'],
      ['c2', 'Oslo'],
      ['c3', 'Rome'],
    ]);
  });

  it('a call past its timeout is an error result at the deadline; its stream is unsubscribed, its signal aborted', () => {
    let signal: AbortSignal | undefined;
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const slow = cold('50ms (x|)', { x: 'late' });
      const provider = scriptedProvider((_request, index) =>
        of(...(index === 0 ? callWeather('Paris') : answer('Sorry'))),
      );
      const weather = tool({
        parameters: city,
        execute: (_input, context) => {
          signal = context.signal;
          return slow;
        },
      });
      const results = runTools({ provider, request: question, tools: { weather }, timeoutMs: 20 }).pipe(
        filter((chunk) => chunk.type === 'tool-result'),
        map(code),
      );
      expectObservable(results).toBe('20ms (a|)', { a: 'result c1 timeout' });
      expectSubscriptions(slow.subscriptions).toBe('^ 19ms !');
    });
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toMatchObject({ name: 'TimeoutError', message: 'weather did not finish within 20 ms' });
  });

  it("a tool's own timeoutMs wins over the loop's", () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const provider = scriptedProvider((_request, index) =>
        of(...(index === 0 ? callWeather('Paris') : answer('Sorry'))),
      );
      const weather = tool({ parameters: city, timeoutMs: 5, execute: () => cold('50ms (x|)', { x: 1 }) });
      const results = runTools({ provider, request: question, tools: { weather }, timeoutMs: 20 }).pipe(
        filter((chunk) => chunk.type === 'tool-result'),
        map((chunk) => (chunk.type === 'tool-result' ? `${chunk.error?.message} after ${chunk.durationMs}` : '')),
      );
      expectObservable(results).toBe('5ms (a|)', { a: 'weather did not finish within 5 ms after 5' });
    });
  });

  it('unsubscribing during a model answer unsubscribes the provider stream and starts no tool', () => {
    let executed = false;
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const first = cold('a 9ms b 9ms (cd|)', {
        a: start(),
        b: toolCall('{"city":"Paris"}', { id: 'c1', name: 'weather' }),
        c: usage({ outputTokens: 5 }),
        d: finish('tool-calls'),
      });
      const provider = scriptedProvider(() => first);
      const weather = tool({
        parameters: city,
        execute: () => {
          executed = true;
          return 1;
        },
      });
      const loop = runTools({ provider, request: question, tools: { weather } });
      expectObservable(codes(loop), '^ 14ms !').toBe('(Sa) 6ms b', { S: 'step 1', a: 'start', b: 'fragment 0' });
      expectSubscriptions(first.subscriptions).toBe('^ 14ms !');
    });
    expect(executed).toBe(false);
  });

  it('unsubscribing while tools run aborts the running ones, leaves the finished ones alone, asks no more', () => {
    const signals = new Map<string, AbortSignal>();
    let requests = 0;
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const slow = cold('50ms (x|)', { x: 0 });
      const provider = scriptedProvider((_request, index) => {
        requests = index + 1;
        return of(...(index === 0 ? callWeather('Paris', 'Oslo') : answer('Done')));
      });
      const weather = tool({
        parameters: city,
        execute: ({ city: name }, { signal }) => {
          signals.set(name, signal);
          return name === 'Paris' ? 21 : slow;
        },
      });
      const results = runTools({ provider, request: question, tools: { weather } }).pipe(
        filter((chunk) => chunk.type === 'tool-result'),
        map(code),
      );
      expectObservable(results, '^ 19ms !').toBe('a', { a: 'result c1 21' });
      expectSubscriptions(slow.subscriptions).toBe('^ 19ms !');
    });
    expect(signals.get('Paris')?.aborted).toBe(false);
    expect(signals.get('Oslo')?.aborted).toBe(true);
    expect(signals.get('Oslo')?.reason).toMatchObject({ name: 'AbortError' });
    expect(requests).toBe(1);
  });

  it('a streamed output: each value a partial result, the last one the result the model gets', () => {
    const provider = scriptedProvider((_request, index) =>
      of(...(index === 0 ? callWeather('Paris') : answer('Done'))),
    );
    createTestScheduler().run(({ cold, expectObservable }) => {
      const weather = tool({ parameters: city, execute: () => cold('a 4ms b 4ms (c|)', { a: 1, b: 2, c: 3 }) });
      const results = runTools({ provider, request: question, tools: { weather } }).pipe(
        filter((chunk) => chunk.type === 'tool-result'),
        map(code),
      );
      expectObservable(results).toBe('a 4ms b 4ms (cd|)', {
        a: 'partial c1 1',
        b: 'partial c1 2',
        c: 'partial c1 3',
        d: 'result c1 3',
      });
    });
    expect(provider.requests[1]?.messages.at(-1)).toEqual({
      role: 'tool',
      toolCallId: 'c1',
      name: 'weather',
      content: '3',
    });
  });

  it('an async iterable output streams too', async () => {
    const provider = scriptedProvider((_request, index) =>
      of(...(index === 0 ? callWeather('Paris') : answer('Done'))),
    );
    const weather = tool({
      parameters: city,
      async *execute({ city: name }) {
        yield `looking up ${name}`;
        yield { celsius: 21 };
      },
    });
    const chunks = await lastValueFrom(runTools({ provider, request: question, tools: { weather } }).pipe(toArray()));
    expect(chunks.filter((chunk) => chunk.type === 'tool-result').map(code)).toEqual([
      'partial c1 "looking up Paris"',
      'partial c1 {"celsius":21}',
      'result c1 {"celsius":21}',
    ]);
    expect(provider.requests[1]?.messages.at(-1)?.content).toBe('{"celsius":21}');
  });

  it('stops at maxSteps (default 5): the calls of the last step run, no further request', async () => {
    const provider = scriptedProvider(() => of(...callWeather('Paris')));
    let runs = 0;
    const weather = tool({ parameters: city, execute: () => ++runs });
    const ends = async (maxSteps?: number) =>
      (await lastValueFrom(runTools({ provider, request: question, tools: { weather }, maxSteps }).pipe(toArray())))
        .filter((chunk) => chunk.type === 'step-finish')
        .map(code);
    expect(await ends(2)).toEqual(['end 1 tool-calls', 'end 2 tool-calls max-steps']);
    expect(provider.requests).toHaveLength(2);
    expect(runs).toBe(2);
    expect((await ends()).at(-1)).toBe(`end ${DEFAULT_MAX_STEPS} tool-calls max-steps`);
    expect(provider.requests).toHaveLength(2 + DEFAULT_MAX_STEPS);
  });

  it('stops when a stopWhen condition holds after a step', async () => {
    const provider = scriptedProvider((_request, index) =>
      of(
        start(),
        toolCall('{"city":"Paris"}', { id: `w${index}`, name: 'weather' }),
        ...(index === 1 ? [toolCall('{"text":"21 °C"}', { index: 1, id: 'f1', name: 'finalAnswer' })] : []),
        finish('tool-calls'),
      ),
    );
    const weather = tool({ parameters: city, execute: () => 21 });
    const finalAnswer = tool({ parameters: z.object({ text: z.string() }), execute: ({ text: words }) => words });
    const run = (stopWhen: Parameters<typeof runTools>[0]['stopWhen']) =>
      lastValueFrom(
        runTools({ provider, request: question, tools: { weather, finalAnswer }, stopWhen, maxSteps: 10 }).pipe(
          filter((chunk) => chunk.type === 'step-finish'),
          map(code),
          toArray(),
        ),
      );
    expect(await run(hasToolCall('finalAnswer'))).toEqual(['end 1 tool-calls', 'end 2 tool-calls stop-condition']);
    expect(await run([stepCountIs(1), hasToolCall('finalAnswer')])).toEqual(['end 1 tool-calls stop-condition']);
  });

  it("sends toolChoice with each step: one for all, or per step; without it, the request's", async () => {
    const provider = scriptedProvider((_request, index) =>
      of(...(index === 0 ? callWeather('Paris') : answer('Done'))),
    );
    const weather = tool({ parameters: city, execute: () => 21 });
    const choices = async (options: Partial<Parameters<typeof runTools>[0]>) => {
      provider.requests.length = 0;
      await lastValueFrom(runTools({ provider, request: question, tools: { weather }, ...options }));
      return provider.requests.map((request) => request.toolChoice);
    };
    expect(await choices({ toolChoice: 'auto' })).toEqual(['auto', 'auto']);
    expect(
      await choices({ toolChoice: ({ step }) => (step === 1 ? { type: 'tool', name: 'weather' } : undefined) }),
    ).toEqual([{ type: 'tool', name: 'weather' }, undefined]);
    expect(await choices({ request: { ...question, toolChoice: 'required' } })).toEqual(['required', 'required']);
    expect(await choices({})).toEqual([undefined, undefined]);
  });

  it('a provider error ends the loop with that error, after what came before it', () => {
    createTestScheduler().run(({ expectObservable }) => {
      const overloaded = new LLMError({ kind: 'overloaded', provider: 'test', status: 529, message: 'Overloaded' });
      const provider = scriptedProvider((_request, index) =>
        index === 0 ? of(...callWeather('Paris')) : throwError(() => overloaded),
      );
      const weather = tool({ parameters: city, execute: () => 21 });
      const loop = runTools({ provider, request: question, tools: { weather } }).pipe(
        filter((chunk) => chunk.type === 'step-start' || chunk.type === 'step-finish'),
        map(code),
      );
      expectObservable(loop).toBe('(abc#)', { a: 'step 1', b: 'end 1 tool-calls', c: 'step 2' }, overloaded);
    });
  });

  it('refuses at once what cannot work: tools in request.tools, a bad tool name, a bad maxSteps', () => {
    const provider = scriptedProvider(() => of(...answer('Hi')));
    const weather = tool({ parameters: city, execute: () => 21 });
    const refusal = (options: Partial<Parameters<typeof runTools>[0]>) => {
      try {
        runTools({ provider, request: question, tools: { weather }, ...options });
      } catch (error) {
        return LLMError.isInstance(error) ? `${error.kind}: ${error.message}` : error;
      }
      return 'accepted';
    };
    expect(refusal({ request: { ...question, tools: [{ name: 'x', parameters: { type: 'object' } }] } })).toBe(
      'invalid-request: runTools sends its own tools: give them in `tools`, not in `request.tools`',
    );
    expect(refusal({ tools: { 'get weather': weather } })).toBe(
      'invalid-request: the tool name "get weather" is not 1 to 64 of [a-zA-Z0-9_-]',
    );
    expect(refusal({ maxSteps: 0 })).toBe('invalid-request: maxSteps must be a whole number ≥ 1, got 0');
    expect(refusal({ maxParallel: 1.5 })).toBe('invalid-request: maxParallel must be a whole number ≥ 1, got 1.5');
    expect(refusal({ timeoutMs: 0 })).toBe(
      'invalid-request: timeoutMs must be a positive number of milliseconds, got 0',
    );
    expect(refusal({})).toBe('accepted');
    expect(provider.requests).toHaveLength(0);
  });
});
