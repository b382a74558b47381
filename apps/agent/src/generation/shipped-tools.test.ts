import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../config.js';
import { evaluateArithmetic, MAX_EXPRESSION_CHARS, shippedTools } from './shipped-tools.js';
import { toolsFor } from './tool-loop.js';

describe('evaluateArithmetic', () => {
  it.each([
    ['6 * 7', 42],
    ['(2 + 3) * 4', 20],
    ['2 + 3 * 4', 14],
    ['10 - 4 - 3', 3],
    ['2 ^ 3 ^ 2', 512],
    ['2 ** 10', 1024],
    ['-2 ^ 2', -4],
    ['(-2) ^ 2', 4],
    ['7 % 4', 3],
    ['12 ÷ 4 × 2', 6],
    ['.5 + 1.25e1', 13],
    ['--3', 3],
    [' 1 / 8 ', 0.125],
  ])('%s = %d', (expression, value) => expect(evaluateArithmetic(expression)).toBe(value));

  it.each([
    ['', 'empty'],
    ['1 +', 'ends too early'],
    ['(1 + 2', 'not closed'],
    ['1 + 2)', 'unexpected ")"'],
    ['1 / 0', 'division by zero'],
    ['5 % 0', 'division by zero'],
    ['10 ^ 400', 'not a finite number'],
    ['process.exit()', 'unexpected "p"'],
    ['1 2', 'unexpected "2"'],
    [`${'('.repeat(40)}1${')'.repeat(40)}`, 'nest deeper'],
    ['1+'.repeat(MAX_EXPRESSION_CHARS), 'longer than'],
  ])('%j fails: %s', (expression, message) => {
    expect(() => evaluateArithmetic(expression)).toThrow(message);
  });
});

describe('the shipped tools', () => {
  const tools = shippedTools(['clock', 'calculator']);
  const schema = (name: 'clock' | 'calculator') => {
    const tool = tools[name];
    if (!tool) throw new Error(`no ${name}`);
    return { tool, parse: (input: unknown) => z.parse(tool.parameters, input) };
  };
  /** What the tool returns for `input` (both shipped tools answer with a value, not a stream). */
  const run = async (name: 'clock' | 'calculator', input: unknown) => {
    const { tool, parse } = schema(name);
    return tool.execute(parse(input), {
      signal: new AbortController().signal,
      toolCallId: 'c1',
      step: 1,
      messages: [],
    });
  };

  it('clock: now, in the zone asked for; an unknown zone fails validation', async () => {
    const before = Date.now();
    const text = String(await run('clock', { timeZone: 'Asia/Tokyo' }));
    const iso = /\((\d{4}-\d\d-\d\dT[^)]+Z)\)$/.exec(text)?.[1];
    expect(Math.abs(Date.parse(iso ?? '') - before)).toBeLessThan(60_000);
    expect(text).toMatch(/GMT\+9|JST/);
    expect(() => schema('clock').parse({ timeZone: 'Mars/Olympus' })).toThrow('IANA');
  });

  it('calculator: the value of the expression', async () => {
    expect(await run('calculator', { expression: '(2 + 3) * 4' })).toBe(20);
    expect(() => schema('calculator').parse({})).toThrow();
  });
});

describe('AGENT_TOOLS', () => {
  it('unset: both shipped tools for the simulated provider, none for the others', () => {
    const config = loadConfig({});
    expect(Object.keys(toolsFor(config, 'simulated') ?? {})).toEqual(['clock', 'calculator']);
    expect(toolsFor(config, 'openai')).toBeUndefined();
  });

  it('a list: those tools for every provider; none: no tools at all', () => {
    expect(Object.keys(toolsFor(loadConfig({ AGENT_TOOLS: ' calculator ,calculator' }), 'openai') ?? {})).toEqual([
      'calculator',
    ]);
    expect(toolsFor(loadConfig({ AGENT_TOOLS: 'none' }), 'simulated')).toBeUndefined();
  });

  it('an unknown name is a configuration error naming it and the shipped ones', () => {
    expect(() => loadConfig({ AGENT_TOOLS: 'clock,shell' })).toThrow(ConfigError);
    expect(() => loadConfig({ AGENT_TOOLS: 'clock,shell' })).toThrow(/shell.*clock, calculator/);
  });
});
