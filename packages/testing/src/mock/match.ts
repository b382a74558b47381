import type { MockResponder } from './api.js';
import type { MockScript, RecordedRequest } from './script.js';

/** A test on a recorded request: which vendor, what its body holds. */
export type RequestMatcher = (request: RecordedRequest) => boolean;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The messages (OpenAI, Anthropic) or contents (Gemini) of a request body. */
function turnsOf(request: RecordedRequest): Json[] {
  if (!isObject(request.body)) return [];
  const turns = request.vendor === 'gemini' ? request.body.contents : request.body.messages;
  return list(turns).filter(isObject);
}

/** The content blocks of an Anthropic message or the parts of a Gemini content. */
function piecesOf(turn: Json): Json[] {
  return list(turn.parts ?? turn.content).filter(isObject);
}

/**
 * True when the request sends a tool's result back, in its vendor's dialect: an OpenAI `role: "tool"` message, an
 * Anthropic `tool_result` block, a Gemini `functionResponse` part. With `toolName`, only a result of that tool
 * (OpenAI results carry no name: the assistant call with the same `tool_call_id` is looked up).
 *
 * @example
 * ```ts
 * mockUpstream({ respond: matchRequests([{ when: hasToolResult, script: answer }], callTheTool) });
 * ```
 */
export function hasToolResult(request: RecordedRequest, toolName?: string): boolean {
  return toolResults(request).some((result) => toolName === undefined || result.name === toolName);
}

/** The tool results a request sends back, with the tool's name where the dialect says it. */
export function toolResults(request: RecordedRequest): Array<{ name: string | undefined; content: unknown }> {
  const turns = turnsOf(request);
  if (request.vendor === 'openai') {
    const names = new Map<unknown, string>();
    for (const turn of turns) {
      for (const call of list(turn.tool_calls).filter(isObject)) {
        const fn = isObject(call.function) ? call.function : {};
        if (typeof fn.name === 'string') names.set(call.id, fn.name);
      }
    }
    return turns
      .filter((turn) => turn.role === 'tool')
      .map((turn) => ({ name: names.get(turn.tool_call_id), content: turn.content }));
  }
  if (request.vendor === 'anthropic') {
    const names = new Map<unknown, string>();
    const pieces = turns.flatMap(piecesOf);
    for (const block of pieces)
      if (block.type === 'tool_use' && typeof block.name === 'string') names.set(block.id, block.name);
    return pieces
      .filter((block) => block.type === 'tool_result')
      .map((block) => ({ name: names.get(block.tool_use_id), content: block.content }));
  }
  if (request.vendor === 'gemini') {
    return turns
      .flatMap(piecesOf)
      .map((part) => part.functionResponse)
      .filter(isObject)
      .map((response) => ({
        name: typeof response.name === 'string' ? response.name : undefined,
        content: response.response,
      }));
  }
  return [];
}

/** One rule of {@link matchRequests}: when the request passes `when`, answer with `script`. */
export interface MatchRule {
  when: RequestMatcher;
  script: MockScript | ((request: RecordedRequest) => MockScript);
}

/**
 * A `respond` function for `mockUpstream` that answers by what the request holds: the first rule whose `when`
 * passes gives the script; with no match, `otherwise` (a script), or the queue and the default script when that is
 * left out. The usual case is a tool loop: call the tool first, answer in words once the result comes back.
 *
 * @example
 * ```ts
 * const mock = await mockUpstream({
 *   respond: matchRequests(
 *     [{ when: hasToolResult, script: { events: [{ type: 'text', text: 'It is 21 °C in Paris.' }] } }],
 *     { events: [{ type: 'tool-call', id: 'call_1', name: 'weather', argumentFragments: ['{"city":', '"Paris"}'] }] },
 *   ),
 * });
 * ```
 */
export function matchRequests(rules: readonly MatchRule[], otherwise?: MockScript): MockResponder {
  return (request) => {
    for (const rule of rules) {
      if (rule.when(request)) return typeof rule.script === 'function' ? rule.script(request) : rule.script;
    }
    return otherwise;
  };
}
