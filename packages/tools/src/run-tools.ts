import {
  applyChunk,
  type Completion,
  type CompletionRequest,
  emptyCompletion,
  LLMError,
  type LoopChunk,
  type LoopStopReason,
  type Message,
  type Provider,
  type StepFinishChunk,
  type ToolChoice,
  type ToolDefinition,
  type ToolResultChunk,
} from '@rxllm/core';
import {
  asyncScheduler,
  concat,
  defer,
  EMPTY,
  expand,
  filter,
  finalize,
  from,
  map,
  type Observable,
  of,
  type SchedulerLike,
  tap,
} from 'rxjs';
import { DecisionStore, type ToolApprovalDecision } from './approvals.js';
import { type PreparedCall, prepareCall } from './prepare-call.js';
import { type CallsContext, runCalls } from './run-calls.js';
import { type StepResult, stepResult, sumUsage } from './step-result.js';
import type { StopCondition } from './stop-conditions.js';
import { type ToolSet, toolDefinitions } from './tool.js';
import { assistantMessage, toolMessages } from './tool-messages.js';

/** Steps a loop runs at most when `maxSteps` is not given. */
export const DEFAULT_MAX_STEPS = 5;
/** Calls that execute at the same time at most when `maxParallel` is not given. */
export const DEFAULT_MAX_PARALLEL = 4;

/**
 * The tool choice of each step: one for all, or a function of the step (1-based) and the steps before it, for
 * example to force a tool in the first step only.
 *
 * @example
 * ```ts
 * const toolChoice: StepToolChoice = ({ step }) => (step === 1 ? { type: 'tool', name: 'search' } : 'auto');
 * ```
 */
export type StepToolChoice =
  | ToolChoice
  | ((context: { step: number; steps: readonly StepResult[] }) => ToolChoice | undefined);

/**
 * Options of {@link runTools}. Only `provider`, `request` and `tools` are required.
 *
 * @example
 * ```ts
 * const options: RunToolsOptions = { provider, request, tools: { weather }, maxSteps: 3, timeoutMs: 10_000 };
 * ```
 */
export interface RunToolsOptions {
  provider: Provider;
  /** The conversation and settings of the first step; its `tools` must be empty (the loop sends `tools`). */
  request: CompletionRequest;
  tools: ToolSet;
  /** Model requests at most; default {@link DEFAULT_MAX_STEPS}. The calls of the last step still run. */
  maxSteps?: number;
  /** Checked after every step with tool calls, once they have run: any `true` ends the loop. */
  stopWhen?: StopCondition | readonly StopCondition[];
  /** Sent with every step (overriding `request.toolChoice`); `required` or a named tool loops until a stop. */
  toolChoice?: StepToolChoice;
  /** Calls executing at the same time at most; default {@link DEFAULT_MAX_PARALLEL}. */
  maxParallel?: number;
  /** Longest run of one call, in milliseconds, unless its tool says otherwise; none by default. */
  timeoutMs?: number;
  /**
   * What an unknown tool, invalid arguments, a thrown error or a timeout does: `send-to-model` (default) sends an
   * error result back so the model can correct itself; `fail` ends the loop with an `LLMError` after that result.
   */
  onToolError?: 'send-to-model' | 'fail';
  /** Decisions on `tool-approval-request`s; required when a tool has `needsApproval`. */
  approvals?: Observable<ToolApprovalDecision>;
  /** Clock for durations and timeouts; default `asyncScheduler` (virtual time in `TestScheduler.run`). */
  scheduler?: SchedulerLike;
}

interface Loop {
  provider: Provider;
  request: CompletionRequest;
  tools: ToolSet;
  definitions: ToolDefinition[];
  maxSteps: number;
  stopWhen: readonly StopCondition[];
  toolChoice: StepToolChoice | undefined;
  calls: Omit<CallsContext, 'decisions'>;
  approvals: Observable<ToolApprovalDecision> | undefined;
}

interface LoopState {
  messages: readonly Message[];
  steps: readonly StepResult[];
}

/** What one step emits: chunks, and last the state of the next step when the loop goes on. */
type StepEvent = { chunk: LoopChunk } | { next: LoopState };

const toEvent = (chunk: LoopChunk): StepEvent => ({ chunk });

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

