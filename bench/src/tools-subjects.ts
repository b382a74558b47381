import type { LoopChunk } from '@rxllm/core';
import type { TextStreamPart, ToolSet } from 'ai';
import { BENCH_API_KEY } from './gateway-subjects.js';
import {
  addSchema,
  constantSchema,
  emptyTrace,
  multiplySchema,
  sortResults,
  TOOL_DESCRIPTIONS,
  TOOLS_MODEL,
  TOOLS_PROMPT,
  TOOLS_STEPS,
  type ToolsTrace,
  toolBodies,
} from './tools-sample.js';

/**
 * The two subjects of the `tools` section. Each runs the whole three-step loop against the upstream with the same
 * three tools, consumes every chunk of it (text, tool calls, tool results, step ends) and resolves with the loop's
 * trace (checked by the worker, not here).
 */
export interface ToolsSubject {
  id: string;
  label: string;
  /** Builds the client and the tools once (outside the timed loops); resolves to the function that runs one loop. */
  prepare(upstreamUrl: string): Promise<() => Promise<ToolsTrace>>;
}

/** Adds one rxllm loop chunk to the trace. */
function traceRxllmChunk(trace: ToolsTrace, chunk: LoopChunk): void {
  switch (chunk.type) {
    case 'text':
      trace.text += chunk.text;
      trace.textDeltas += 1;
      return;
    case 'tool-call-ready':
      trace.calls.push({ step: chunk.step, id: chunk.id, name: chunk.name, input: chunk.input });
      return;
    case 'tool-result':
      if (chunk.error) throw new Error(`${chunk.name} failed: ${chunk.error.message}`);
      if (!chunk.partial)
        trace.results.push({ step: chunk.step, id: chunk.toolCallId, name: chunk.name, output: chunk.output });
      return;
    case 'step-finish':
      trace.steps += 1;
      return;
    default:
      return;
  }
}

/** Adds one AI SDK `fullStream` part to the trace; `step` is the 1-based step the part belongs to. */
function traceAiSdkPart(trace: ToolsTrace, part: TextStreamPart<ToolSet>, step: number): void {
  switch (part.type) {
    case 'text-delta':
      trace.text += part.text;
      trace.textDeltas += 1;
      return;
    case 'tool-call':
      trace.calls.push({ step, id: part.toolCallId, name: part.toolName, input: part.input });
      return;
    case 'tool-result':
      if (!part.preliminary)
        trace.results.push({ step, id: part.toolCallId, name: part.toolName, output: part.output });
      return;
    case 'tool-error':
      throw new Error(`${part.toolName} failed: ${String(part.error)}`);
    case 'error':
      throw part.error instanceof Error ? part.error : new Error(String(part.error));
    case 'finish-step':
      trace.steps += 1;
      return;
    default:
      return;
  }
}

export const TOOLS_SUBJECTS: readonly ToolsSubject[] = [
  {
    id: 'rxllm-run-tools',
    label: '`@rxllm/openai` → `runTools({ maxSteps: 3, stopWhen: stepCountIs(3) })`',
    async prepare(upstreamUrl) {
      const { createOpenAI } = await import('@rxllm/openai');
      const { runTools, stepCountIs, tool } = await import('@rxllm/tools');
      // The official `openai` SDK underneath, SDK retries off (the provider sets `maxRetries: 0`).
      const provider = createOpenAI({ apiKey: BENCH_API_KEY, baseURL: `${upstreamUrl}/v1`, model: TOOLS_MODEL });
      const tools = {
        add: tool({ description: TOOL_DESCRIPTIONS.add, parameters: addSchema, execute: toolBodies.add }),
        constant: tool({
          description: TOOL_DESCRIPTIONS.constant,
          parameters: constantSchema,
          execute: toolBodies.constant,
        }),
        multiply: tool({
          description: TOOL_DESCRIPTIONS.multiply,
          parameters: multiplySchema,
          execute: toolBodies.multiply,
        }),
      };
      return () =>
        new Promise<ToolsTrace>((resolve, reject) => {
          const trace = emptyTrace();
          runTools({
            provider,
            request: { messages: [{ role: 'user', content: TOOLS_PROMPT }] },
            tools,
            maxSteps: TOOLS_STEPS,
            stopWhen: stepCountIs(TOOLS_STEPS),
          }).subscribe({
            next: (chunk) => traceRxllmChunk(trace, chunk),
            error: reject,
            complete: () => resolve(sortResults(trace)),
          });
        });
    },
  },
  {
    id: 'ai-sdk-stream-text',
    label: 'Vercel AI SDK `streamText({ tools, stopWhen: stepCountIs(3) })` + `@ai-sdk/openai` (`.chat()`)',
    async prepare(upstreamUrl) {
      const { stepCountIs, streamText, tool } = await import('ai');
      const { createOpenAI } = await import('@ai-sdk/openai');
      const provider = createOpenAI({ apiKey: BENCH_API_KEY, baseURL: `${upstreamUrl}/v1` });
      // `.chat()`: Chat Completions, the dialect the mock streams (`provider(id)` would use the Responses API).
      const model = provider.chat(TOOLS_MODEL);
      const tools = {
        add: tool({ description: TOOL_DESCRIPTIONS.add, inputSchema: addSchema, execute: toolBodies.add }),
        constant: tool({
          description: TOOL_DESCRIPTIONS.constant,
          inputSchema: constantSchema,
          execute: toolBodies.constant,
        }),
        multiply: tool({
          description: TOOL_DESCRIPTIONS.multiply,
          inputSchema: multiplySchema,
          execute: toolBodies.multiply,
        }),
      };
      return async () => {
        const result = streamText({
          model,
          prompt: TOOLS_PROMPT,
          tools,
          stopWhen: stepCountIs(TOOLS_STEPS),
          maxRetries: 0,
        });
        const trace = emptyTrace();
        let step = 0;
        for await (const part of result.fullStream) {
          if (part.type === 'start-step') step += 1;
          traceAiSdkPart(trace, part as TextStreamPart<ToolSet>, step);
        }
        return sortResults(trace);
      };
    },
  },
];
