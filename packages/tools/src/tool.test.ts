import { lastValueFrom, type Observable, of } from 'rxjs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { type Tool, type ToolExecuteContext, type ToolSet, tool, toolDefinitions } from './tool.js';

const context: ToolExecuteContext = { signal: new AbortController().signal, toolCallId: 'c1', step: 1, messages: [] };

describe('tool', () => {
  it('sends the input side of the schema as JSON Schema, without $schema', () => {
    const weather = tool({
      description: 'The weather in a city',
      parameters: z.object({
        city: z.string().describe('A city name'),
        unit: z.enum(['celsius', 'fahrenheit']).default('celsius'),
        days: z.string().transform(Number).optional(),
      }),
      execute: ({ city }) => city,
    });
    expect(weather.inputSchema).toEqual({
      type: 'object',
      properties: {
        city: { type: 'string', description: 'A city name' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'], default: 'celsius' },
        days: { type: 'string' },
      },
      required: ['city'],
    });
    expect(toolDefinitions({ weather, now: tool({ parameters: z.object({}), execute: () => 0 }) })).toEqual([
      { name: 'weather', description: 'The weather in a city', parameters: weather.inputSchema },
      { name: 'now', parameters: { type: 'object', properties: {} } },
    ]);
  });

  it('refuses parameters that are not an object schema', () => {
    expect(() => tool({ parameters: z.string(), execute: () => 1 })).toThrow(
      "a tool's parameters must be an object schema (z.object), got string",
    );
  });

  it('types execute by the schema output and the tool by its output, and fits a ToolSet', () => {
    const add = tool({
      parameters: z.object({ a: z.number(), b: z.number() }),
      execute: async ({ a, b }) => {
        expectTypeOf(a).toEqualTypeOf<number>();
        return { sum: a + b };
      },
    });
    expectTypeOf(add).toEqualTypeOf<Tool<{ a: number; b: number }, { sum: number }>>();
    const stream = tool({ parameters: z.object({}), execute: (): Observable<string> => of('a') });
    expectTypeOf(stream).toEqualTypeOf<Tool<Record<string, never>, string>>();
    const tools: ToolSet = { add, stream };
    expect(Object.keys(tools)).toEqual(['add', 'stream']);
  });

  it('needsApproval: false or left out never asks; true always; a predicate decides per call', async () => {
    const parameters = z.object({ amount: z.number() });
    const execute = () => 1;
    const never = tool({ parameters, execute });
    const always = tool({ parameters, execute, needsApproval: true });
    const large = tool({ parameters, execute, needsApproval: async ({ amount }) => amount > 100 });
    expect([never.asksApproval, always.asksApproval, large.asksApproval]).toEqual([false, true, true]);
    expect(never.needsApproval({ amount: 500 })).toBe(false);
    expect(always.needsApproval({ amount: 5 })).toBe(true);
    expect(await large.needsApproval({ amount: 500 })).toBe(true);
    expect(await large.needsApproval({ amount: 5 })).toBe(false);
  });

  it('hands execute its input and context unchanged', async () => {
    const seen: unknown[] = [];
    const echo = tool({
      parameters: z.object({ word: z.string() }),
      execute: (input, given) => {
        seen.push(input, given);
        return lastValueFrom(of(input.word));
      },
    });
    expect(await echo.execute({ word: 'hi' }, context)).toBe('hi');
    expect(seen).toEqual([{ word: 'hi' }, context]);
  });
});
