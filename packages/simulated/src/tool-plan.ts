import { type CompletionRequest, type Message, messageText, type ToolDefinition } from '@rxllm/core';

/** A call the simulated model decided to make: the tool's name and the JSON text of its arguments. */
export interface PlannedCall {
  name: string;
  arguments: string;
}

const ASKS_TIME = /\b(time|date|today|day is it|clock)\b/i;
/** Runs of characters an arithmetic expression is made of. */
const EXPRESSION_RUNS = /[\d.\s()+\-*/^%×÷]+/g;
/** A binary operator between two operands: what tells `6 * 7` from a year or a phone number. */
const HAS_OPERATOR = /[\d.)]\s*[-+*/^%×÷]\s*[-+(]*\s*[\d.(]/;

/** The longest arithmetic expression in `text` (`"what is (2 + 3) * 4?"` → `"(2 + 3) * 4"`), if any. */
export function findExpression(text: string): string | undefined {
  let best: string | undefined;
  for (const [run] of text.matchAll(EXPRESSION_RUNS)) {
    const candidate = run.trim();
    if (HAS_OPERATOR.test(candidate) && candidate.length > (best?.length ?? 0)) best = candidate;
  }
  return best;
}

const isClock = (tool: ToolDefinition) => /clock|time/i.test(tool.name);
const isCalculator = (tool: ToolDefinition) => /calc|math|arithmetic/i.test(tool.name);

/** The arguments the simulated model gives `tool` for `question`: an expression for a calculator, else none. */
function argumentsFor(tool: ToolDefinition, question: string): string {
  const expression = isCalculator(tool) ? findExpression(question) : undefined;
  return expression === undefined ? '{}' : JSON.stringify({ expression });
}

/** The messages after the last user message: the tool round trips of this turn so far. */
function turnAfterUser(messages: readonly Message[]): { question: string; after: Message[] } {
  const index = messages.findLastIndex((message) => message.role === 'user');
  if (index === -1) return { question: '', after: [...messages] };
  return { question: messageText(messages[index] as Message), after: messages.slice(index + 1) };
}

/**
 * The calls the simulated model makes for `request`: none once this turn has tool results (it answers from them),
 * none for `toolChoice: 'none'`; the named tool when one is forced; else each tool the question needs (a clock-like
 * tool for a question about the time or date, a calculator for one with arithmetic in it), and for `'required'` the
 * first tool when none fits.
 *
 * @example
 * ```ts
 * planToolCalls({ messages: [{ role: 'user', content: 'What is 6 * 7?' }], tools: [calculatorDefinition] });
 * // [{ name: 'calculator', arguments: '{"expression":"6 * 7"}' }]
 * ```
 */
export function planToolCalls(request: CompletionRequest): PlannedCall[] {
  const tools = request.tools ?? [];
  const choice = request.toolChoice ?? 'auto';
  if (tools.length === 0 || choice === 'none') return [];
  const { question, after } = turnAfterUser(request.messages);
  if (after.some((message) => message.role === 'tool')) return [];
  const call = (tool: ToolDefinition): PlannedCall => ({ name: tool.name, arguments: argumentsFor(tool, question) });
  if (typeof choice === 'object') {
    const forced = tools.find((tool) => tool.name === choice.name);
    return forced ? [call(forced)] : [];
  }
  const needed = tools.filter(
    (tool) =>
      (isClock(tool) && ASKS_TIME.test(question)) || (isCalculator(tool) && findExpression(question) !== undefined),
  );
  if (needed.length === 0 && choice === 'required') return [call(tools[0] as ToolDefinition)];
  return needed.map(call);
}

const MAX_RESULT_CHARS = 200;

/**
 * The simulated model's answer from this turn's tool results (`undefined` when there are none): each tool's result
 * quoted back, so what the tools returned is visible in the answer.
 *
 * @example
 * ```ts
 * toolAnswer({ messages: [user, assistantWithCall, { role: 'tool', toolCallId: 'c1', name: 'calculator', content: '42' }] });
 * // 'The calculator tool returned 42.'
 * ```
 */
export function toolAnswer(request: CompletionRequest): string | undefined {
  const results = turnAfterUser(request.messages).after.filter((message) => message.role === 'tool');
  if (results.length === 0) return undefined;
  const sentences = results.map((result) => {
    const content = result.content.trim();
    const shown = content.length > MAX_RESULT_CHARS ? `${content.slice(0, MAX_RESULT_CHARS)}…` : content;
    return `The ${result.name ?? 'tool'} tool returned ${shown}.`;
  });
  return `${sentences.join(' ')} (This is the simulated provider; a real model would answer in its own words.)`;
}
