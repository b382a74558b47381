import { type Tool, type ToolSet, tool } from '@rxllm/tools';
import { z } from 'zod';
import type { ShippedToolName } from './shipped-tool-names.js';

/** Longest expression the calculator reads, in characters. */
export const MAX_EXPRESSION_CHARS = 200;
const MAX_NESTING = 32;

/** A token of an arithmetic expression: a number or one operator / parenthesis character. */
type Token = { type: 'number'; value: number } | { type: 'symbol'; value: string };

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\d+(?:\.\d*)?|\.\d+)(?:e([+-]?\d+))?|(\*\*|[-+*/%^()×÷]))/y;
  let offset = 0;
  while (offset < expression.length) {
    if (/^\s*$/.test(expression.slice(offset))) break;
    pattern.lastIndex = offset;
    const match = pattern.exec(expression);
    if (!match) throw new Error(`unexpected "${expression.slice(offset).trim()[0]}" at character ${offset + 1}`);
    offset = pattern.lastIndex;
    if (match[1] !== undefined) tokens.push({ type: 'number', value: Number(`${match[1]}e${match[2] ?? 0}`) });
    else tokens.push({ type: 'symbol', value: match[3] === '**' ? '^' : (match[3] as string) });
  }
  return tokens;
}

/**
 * The value of an arithmetic expression: numbers, `+ - * / %` (also `×` and `÷`), `^` or `**` (right-associative,
 * above unary minus: `-2^2` is -4), parentheses. No names, no calls, nothing evaluated as code. Throws an `Error`
 * with a plain message for anything else, a division by zero or a result that is not a finite number.
 *
 * @example
 * ```ts
 * evaluateArithmetic('(2 + 3) * 4'); // 20
 * ```
 */
export function evaluateArithmetic(expression: string): number {
  if (expression.length > MAX_EXPRESSION_CHARS) {
    throw new Error(`the expression is longer than ${MAX_EXPRESSION_CHARS} characters`);
  }
  const tokens = tokenize(expression);
  let position = 0;
  let depth = 0;
  const peek = () => tokens[position];
  const isSymbol = (value: string) => peek()?.type === 'symbol' && peek()?.value === value;
  const primary = (): number => {
    const token = tokens[position++];
    if (token?.type === 'number') return token.value;
    if (token?.value === '(') {
      depth += 1;
      if (depth > MAX_NESTING) throw new Error(`parentheses nest deeper than ${MAX_NESTING}`);
      const value = sum();
      if (!isSymbol(')')) throw new Error('a "(" is not closed');
      position += 1;
      depth -= 1;
      return value;
    }
    throw new Error(token === undefined ? 'the expression ends too early' : `unexpected "${token.value}"`);
  };
  const power = (): number => {
    const base = primary();
    if (!isSymbol('^')) return base;
    position += 1;
    return base ** unary();
  };
  const unary = (): number => {
    if (isSymbol('-') || isSymbol('+')) {
      const sign = tokens[position++]?.value === '-' ? -1 : 1;
      return sign * unary();
    }
    return power();
  };
  const product = (): number => {
    let value = unary();
    for (let token = peek(); token?.type === 'symbol' && '*/%×÷'.includes(token.value); token = peek()) {
      position += 1;
      const right = unary();
      if ('/%÷'.includes(token.value) && right === 0) throw new Error('division by zero');
      value = token.value === '%' ? value % right : '/÷'.includes(token.value) ? value / right : value * right;
    }
    return value;
  };
  const sum = (): number => {
    let value = product();
    for (let token = peek(); token?.type === 'symbol' && '+-'.includes(token.value); token = peek()) {
      position += 1;
      value = token.value === '+' ? value + product() : value - product();
    }
    return value;
  };
  if (tokens.length === 0) throw new Error('the expression is empty');
  const value = sum();
  const rest = peek();
  if (rest !== undefined) throw new Error(`unexpected "${rest.value}"`);
  if (!Number.isFinite(value)) throw new Error('the result is not a finite number');
  return value;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const clock = tool({
  description: 'The current date and time, in the given IANA time zone (for example Europe/Paris) or the server’s own.',
  parameters: z.object({
    timeZone: z
      .string()
      .max(64)
      .refine(isTimeZone, { message: 'not an IANA time zone name (for example Europe/Paris)' })
      .optional()
      .describe('An IANA time zone name; the server’s zone when left out'),
  }),
  execute: ({ timeZone }) => {
    const now = new Date();
    const zone = timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    const local = new Intl.DateTimeFormat('en-US', { dateStyle: 'full', timeStyle: 'long', timeZone: zone });
    return `${local.format(now)} (${now.toISOString()})`;
  },
});

const calculator = tool({
  description:
    'Evaluates an arithmetic expression exactly as written: numbers, + - * / %, ^ for powers and parentheses.',
  parameters: z.object({
    expression: z.string().min(1).max(MAX_EXPRESSION_CHARS).describe('For example (2 + 3) * 4 / 7'),
  }),
  execute: ({ expression }) => evaluateArithmetic(expression),
});

const shipped: Record<ShippedToolName, Tool> = { clock: clock as Tool, calculator: calculator as Tool };

/**
 * The shipped tools of the given names, for `runTools`.
 *
 * @example
 * ```ts
 * runTools({ provider, request, tools: shippedTools(['clock', 'calculator']) });
 * ```
 */
export function shippedTools(names: readonly ShippedToolName[]): ToolSet {
  return Object.fromEntries(names.map((name) => [name, shipped[name]]));
}
