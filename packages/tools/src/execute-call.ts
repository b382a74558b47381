import type { Message, ToolResultChunk, ToolResultError } from '@rxllm/core';
import { from, isObservable, Observable, of, type SchedulerLike } from 'rxjs';
import type { Tool } from './tool.js';

/** A call that passed validation (and approval): what {@link executeCall} runs. */
export interface RunnableCall {
  step: number;
  toolCallId: string;
  name: string;
  tool: Tool;
  input: unknown;
  messages: readonly Message[];
}

/** How calls run: the default timeout, the clock, and where thrown errors are kept for `onToolError: 'fail'`. */
export interface ExecuteOptions {
  timeoutMs: number | undefined;
  scheduler: SchedulerLike;
  /** Receives the error behind each `execution` or `timeout` result. */
  onFailure: (toolCallId: string, cause: unknown) => void;
}

const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';

/**
 * The values of whatever `execute` returned, and whether they stream (Observables and async iterables do: each value
 * is a partial result). A plain value is one value, even an array.
 */
function outputValues(result: unknown): { values: Observable<unknown>; streamed: boolean } {
  if (isObservable(result)) return { values: result, streamed: true };
  if (isAsyncIterable(result)) return { values: from(result), streamed: true };
  if (isPromiseLike(result)) return { values: from(result), streamed: false };
  return { values: of(result), streamed: false };
}

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Runs one call: emits a `partial` result per value of a streamed output, then the final result (the last value, or
 * the error). The call's `AbortSignal` is aborted when its timeout passes or when it is unsubscribed before it has
 * finished; a call that finished is left alone. Never errors: a failure is an error result.
 */
export function executeCall(call: RunnableCall, options: ExecuteOptions): Observable<ToolResultChunk> {
  return new Observable<ToolResultChunk>((subscriber) => {
    const { scheduler } = options;
    const controller = new AbortController();
    const startedAt = scheduler.now();
    const timeoutMs = call.tool.timeoutMs ?? options.timeoutMs;
    let finished = false;
    let last: unknown;
    const result = (fields: { output?: unknown; error?: ToolResultError; partial?: true }): ToolResultChunk => ({
      type: 'tool-result',
      step: call.step,
      toolCallId: call.toolCallId,
      name: call.name,
      ...fields,
      durationMs: scheduler.now() - startedAt,
    });
    const settle = (chunk: ToolResultChunk) => {
      finished = true;
      subscriber.next(chunk);
      subscriber.complete();
    };
    const fail = (cause: unknown) => {
      options.onFailure(call.toolCallId, cause);
      settle(result({ error: { kind: 'execution', message: `${call.name} failed: ${reasonOf(cause)}` } }));
    };

    let source: { values: Observable<unknown>; streamed: boolean };
    try {
      const context = { signal: controller.signal, toolCallId: call.toolCallId, step: call.step };
      source = outputValues(call.tool.execute(call.input, { ...context, messages: call.messages }));
    } catch (error) {
      fail(error);
      return;
    }
    const execution = source.values.subscribe({
      next: (value) => {
        last = value;
        if (source.streamed) subscriber.next(result({ output: value, partial: true }));
      },
      error: fail,
      complete: () => settle(result({ output: last })),
    });
    const deadline =
      finished || timeoutMs === undefined
        ? undefined
        : scheduler.schedule(() => {
            const cause = new DOMException(`${call.name} did not finish within ${timeoutMs} ms`, 'TimeoutError');
            controller.abort(cause);
            execution.unsubscribe();
            options.onFailure(call.toolCallId, cause);
            settle(result({ error: { kind: 'timeout', message: cause.message } }));
          }, timeoutMs);
    return () => {
      deadline?.unsubscribe();
      execution.unsubscribe();
      if (!finished) controller.abort(new DOMException('the tool loop was stopped', 'AbortError'));
    };
  });
}