function positiveInteger(value: number | undefined, fallback: number, name: string, provider: string): number {
  if (value === undefined) return fallback;
  if (Number.isInteger(value) && value >= 1) return value;
  throw new LLMError({
    kind: 'invalid-request',
    provider,
    message: `${name} must be a whole number ≥ 1, got ${value}`,
  });
}

function checkTools(options: RunToolsOptions): void {
  const provider = options.provider.name;
  const refuse = (message: string) => new LLMError({ kind: 'invalid-request', provider, message });
  if ((options.request.tools?.length ?? 0) > 0) {
    throw refuse('runTools sends its own tools: give them in `tools`, not in `request.tools`');
  }
  const names = Object.keys(options.tools);
  const badName = names.find((name) => !TOOL_NAME.test(name));
  if (badName !== undefined) throw refuse(`the tool name "${badName}" is not 1 to 64 of [a-zA-Z0-9_-]`);
  const asking = names.filter((name) => options.tools[name]?.asksApproval);
  if (asking.length > 0 && options.approvals === undefined) {
    throw refuse(`${asking.join(', ')} ${asking.length === 1 ? 'needs' : 'need'} approval: give runTools approvals`);
  }
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) {
    throw refuse(`timeoutMs must be a positive number of milliseconds, got ${options.timeoutMs}`);
  }
}

function toLoop(options: RunToolsOptions): Loop {
  checkTools(options);
  const provider = options.provider.name;
  const { stopWhen = [] } = options;
  return {
    provider: options.provider,
    request: options.request,
    tools: options.tools,
    definitions: toolDefinitions(options.tools),
    maxSteps: positiveInteger(options.maxSteps, DEFAULT_MAX_STEPS, 'maxSteps', provider),
    stopWhen: typeof stopWhen === 'function' ? [stopWhen] : stopWhen,
    toolChoice: options.toolChoice,
    approvals: options.approvals,
    calls: {
      provider,
      maxParallel: positiveInteger(options.maxParallel, DEFAULT_MAX_PARALLEL, 'maxParallel', provider),
      timeoutMs: options.timeoutMs,
      onToolError: options.onToolError ?? 'send-to-model',
      scheduler: options.scheduler ?? asyncScheduler,
    },
  };
}

function stepRequest(loop: Loop, state: LoopState, step: number): CompletionRequest {
  const { toolChoice: requestChoice, tools: _none, ...request } = loop.request;
  const choice =
    typeof loop.toolChoice === 'function'
      ? loop.toolChoice({ step, steps: state.steps })
      : (loop.toolChoice ?? requestChoice);
  return {
    ...request,
    messages: [...state.messages],
    ...(loop.definitions.length === 0 ? {} : { tools: loop.definitions }),
    ...(choice === undefined ? {} : { toolChoice: choice }),
  };
}

function stopReason(loop: Loop, steps: readonly StepResult[], callCount: number): LoopStopReason | undefined {
  if (callCount === 0) return 'no-tool-calls';
  if (loop.stopWhen.some((condition) => condition({ steps }))) return 'stop-condition';
  if (steps.length >= loop.maxSteps) return 'max-steps';
  return undefined;
}

interface StepContext {
  loop: Loop;
  decisions: DecisionStore | undefined;
  state: LoopState;
  step: number;
  completion: Completion;
}

/** After the tool calls: the `step-finish` chunk, and the next step's state unless the loop stops here. */
function finishStep(
  context: StepContext,
  calls: readonly PreparedCall[],
  messages: readonly Message[],
  results: ReadonlyMap<string, ToolResultChunk>,
): StepEvent[] {
  const { loop, state, step, completion } = context;
  const toolCalls = calls.map((call) => call.chunk);
  const toolResults = toolCalls.flatMap((call) => results.get(call.id) ?? []);
  const steps = [...state.steps, stepResult(step, completion, toolCalls, toolResults)];
  const stoppedBy = stopReason(loop, steps, calls.length);
  const totalUsage = sumUsage(steps.map((done) => done.usage));
  const chunk: StepFinishChunk = {
    type: 'step-finish',
    step,
    reason: completion.finishReason ?? 'other',
    ...(completion.rawFinishReason === undefined ? {} : { rawReason: completion.rawFinishReason }),
    ...(completion.usage === undefined ? {} : { usage: completion.usage }),
    ...(totalUsage === undefined ? {} : { totalUsage }),
    toolCalls: calls.length,
    ...(stoppedBy === undefined ? {} : { stoppedBy }),
  };
  if (stoppedBy !== undefined) return [{ chunk }];
  return [{ chunk }, { next: { messages: [...messages, ...toolMessages(calls, results)], steps } }];
}

