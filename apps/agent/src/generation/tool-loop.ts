import type { AssistantToolCall, Chunk, CompletionRequest, LoopChunk, Provider } from '@rxllm/core';
import { runTools, type ToolSet } from '@rxllm/tools';
import type { Logger } from 'pino';
import { concatMap, defer, finalize, from, type Observable, takeWhile, tap } from 'rxjs';
import type { AgentConfig } from '../config.js';
import { truncateForLog } from '../observability/logger.js';
import { SHIPPED_TOOL_NAMES } from './shipped-tool-names.js';
import { shippedTools } from './shipped-tools.js';
import { type PendingApprovals, withApprovals } from './tool-approvals.js';

/** Where a tool loop reports its calls, beside the log: the agent's Prometheus metrics. */
export interface ToolLoopMetrics {
  recordToolCall(tool: string, outcome: string, durationMs: number): void;
  countToolStep(): void;
}

/**
 * The server-side tools a generation on `providerName` runs: `AGENT_TOOLS` when set (for every provider), else all
 * shipped tools for the simulated provider only, plus the MCP servers' tools (`mcp`, for every provider);
 * `undefined` for none. `TOOL_APPROVAL` marks the ones that ask.
 *
 * @example
 * ```ts
 * toolsFor(loadConfig({}), 'simulated'); // { clock, calculator }
 * toolsFor(loadConfig({}), 'openai'); // undefined
 * ```
 */
export function toolsFor(
  config: Pick<AgentConfig, 'agentTools' | 'toolApproval'>,
  providerName: string,
  mcp: ToolSet = {},
): ToolSet | undefined {
  const names = config.agentTools ?? (providerName === 'simulated' ? SHIPPED_TOOL_NAMES : []);
  const tools = { ...(names.length === 0 ? {} : shippedTools(names)), ...mcp };
  return Object.keys(tools).length === 0 ? undefined : withApprovals(tools, config.toolApproval);
}

/**
 * One generation with server-side tools: `runTools` over `provider` (each step through the agent's provider pipeline,
 * so retry, timeouts and per-step metrics apply to every step), with one `start` for the whole stream (before the
 * first `step-start`), the seed's log lines `Tool call: name(arguments)` and `Tool result: name (N ms)`, and the tool
 * metrics. With `approvals`, calls of tools that ask wait for its decisions (and their deadline).
 *
 * @example
 * ```ts
 * const chunks = serverToolLoop({ provider, request, tools, config, logger, metrics });
 * ```
 */
export function serverToolLoop(options: {
  provider: Provider;
  request: CompletionRequest;
  tools: ToolSet;
  config: Pick<AgentConfig, 'maxToolSteps' | 'toolTimeoutMs'>;
  logger: Logger;
  metrics: ToolLoopMetrics;
  approvals?: PendingApprovals;
  /**
   * Calls the model made in an earlier reply, to run (or deny, by the approvals' `decided`) before the model is asked
   * again: the first step replays them instead of calling the model.
   */
  replayCalls?: readonly AssistantToolCall[];
  /**
   * End the stream (it completes, the loop is aborted) once every call of a step has its result or waits for a
   * decision and one does wait: the client answers in a new request (the UI message stream's approvals).
   */
  endWhenWaiting?: boolean;
}): Observable<LoopChunk> {
  const { logger, metrics, approvals } = options;
  const replayCalls = options.replayCalls?.length ? options.replayCalls : undefined;
  return defer(() => {
    let started = false;
    let heldStepStart: LoopChunk | undefined;
    let replay = replayCalls;
    const provider: Provider = {
      ...options.provider,
      stream: (request) => {
        const calls = replay;
        replay = undefined;
        return calls ? from(replayedStep(options.provider, request, calls)) : options.provider.stream(request);
      },
    };
    const waiting = stepWaits(approvals);
    return runTools({
      provider,
      request: options.request,
      tools: options.tools,
      maxSteps: options.config.maxToolSteps + (replayCalls ? 1 : 0),
      timeoutMs: options.config.toolTimeoutMs,
      ...(approvals ? { approvals: approvals.decisions } : {}),
    }).pipe(
      // One `start`, first, for the whole stream: the first step's `step-start` waits for it; later steps' are dropped.
      concatMap((chunk): LoopChunk[] => {
        if (chunk.type === 'step-start' && !started) {
          heldStepStart = chunk;
          return [];
        }
        if (chunk.type !== 'start') return [chunk];
        if (started) return [];
        started = true;
        return heldStepStart ? [chunk, heldStepStart] : [chunk];
      }),
      tap((chunk) => {
        approvals?.track(chunk);
        if (chunk.type === 'step-start') metrics.countToolStep();
        else if (chunk.type === 'tool-approval-request') {
          logger.info(
            { tool: chunk.name, toolCallId: chunk.toolCallId, step: chunk.step },
            `Tool call waits for approval: ${chunk.name}`,
          );
        } else if (chunk.type === 'tool-call-ready') {
          logger.info(
            { tool: chunk.name, toolCallId: chunk.id, step: chunk.step },
            `Tool call: ${chunk.name}(${truncateForLog(chunk.arguments)})`,
          );
        } else if (chunk.type === 'tool-result' && !chunk.partial) {
          const outcome = chunk.error?.kind ?? 'ok';
          metrics.recordToolCall(chunk.name, outcome, chunk.durationMs);
          const fields = {
            tool: chunk.name,
            toolCallId: chunk.toolCallId,
            step: chunk.step,
            durationMs: chunk.durationMs,
          };
          if (chunk.error) {
            logger.warn(
              { ...fields, errorKind: chunk.error.kind },
              `Tool result: ${chunk.name} failed (${chunk.durationMs} ms): ${truncateForLog(chunk.error.message)}`,
            );
          } else logger.info(fields, `Tool result: ${chunk.name} (${chunk.durationMs} ms)`);
        }
      }),
      takeWhile((chunk) => !(options.endWhenWaiting && waiting(chunk)), true),
      finalize(() => approvals?.close()),
    );
  });
}

/** A model step that only repeats calls already made: `start`, one `tool-call` per call, `finish` for tools. */
function replayedStep(provider: Provider, request: CompletionRequest, calls: readonly AssistantToolCall[]): Chunk[] {
  return [
    { type: 'start', provider: provider.name, model: request.model ?? provider.defaultModel },
    ...calls.map(
      (call, index): Chunk => ({
        type: 'tool-call',
        index,
        id: call.id,
        name: call.name,
        argumentsDelta: call.arguments,
      }),
    ),
    { type: 'finish', reason: 'tool-calls' },
  ];
}

/**
 * A predicate over the loop's chunks (after `approvals.track`): true once the current step's calls all have their
 * final result or wait for a decision, and at least one waits.
 */
function stepWaits(approvals: PendingApprovals | undefined): (chunk: LoopChunk) => boolean {
  let ready = 0;
  let settled = 0;
  return (chunk) => {
    if (chunk.type === 'step-start') {
      ready = 0;
      settled = 0;
    } else if (chunk.type === 'tool-call-ready') ready += 1;
    else if (chunk.type === 'tool-result' && !chunk.partial) settled += 1;
    const waitingNow = approvals?.waitingCount ?? 0;
    return waitingNow > 0 && settled + waitingNow === ready;
  };
}
