import {
  LLMError,
  type LLMErrorKind,
  type ToolLoopChunk,
  type ToolResultChunk,
  type ToolResultError,
} from '@rxllm/core';
import {
  catchError,
  concat,
  connect,
  defer,
  filter,
  from,
  map,
  merge,
  mergeMap,
  type Observable,
  of,
  throwError,
} from 'rxjs';
import type { DecisionStore, ToolApprovalDecision } from './approvals.js';
import { type ExecuteOptions, executeCall, type RunnableCall } from './execute-call.js';
import type { PreparedCall } from './prepare-call.js';

/** How the calls of one step run. */
export interface CallsContext extends Omit<ExecuteOptions, 'onFailure'> {
  provider: string;
  maxParallel: number;
  onToolError: 'send-to-model' | 'fail';
  decisions: DecisionStore | undefined;
}

type Gated = { kind: 'chunk'; chunk: ToolLoopChunk } | { kind: 'run'; call: RunnableCall };

const emit = (chunk: ToolLoopChunk): Gated => ({ kind: 'chunk', chunk });

/** A result that never ran: an unknown tool, invalid arguments, a failed approval predicate, a denial. */
function unranResult(call: PreparedCall, error: ToolResultError, denied = false): ToolResultChunk {
  const { step, id, name } = call.chunk;
  return {
    type: 'tool-result',
    step,
    toolCallId: id,
    name,
    error,
    ...(denied ? { denied: true as const } : {}),
    durationMs: 0,
  };
}

function deniedResult(call: PreparedCall, decision: ToolApprovalDecision): ToolResultChunk {
  const why = decision.reason ? `: ${decision.reason}` : '';
  return unranResult(call, { kind: 'denied', message: `The call of ${call.chunk.name} was denied${why}` }, true);
}

/** Asks for a decision (the request chunk first, then the wait) and lets the call run or answers with the denial. */
function askApproval(call: PreparedCall, runnable: RunnableCall, context: CallsContext): Observable<Gated> {
  const { decisions } = context;
  if (!decisions) {
    const message = `${call.chunk.name} needs approval, but runTools was given no approvals`;
    return throwError(() => new LLMError({ kind: 'invalid-request', provider: context.provider, message }));
  }
  const { step, id, name, input } = call.chunk;
  return concat(
    of(emit({ type: 'tool-approval-request', step, toolCallId: id, name, input })),
    decisions
      .decisionFor(id, name)
      .pipe(
        map(
          (decision): Gated =>
            decision.approved ? { kind: 'run', call: runnable } : emit(deniedResult(call, decision)),
        ),
      ),
  );
}

/** What happens to a call before it runs: its error result, or approval (when needed), or straight to running. */
function gate(call: PreparedCall, messages: RunnableCall['messages'], context: CallsContext): Observable<Gated> {
  if (call.error !== undefined) return of(emit(unranResult(call, call.error)));
  const { tool, input } = call;
  const runnable: RunnableCall = {
    step: call.chunk.step,
    toolCallId: call.chunk.id,
    name: call.chunk.name,
    tool,
    input,
    messages,
  };
  if (!tool.asksApproval) return of<Gated>({ kind: 'run', call: runnable });
  const needed = defer(() => {
    const answer = tool.needsApproval(input);
    return typeof answer === 'boolean' ? of(answer) : from(answer);
  }).pipe(
    map((need) => ({ need })),
    catchError((error: unknown) => of({ error })),
  );
  return needed.pipe(
    mergeMap((answer): Observable<Gated> => {
      if ('error' in answer) {
        const reason = answer.error instanceof Error ? answer.error.message : String(answer.error);
        return of(emit(unranResult(call, { kind: 'execution', message: `${call.chunk.name} failed: ${reason}` })));
      }
      return answer.need ? askApproval(call, runnable, context) : of<Gated>({ kind: 'run', call: runnable });
    }),
  );
}

const failureKinds: Record<ToolResultError['kind'], LLMErrorKind> = {
  'unknown-tool': 'invalid-output',
  'invalid-arguments': 'invalid-output',
  execution: 'unknown',
  timeout: 'timeout',
  denied: 'unknown',
};

/** The loop's error for a failed call under `onToolError: 'fail'`: an `LLMError` the tool threw, as it is. */
function failure(result: ToolResultChunk, error: ToolResultError, cause: unknown, provider: string): LLMError {
  if (LLMError.isInstance(cause)) return cause;
  return new LLMError({
    kind: failureKinds[error.kind],
    provider,
    message: error.message,
    ...(cause === undefined ? {} : { cause }),
    details: { toolCallId: result.toolCallId, toolName: result.name, toolError: error.kind },
  });
}

/**
 * Runs the prepared calls of one step and emits their approval requests and results as they happen: approvals are
 * asked for all at once, at most `maxParallel` calls execute at a time, results come in the order they finish.
 * Under `onToolError: 'fail'` the first error result (a denial excepted) is emitted, then the stream fails, which
 * aborts the calls still running.
 */
export function runCalls(
  calls: readonly PreparedCall[],
  messages: RunnableCall['messages'],
  context: CallsContext,
): Observable<ToolLoopChunk> {
  const causes = new Map<string, unknown>();
  const execute: ExecuteOptions = { ...context, onFailure: (toolCallId, cause) => causes.set(toolCallId, cause) };
  return from(calls).pipe(
    mergeMap((call) => gate(call, messages, context)),
    // Approval requests must not wait behind running calls, so only the runnable ones go through the bounded merge.
    connect((gated) =>
      merge(
        gated.pipe(
          filter((item): item is Extract<Gated, { kind: 'chunk' }> => item.kind === 'chunk'),
          map((item) => item.chunk),
        ),
        gated.pipe(
          filter((item): item is Extract<Gated, { kind: 'run' }> => item.kind === 'run'),
          mergeMap((item) => executeCall(item.call, execute), context.maxParallel),
        ),
      ),
    ),
    mergeMap((chunk) => {
      const error = chunk.type === 'tool-result' && !chunk.partial ? chunk.error : undefined;
      if (context.onToolError === 'send-to-model' || !error || error.kind === 'denied') return of(chunk);
      const result = chunk as ToolResultChunk;
      return concat(
        of(chunk),
        throwError(() => failure(result, error, causes.get(result.toolCallId), context.provider)),
      );
    }),
  );
}