/** Once the model has answered: the assembled calls, their approvals and results, then the step's end. */
function afterModel(context: StepContext): Observable<StepEvent> {
  const { loop, decisions, state, step, completion } = context;
  const calls = completion.toolCalls.map((call) => prepareCall(step, call, loop.tools));
  const messages = calls.length === 0 ? state.messages : [...state.messages, assistantMessage(completion.text, calls)];
  const results = new Map<string, ToolResultChunk>();
  const calls$ = runCalls(calls, messages, { ...loop.calls, decisions }).pipe(
    tap((chunk) => {
      if (chunk.type === 'tool-result' && !chunk.partial) results.set(chunk.toolCallId, chunk);
    }),
  );
  return concat(
    from(calls).pipe(map((call) => toEvent(call.chunk))),
    calls$.pipe(map(toEvent)),
    defer(() => from(finishStep(context, calls, messages, results))),
  );
}

function runStep(loop: Loop, decisions: DecisionStore | undefined, state: LoopState): Observable<StepEvent> {
  return defer(() => {
    const step = state.steps.length + 1;
    const completion = emptyCompletion();
    const model$ = loop.provider
      .stream(stepRequest(loop, state, step))
      .pipe(tap((chunk) => applyChunk(completion, chunk)));
    return concat(
      of(toEvent({ type: 'step-start', step })),
      model$.pipe(map(toEvent)),
      defer(() => afterModel({ loop, decisions, state, step, completion })),
    );
  });
}

/**
 * Runs a conversation with tools, step by step: each step is one `provider.stream(request)`; when the model asks
 * for tools, the calls are checked against their zod schemas, approved where needed, run (at most `maxParallel` at
 * a time, each within `timeoutMs`), and the assistant's calls and their results go into the next step's messages.
 * The loop ends after a step without tool calls, at `maxSteps`, or when a `stopWhen` condition holds.
 *
 * The result is cold: nothing runs until it is subscribed, and unsubscribing aborts the model request in flight and
 * every running tool (through its `AbortSignal`). It emits every provider chunk of every step, between a
 * `step-start` and a `step-finish`, plus `tool-call-ready`, `tool-approval-request` and `tool-result` chunks. An
 * unknown tool, invalid arguments, a thrown error or a timeout is an error result sent back to the model (unless
 * `onToolError: 'fail'`); a provider error ends the loop with that error. Options that cannot work (a tool that
 * needs approval without `approvals`, tools in `request.tools`, a bad tool name) throw an `invalid-request`
 * `LLMError` at once.
 *
 * @example
 * ```ts
 * import { runTools, tool } from '@rxllm/tools';
 * import { z } from 'zod';
 *
 * const weather = tool({
 *   description: 'The current weather in a city',
 *   parameters: z.object({ city: z.string() }),
 *   execute: async ({ city }, { signal }) => fetchWeather(city, signal),
 * });
 * runTools({ provider, request: { messages: [{ role: 'user', content: 'Weather in Paris?' }] }, tools: { weather } })
 *   .subscribe((chunk) => {
 *     if (chunk.type === 'text') process.stdout.write(chunk.text);
 *     if (chunk.type === 'tool-result' && !chunk.partial) console.log(chunk.name, chunk.output ?? chunk.error);
 *   });
 * ```
 */
export function runTools(options: RunToolsOptions): Observable<LoopChunk> {
  const loop = toLoop(options);
  return defer(() => {
    const decisions = loop.approvals ? new DecisionStore(loop.approvals, loop.calls.provider) : undefined;
    const first: LoopState = { messages: loop.request.messages, steps: [] };
    return runStep(loop, decisions, first).pipe(
      expand((event) => ('next' in event ? runStep(loop, decisions, event.next) : EMPTY)),
      filter((event): event is { chunk: LoopChunk } => 'chunk' in event),
      map((event) => event.chunk),
      finalize(() => decisions?.close()),
    );
  });
}
