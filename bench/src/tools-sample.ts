import { z } from 'zod';

/**
 * The tool-loop workload shared by the upstream and the subjects of the `tools` section: three cheap local tools, the
 * scripted three-step conversation (two parallel calls, then one call, then a long answer) and the trace a correct
 * loop leaves behind, which both subjects must reproduce exactly.
 */

export const TOOLS_MODEL = 'tools-loop';
export const TOOLS_PROMPT = 'What is (17 + 25) times the golden ratio? Use the tools.';
/** Steps of one loop, and so model requests per loop. */
export const TOOLS_STEPS = 3;
/** Text deltas of the last step's answer. */
export const ANSWER_DELTAS = 400;

const CONSTANTS: Record<string, number> = {
  golden_ratio: 1.618034,
  speed_of_light: 299_792_458,
  avogadro: 6.022_140_76e23,
};

export const addSchema = z.object({ a: z.number(), b: z.number() });
export const constantSchema = z.object({ name: z.string() });
export const multiplySchema = z.object({ a: z.number(), b: z.number() });

/** The tools' bodies, identical for both subjects (each wraps them in its own `tool()`). */
export const toolBodies = {
  add: ({ a, b }: z.output<typeof addSchema>) => ({ sum: a + b }),
  constant: ({ name }: z.output<typeof constantSchema>) => ({ name, value: CONSTANTS[name] ?? null }),
  multiply: ({ a, b }: z.output<typeof multiplySchema>) => ({ product: a * b }),
};

export const TOOL_DESCRIPTIONS = {
  add: 'Adds two numbers',
  constant: 'The value of a mathematical constant, by name',
  multiply: 'Multiplies two numbers',
};

/** One call the model makes: its step, wire id, tool, arguments as streamed, and the input they parse to. */
export interface ScriptedCall {
  step: number;
  id: string;
  name: keyof typeof toolBodies;
  argumentFragments: string[];
  input: Record<string, unknown>;
}

export const SCRIPTED_CALLS: readonly ScriptedCall[] = [
  {
    step: 1,
    id: 'call_add',
    name: 'add',
    argumentFragments: ['{"a":', ' 17,', ' "b":', ' 25}'],
    input: { a: 17, b: 25 },
  },
  {
    step: 1,
    id: 'call_constant',
    name: 'constant',
    argumentFragments: ['{"na', 'me": "gold', 'en_ratio"}'],
    input: { name: 'golden_ratio' },
  },
  {
    step: 2,
    id: 'call_multiply',
    name: 'multiply',
    argumentFragments: ['{"a": 42,', ' "b": 1.6', '18034}'],
    input: { a: 42, b: 1.618034 },
  },
];

/** What a tool returns for a scripted call (the tools are pure: the same for both subjects, every time). */
export function scriptedOutput(call: ScriptedCall): unknown {
  const body = toolBodies[call.name] as (input: Record<string, unknown>) => unknown;
  return body(call.input);
}

/** The last step's answer, cut into {@link ANSWER_DELTAS} deltas of a word each. */
export const ANSWER_TEXT_DELTAS: readonly string[] = Array.from({ length: ANSWER_DELTAS }, (_, index) =>
  index === 0 ? 'The product is 67.957428. ' : `word${index % 97} `,
);

/** What one loop leaves behind, in the same shape for both subjects: compared with {@link EXPECTED_TRACE}. */
export interface ToolsTrace {
  /** Model steps that finished. */
  steps: number;
  text: string;
  textDeltas: number;
  calls: Array<{ step: number; id: string; name: string; input: unknown }>;
  /** Sorted by step, then id (parallel calls may finish in any order). */
  results: Array<{ step: number; id: string; name: string; output: unknown }>;
}

/**
 * An empty trace to fill in while a loop streams.
 *
 * @example
 * ```ts
 * const trace = emptyTrace();
 * trace.text += 'Hi';
 * ```
 */
export function emptyTrace(): ToolsTrace {
  return { steps: 0, text: '', textDeltas: 0, calls: [], results: [] };
}

/**
 * Puts the results in a fixed order, so that two traces of the same loop compare equal.
 *
 * @example
 * ```ts
 * const trace = sortResults(emptyTrace());
 * ```
 */
export function sortResults(trace: ToolsTrace): ToolsTrace {
  trace.results.sort((left, right) => left.step - right.step || left.id.localeCompare(right.id));
  return trace;
}

export const EXPECTED_TRACE: ToolsTrace = sortResults({
  steps: TOOLS_STEPS,
  text: ANSWER_TEXT_DELTAS.join(''),
  textDeltas: ANSWER_DELTAS,
  calls: SCRIPTED_CALLS.map(({ step, id, name, input }) => ({ step, id, name, input })),
  results: SCRIPTED_CALLS.map((call) => ({
    step: call.step,
    id: call.id,
    name: call.name,
    output: scriptedOutput(call),
  })),
});
