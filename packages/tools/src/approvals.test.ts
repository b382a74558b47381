import { type Chunk, LLMError, type LoopChunk, type ToolResultChunk } from '@rxllm/core';
import { createChunkTestScheduler, finish, start, text, toolCall } from '@rxllm/testing/marbles';
import { EMPTY, filter, lastValueFrom, map, type Observable, of, Subject, tap, throwError, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ToolApprovalDecision } from './approvals.js';
import { runTools } from './run-tools.js';
import { code, question, scriptedProvider } from './test-provider.js';
import { tool } from './tool.js';

const createTestScheduler = () => createChunkTestScheduler({ errors: 'llm-error-fields' });
const answer: Chunk[] = [start(), text('Done'), finish('stop')];
const amount = z.object({ amount: z.number() });

/** A first step calling `transfer` once per amount (ids c1, c2, …), then an answer in words. */
const providerTransferring = (...amounts: number[]) =>
  scriptedProvider((_request, index) =>
    of(
      ...(index === 0
        ? [
            start(),
            ...amounts.map((value, position) =>
              toolCall(JSON.stringify({ amount: value }), {
                index: position,
                id: `c${position + 1}`,
                name: 'transfer',
              }),
            ),
            finish('tool-calls'),
          ]
        : answer),
    ),
  );

const toolEvents = (loop: Observable<LoopChunk>) =>
  loop.pipe(
    filter((chunk) => chunk.type === 'tool-approval-request' || chunk.type === 'tool-result'),
    map(code),
  );

const lastToolMessage = (provider: ReturnType<typeof scriptedProvider>) =>
  provider.requests[1]?.messages.filter((message) => message.role === 'tool').map((message) => message.content);

