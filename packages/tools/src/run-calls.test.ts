import { type Chunk, LLMError, type LoopChunk, type ToolResultChunk } from '@rxllm/core';
import { createChunkTestScheduler, finish, start, text, toolCall } from '@rxllm/testing/marbles';
import { filter, lastValueFrom, map, Observable, of, throwError, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runTools } from './run-tools.js';
import { code, question, scriptedProvider } from './test-provider.js';
import { tool } from './tool.js';

const answer: Chunk[] = [start(), text('Done'), finish('stop')];
const city = z.object({ city: z.string() });

/** A first step making `calls` ([name, arguments] each, ids c1, c2, …), then an answer in words. */
function providerCalling(...calls: Array<[string, string]>) {
  return scriptedProvider((_request, index) =>
    of(
      ...(index === 0
        ? [
            start(),
            ...calls.map(([name, args], position) => toolCall(args, { index: position, id: `c${position + 1}`, name })),
            finish('tool-calls'),
          ]
        : answer),
    ),
  );
}

const finalResults = (chunks: LoopChunk[]) =>
  chunks.filter((chunk): chunk is ToolResultChunk => chunk.type === 'tool-result' && !chunk.partial);

describe('runTools: tool errors', () => {
  it('an unknown tool, invalid JSON, arguments the schema refuses and a thrown error go back to the model', async () => {
    const provider = providerCalling(
      ['forecast', '{"city":"Paris"}'],
      ['weather', '{"city":'],
      ['weather', '{"city":42}'],
      ['explode', '{}'],
      ['weather', '[1]'],
    );
    const weather = tool({ parameters: city, execute: () => 21 });
    const explode = tool({
      parameters: z.object({}),
      execute: () => {
        throw new Error('the fuse was short');
      },
    });
    const chunks = await lastValueFrom(
      runTools({ provider, request: question, tools: { weather, explode } }).pipe(toArray()),
    );
    const results = finalResults(chunks);
    expect(results.map((result) => result.error?.kind)).toEqual([
      'unknown-tool',
      'invalid-arguments',
      'invalid-arguments',
      'execution',
      'invalid-arguments',
    ]);
    expect(results[2]?.error?.issues).toEqual([
      { path: ['city'], code: 'invalid_type', message: 'Invalid input: expected string, received number' },
    ]);
    const sent = provider.requests[1]?.messages ?? [];
    expect(sent.filter((message) => message.role === 'tool').map((message) => JSON.parse(message.content))).toEqual([
      { error: 'There is no tool named "forecast". Available tools: weather, explode.' },
      { error: expect.stringMatching(/^The arguments of weather are not valid JSON: /) },
      {
        error:
          'The arguments of weather do not match its schema: city: Invalid input: expected string, received number',
      },
      { error: 'explode failed: the fuse was short' },
      { error: 'The arguments of weather do not match its schema: Invalid input: expected object, received array' },
    ]);
    // What is not a JSON object goes into the history as {} (Anthropic and Gemini take only objects there).
    const assistant = sent.find((message) => message.role === 'assistant');
    expect(assistant?.role === 'assistant' && assistant.toolCalls?.map((call) => call.arguments)).toEqual([
      '{"city":"Paris"}',
      '{}',
      '{"city":42}',
      '{}',
      '{}',
    ]);
    expect(chunks.at(-1)).toMatchObject({ type: 'step-finish', step: 2, stoppedBy: 'no-tool-calls' });
  });

  it('a rejected promise and a failing stream are error results too; a partial before the failure stays', async () => {
    const provider = providerCalling(['rejects', '{}'], ['fails', '{}']);
    const rejects = tool({ parameters: z.object({}), execute: () => Promise.reject(new Error('no route')) });
    const fails = tool({
      parameters: z.object({}),
      execute: () =>
        new Observable<number>((subscriber) => {
          subscriber.next(1);
          subscriber.error('disk full');
        }),
    });
    const chunks = await lastValueFrom(
      runTools({ provider, request: question, tools: { rejects, fails } }).pipe(toArray()),
    );
    // Results come as they finish: the stream fails at once, the promise a microtask later.
    expect(chunks.filter((chunk) => chunk.type === 'tool-result').map(code)).toEqual([
      'partial c2 1',
      'result c2 execution',
      'result c1 execution',
    ]);
    expect(finalResults(chunks).map((result) => result.error?.message)).toEqual([
      'fails failed: disk full',
      'rejects failed: no route',
    ]);
  });

  it('a call without arguments (empty text) of a tool without parameters gets {}; a call without an id gets one', async () => {
    const provider = scriptedProvider((_request, index) =>
      of(...(index === 0 ? [start(), toolCall('', { name: 'now' }), finish('tool-calls')] : answer)),
    );
    const inputs: unknown[] = [];
    const now = tool({
      parameters: z.object({}),
      execute: (input) => {
        inputs.push(input);
        return '12:00';
      },
    });
    const chunks = await lastValueFrom(runTools({ provider, request: question, tools: { now } }).pipe(toArray()));
    expect(inputs).toEqual([{}]);
    expect(chunks.find((chunk) => chunk.type === 'tool-call-ready')).toEqual({
      type: 'tool-call-ready',
      step: 1,
      index: 0,
      id: 'call_1_0',
      name: 'now',
      input: {},
      arguments: '',
    });
    expect(provider.requests[1]?.messages.slice(1)).toEqual([
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1_0', name: 'now', arguments: '{}' }] },
      { role: 'tool', toolCallId: 'call_1_0', name: 'now', content: '12:00' },
    ]);
  });

  it('an output that is not JSON goes back as an error saying so; no output at all as null', async () => {
    const provider = providerCalling(['cyclic', '{}'], ['nothing', '{}']);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    const cyclic = tool({ parameters: z.object({}), execute: () => loop });
    const nothing = tool({ parameters: z.object({}), execute: () => undefined });
    await lastValueFrom(runTools({ provider, request: question, tools: { cyclic, nothing } }));
    const contents = provider.requests[1]?.messages.filter((message) => message.role === 'tool').map((m) => m.content);
    expect(contents?.[0]).toMatch(/^\{"error":"The output of cyclic is not JSON: /);
    expect(contents?.[1]).toBe('null');
  });

  describe("onToolError: 'fail'", () => {
    it('emits the error result, then fails with an LLMError and aborts the calls still running', () => {
      let slowSignal: AbortSignal | undefined;
      const provider = providerCalling(['slow', '{}'], ['explode', '{}']);
      createChunkTestScheduler({ errors: 'llm-error-fields' }).run(
        ({ cold, expectObservable, expectSubscriptions }) => {
          const slowRun = cold('50ms (x|)', { x: 1 });
          const explodeRun = cold('10ms #', {}, new Error('the fuse was short'));
          const slow = tool({
            parameters: z.object({}),
            execute: (_input, { signal }) => {
              slowSignal = signal;
              return slowRun;
            },
          });
          const explode = tool({ parameters: z.object({}), execute: () => explodeRun });
          const results = runTools({ provider, request: question, tools: { slow, explode }, onToolError: 'fail' }).pipe(
            filter((chunk) => chunk.type === 'tool-result'),
            map(code),
          );
          expectObservable(results).toBe(
            '10ms (a#)',
            { a: 'result c2 execution' },
            {
              kind: 'unknown',
              provider: 'test',
              message: 'explode failed: the fuse was short',
              retryable: false,
              details: { toolCallId: 'c2', toolName: 'explode', toolError: 'execution' },
            },
          );
          expectSubscriptions(slowRun.subscriptions).toBe('^ 9ms !');
        },
      );
      expect(slowSignal?.aborted).toBe(true);
      expect(provider.requests).toHaveLength(1);
    });

    it('an LLMError a tool throws is the error as it is; an unknown tool is invalid-output, a timeout a timeout', async () => {
      const quota = new LLMError({ kind: 'rate-limit', provider: 'openai', status: 429, message: 'quota' });
      const outcome = async (calls: Array<[string, string]>, timeoutMs?: number) => {
        const inner = tool({ parameters: z.object({}), execute: () => throwError(() => quota) });
        const hangs = tool({ parameters: z.object({}), execute: () => new Observable<never>() });
        const loop = runTools({
          provider: providerCalling(...calls),
          request: question,
          tools: { inner, hangs },
          onToolError: 'fail',
          timeoutMs,
        });
        return lastValueFrom(loop).then(
          () => 'completed',
          (error: unknown) => error,
        );
      };
      expect(await outcome([['inner', '{}']])).toBe(quota);
      expect(await outcome([['ghost', '{}']])).toMatchObject({ kind: 'invalid-output', provider: 'test' });
      expect(await outcome([['hangs', '{}']], 5)).toMatchObject({
        kind: 'timeout',
        message: 'hangs did not finish within 5 ms',
        details: { toolCallId: 'c1', toolName: 'hangs', toolError: 'timeout' },
      });
    });
  });
});
