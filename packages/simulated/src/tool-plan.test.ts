import { type CompletionRequest, collectCompletion, type Message, type ToolDefinition } from '@rxllm/core';
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { simulatedProvider } from './simulated-provider.js';
import { findExpression, planToolCalls, toolAnswer } from './tool-plan.js';

const clock: ToolDefinition = { name: 'clock', description: 'The current date and time', parameters: {} };
const calculator: ToolDefinition = {
  name: 'calculator',
  parameters: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] },
};
const weather: ToolDefinition = { name: 'weather', parameters: {} };
const ask = (question: string, tools: ToolDefinition[] = [clock, calculator]): CompletionRequest => ({
  messages: [{ role: 'user', content: question }],
  tools,
});

describe('findExpression', () => {
  it.each([
    ['What is 6 * 7?', '6 * 7'],
    ['compute (2 + 3) * 4 please', '(2 + 3) * 4'],
    ['2^10 and 3+4', '2^10'],
    ['12.5 / -2.5', '12.5 / -2.5'],
    ['what is 10-3', '10-3'],
  ])('%s → %s', (text, expression) => expect(findExpression(text)).toBe(expression));

  it.each(['In 2026 we met', 'version 1.2.3', 'no numbers'])('%s has none', (text) => {
    expect(findExpression(text)).toBeUndefined();
  });
});

describe('planToolCalls', () => {
  it('calls the clock for a question about the time, the calculator for arithmetic, both when both are asked', () => {
    expect(planToolCalls(ask('What time is it?'))).toEqual([{ name: 'clock', arguments: '{}' }]);
    expect(planToolCalls(ask('What is 6 * 7?'))).toEqual([{ name: 'calculator', arguments: '{"expression":"6 * 7"}' }]);
    expect(planToolCalls(ask("What's today's date, and 2 + 2?")).map((call) => call.name)).toEqual([
      'clock',
      'calculator',
    ]);
  });

  it('calls nothing for a question no tool fits, with no tools, or with toolChoice none', () => {
    expect(planToolCalls(ask('Tell me a story'))).toEqual([]);
    expect(planToolCalls({ messages: [{ role: 'user', content: 'What time is it?' }] })).toEqual([]);
    expect(planToolCalls({ ...ask('What time is it?'), toolChoice: 'none' })).toEqual([]);
  });

  it('calls a forced tool, and the first tool when one is required and none fits', () => {
    expect(planToolCalls({ ...ask('Hi', [weather, clock]), toolChoice: { type: 'tool', name: 'clock' } })).toEqual([
      { name: 'clock', arguments: '{}' },
    ]);
    expect(planToolCalls({ ...ask('Hi', [weather, clock]), toolChoice: 'required' })).toEqual([
      { name: 'weather', arguments: '{}' },
    ]);
  });

  it('answers instead of calling again once this turn has tool results; a new question calls again', () => {
    const history: Message[] = [
      { role: 'user', content: 'What is 6 * 7?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'calculator', arguments: '{}' }] },
      { role: 'tool', toolCallId: 'c1', name: 'calculator', content: '42' },
    ];
    expect(planToolCalls({ messages: history, tools: [calculator] })).toEqual([]);
    expect(toolAnswer({ messages: history })).toMatch(/^The calculator tool returned 42\./);
    const next = [
      ...history,
      { role: 'assistant', content: '42' } as Message,
      { role: 'user', content: '1 + 1?' } as Message,
    ];
    expect(planToolCalls({ messages: next, tools: [calculator] })).toHaveLength(1);
    expect(toolAnswer({ messages: next })).toBeUndefined();
  });
});

describe('the simulated provider with tools', () => {
  const provider = simulatedProvider({ ttftMs: 0, tokensPerSecond: 0 });

  it('streams the calls with their arguments in fragments and finishes with tool-calls', async () => {
    const request = ask('What time is it, and what is 6 * 7?');
    const chunks = await lastValueFrom(provider.stream(request).pipe(toArray()));
    const completion = await lastValueFrom(from(chunks).pipe(collectCompletion()));
    expect(completion.toolCalls).toEqual([
      { index: 0, id: 'call_sim_1_0', name: 'clock', arguments: '{}' },
      { index: 1, id: 'call_sim_1_1', name: 'calculator', arguments: '{"expression":"6 * 7"}' },
    ]);
    expect(chunks.filter((chunk) => chunk.type === 'tool-call')).toHaveLength(4);
    expect(completion.finishReason).toBe('tool-calls');
    expect(completion.text).toBe('');
  });

  it('answers from the tool results with a normal text reply', async () => {
    const completion = await lastValueFrom(
      provider
        .stream({
          messages: [
            { role: 'user', content: 'What is 6 * 7?' },
            { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'calculator', arguments: '{}' }] },
            { role: 'tool', toolCallId: 'c1', name: 'calculator', content: '42' },
          ],
          tools: [calculator],
        })
        .pipe(collectCompletion()),
    );
    expect(completion.text).toMatch(/^The calculator tool returned 42\./);
    expect(completion.finishReason).toBe('stop');
  });
});