describe('runTools: approval', () => {
  it('asks when the step ends, runs the call when it is approved; the decisions are followed for the whole loop', () => {
    const executed: number[] = [];
    createTestScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const approvals = hot<ToolApprovalDecision>('--- 7ms a', { a: { toolCallId: 'c1', approved: true } });
      const provider = providerTransferring(500);
      const transfer = tool({
        parameters: amount,
        needsApproval: true,
        execute: ({ amount: value }) => {
          executed.push(value);
          return 'sent';
        },
      });
      const loop = runTools({ provider, request: question, tools: { transfer }, approvals });
      expectObservable(toolEvents(loop)).toBe('a 9ms (b|)', { a: 'approve? c1', b: 'result c1 "sent"' });
      expectSubscriptions(approvals.subscriptions).toBe('^ 9ms !');
    });
    expect(executed).toEqual([500]);
  });

  it('a denial goes back to the model as a denied result, with its reason; the tool never runs', () => {
    let executed = false;
    const provider = providerTransferring(500);
    const results: ToolResultChunk[] = [];
    createTestScheduler().run(({ hot, expectObservable }) => {
      const approvals = hot<ToolApprovalDecision>('----a', {
        a: { toolCallId: 'c1', approved: false, reason: 'over the limit' },
      });
      const transfer = tool({
        parameters: amount,
        needsApproval: true,
        execute: () => {
          executed = true;
          return 'sent';
        },
      });
      const loop = runTools({ provider, request: question, tools: { transfer }, approvals }).pipe(
        tap((chunk) => {
          if (chunk.type === 'tool-result') results.push(chunk);
        }),
      );
      expectObservable(toolEvents(loop)).toBe('a 3ms (b|)', { a: 'approve? c1', b: 'result c1 denied' });
    });
    expect(executed).toBe(false);
    expect(results[0]).toEqual({
      type: 'tool-result',
      step: 1,
      toolCallId: 'c1',
      name: 'transfer',
      error: { kind: 'denied', message: 'The call of transfer was denied: over the limit' },
      denied: true,
      durationMs: 0,
    });
    expect(lastToolMessage(provider)).toEqual(['{"error":"The call of transfer was denied: over the limit"}']);
  });

  it('a decision sent synchronously in answer to the request chunk is not missed', async () => {
    const approvals = new Subject<ToolApprovalDecision>();
    const provider = providerTransferring(500);
    const transfer = tool({ parameters: amount, needsApproval: true, execute: () => 'sent' });
    const chunks = await lastValueFrom(
      runTools({ provider, request: question, tools: { transfer }, approvals }).pipe(
        map((chunk) => {
          if (chunk.type === 'tool-approval-request') approvals.next({ toolCallId: chunk.toolCallId, approved: true });
          return chunk;
        }),
        toArray(),
      ),
    );
    expect(chunks.filter((chunk) => chunk.type === 'tool-result').map(code)).toEqual(['result c1 "sent"']);
  });

  it('a decision that comes before its request is kept', async () => {
    const provider = providerTransferring(500, 700);
    const transfer = tool({ parameters: amount, needsApproval: true, execute: ({ amount: value }) => value });
    const decisions: ToolApprovalDecision[] = [
      { toolCallId: 'c2', approved: false },
      { toolCallId: 'c1', approved: true },
    ];
    const approvals = of(...decisions);
    await lastValueFrom(runTools({ provider, request: question, tools: { transfer }, approvals }));
    expect(lastToolMessage(provider)).toEqual(['500', '{"error":"The call of transfer was denied"}']);
  });

  it('needsApproval as a predicate over the arguments, sync or async: only the calls it holds for wait', async () => {
    for (const needsApproval of [
      ({ amount: value }: { amount: number }) => value > 100,
      async ({ amount: value }: { amount: number }) => value > 100,
    ]) {
      const provider = providerTransferring(50, 500);
      const transfer = tool({ parameters: amount, needsApproval, execute: ({ amount: value }) => value });
      const approvals: Observable<ToolApprovalDecision> = of({ toolCallId: 'c2', approved: true });
      const chunks = await lastValueFrom(
        runTools({ provider, request: question, tools: { transfer }, approvals }).pipe(toArray()),
      );
      expect(chunks.filter((chunk) => chunk.type === 'tool-approval-request')).toEqual([
        { type: 'tool-approval-request', step: 1, toolCallId: 'c2', name: 'transfer', input: { amount: 500 } },
      ]);
      expect(lastToolMessage(provider)).toEqual(['50', '500']);
    }
  });

  it('a predicate that throws is an error result for that call', async () => {
    const provider = providerTransferring(50);
    const transfer = tool({
      parameters: amount,
      needsApproval: () => {
        throw new Error('policy service down');
      },
      execute: () => 'sent',
    });
    await lastValueFrom(runTools({ provider, request: question, tools: { transfer }, approvals: EMPTY }));
    expect(lastToolMessage(provider)).toEqual(['{"error":"transfer failed: policy service down"}']);
  });

  it('a tool that needs approval without approvals is refused at once; needsApproval: false needs none', () => {
    const provider = providerTransferring(50);
    const transfer = tool({ parameters: amount, needsApproval: ({ amount: value }) => value > 100, execute: () => 1 });
    expect(() => runTools({ provider, request: question, tools: { transfer } })).toThrow(
      new LLMError({
        kind: 'invalid-request',
        provider: 'test',
        message: 'transfer needs approval: give runTools approvals',
      }),
    );
    const free = tool({ parameters: amount, needsApproval: false, execute: () => 1 });
    expect(() => runTools({ provider, request: question, tools: { free } })).not.toThrow();
    expect(provider.requests).toHaveLength(0);
  });

  it('approvals that complete without a decision, or fail, end the loop with a clear error', async () => {
    const transfer = tool({ parameters: amount, needsApproval: true, execute: () => 1 });
    const outcome = (approvals: Observable<ToolApprovalDecision>) =>
      lastValueFrom(
        runTools({ provider: providerTransferring(500), request: question, tools: { transfer }, approvals }),
      ).then(
        () => 'completed',
        (error: unknown) => error,
      );
    expect(await outcome(EMPTY)).toMatchObject({
      kind: 'invalid-request',
      message: 'the approvals completed without a decision on the call c1 of transfer',
    });
    const gone = new Error('the page went away');
    expect(await outcome(throwError(() => gone))).toBe(gone);
  });

  it('a call waiting for approval holds no slot: with maxParallel 1 the other call runs meanwhile', () => {
    createTestScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const runs = { 50: cold('20ms (x|)', { x: 'small' }), 500: cold('5ms (x|)', { x: 'large' }) };
      const approvals = hot<ToolApprovalDecision>('-----a', { a: { toolCallId: 'c2', approved: true } });
      const provider = providerTransferring(50, 500);
      const transfer = tool({
        parameters: amount,
        needsApproval: ({ amount: value }) => value > 100,
        execute: ({ amount: value }) => runs[value as 50 | 500],
      });
      const loop = runTools({ provider, request: question, tools: { transfer }, approvals, maxParallel: 1 });
      const finals = toolEvents(loop).pipe(filter((event) => !event.startsWith('partial')));
      expectObservable(finals).toBe('a 19ms b 4ms (c|)', {
        a: 'approve? c2',
        b: 'result c1 "small"',
        c: 'result c2 "large"',
      });
      expectSubscriptions(runs[50].subscriptions).toBe('^ 19ms !');
      expectSubscriptions(runs[500].subscriptions).toBe('20ms ^ 4ms !');
    });
  });

  it('unsubscribing while a call waits for approval unsubscribes the approvals and runs nothing', () => {
    let executed = false;
    createTestScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const approvals = hot<ToolApprovalDecision>('-------- 10ms a', { a: { toolCallId: 'c1', approved: true } });
      const transfer = tool({
        parameters: amount,
        needsApproval: true,
        execute: () => {
          executed = true;
          return 1;
        },
      });
      const loop = runTools({ provider: providerTransferring(500), request: question, tools: { transfer }, approvals });
      expectObservable(toolEvents(loop), '^ 4ms !').toBe('a', { a: 'approve? c1' });
      expectSubscriptions(approvals.subscriptions).toBe('^ 4ms !');
    });
    expect(executed).toBe(false);
  });
});
