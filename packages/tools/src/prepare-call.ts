import type { CollectedToolCall, ToolCallReadyChunk, ToolResultError } from '@rxllm/core';
import { safeParse } from 'zod/v4/core';
import type { Tool, ToolSet } from './tool.js';

/**
 * A call assembled at the end of a step: ready to run with its validated `input`, or already failed (unknown tool,
 * invalid arguments). `jsonObject` says whether the arguments were a JSON object, as the history must hold one.
 */
export type PreparedCall =
  | { chunk: ToolCallReadyChunk; jsonObject: boolean; tool: Tool; input: unknown; error?: undefined }
  | { chunk: ToolCallReadyChunk; jsonObject: boolean; tool?: undefined; error: ToolResultError };

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

function parseArguments(text: string): Parsed {
  // No arguments at all (Anthropic's one empty input_json_delta, an OpenAI call of a tool without parameters) is {}.
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

const isJsonObject = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);

const issueText = (issue: { path: readonly PropertyKey[]; message: string }): string =>
  issue.path.length === 0 ? issue.message : `${issue.path.map(String).join('.')}: ${issue.message}`;

function validate(
  entry: Tool,
  name: string,
  value: unknown,
): { ok: true; input: unknown } | { ok: false; error: ToolResultError } {
  try {
    const result = safeParse(entry.parameters, value);
    if (result.success) return { ok: true, input: result.data };
    const issues = result.error.issues.map(({ path, message, code }) => ({ path, message, code }));
    const message = `The arguments of ${name} do not match its schema: ${issues.map(issueText).join('; ')}`;
    return { ok: false, error: { kind: 'invalid-arguments', message, issues } };
  } catch (error) {
    // A schema that cannot run synchronously (an async refinement) is the tool's fault, not the model's.
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { kind: 'execution', message: `The schema of ${name} failed: ${reason}` } };
  }
}

/**
 * Turns a tool call collected from the step's fragments into a {@link PreparedCall}: its `tool-call-ready` chunk
 * (an id is made up when the provider sent none), and the validated input or the error that goes back to the model.
 */
export function prepareCall(step: number, call: CollectedToolCall, tools: ToolSet): PreparedCall {
  const name = call.name ?? '';
  const parsed = parseArguments(call.arguments);
  const chunk: ToolCallReadyChunk = {
    type: 'tool-call-ready',
    step,
    index: call.index,
    id: call.id ?? `call_${step}_${call.index}`,
    name,
    input: parsed.ok ? parsed.value : undefined,
    arguments: call.arguments,
  };
  const jsonObject = parsed.ok && isJsonObject(parsed.value);
  const entry = Object.hasOwn(tools, name) ? tools[name] : undefined;
  if (entry === undefined) {
    const available = Object.keys(tools).join(', ') || 'none';
    const message = `There is no tool named "${name}". Available tools: ${available}.`;
    return { chunk, jsonObject, error: { kind: 'unknown-tool', message } };
  }
  if (!parsed.ok) {
    const message = `The arguments of ${name} are not valid JSON: ${parsed.message}`;
    return { chunk, jsonObject, error: { kind: 'invalid-arguments', message } };
  }
  const checked = validate(entry, name, parsed.value);
  if (!checked.ok) return { chunk, jsonObject, error: checked.error };
  return { chunk: { ...chunk, input: checked.input }, jsonObject, tool: entry, input: checked.input };
}
