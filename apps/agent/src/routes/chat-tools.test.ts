import type { AgentEvent, StatsSnapshot } from '@rxllm/protocol';
import { decodeWebSocketFrame } from '@rxllm/protocol';
import { hasToolResult, type MockScript, matchRequests, toolResults } from '@rxllm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { postJson, readSse, startTestAgent, type TestAgent } from '../test-helpers.js';

const simulatedFast = { LLM_PROVIDER: 'simulated', SIMULATED_TTFT_MS: '0', SIMULATED_TOKENS_PER_SECOND: '0' };

async function chatEvents(harness: TestAgent, body: unknown): Promise<AgentEvent[]> {
  const response = await postJson(`${harness.agent.url}/chat`, body);
  expect(response.status).toBe(200);
  return (await readSse(response)).map((event) => event.data as AgentEvent);
}

function socketEvents(harness: TestAgent, body: unknown): Promise<AgentEvent[]> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${harness.agent.url.replace('http', 'ws')}/ws`);
    const events: AgentEvent[] = [];
    socket.once('open', () => socket.send(JSON.stringify(body)));
    socket.on('message', (data) => {
      const { event } = decodeWebSocketFrame(String(data));
      events.push(event);
      if (event.type === 'done' || event.type === 'error') {
        socket.close();
        resolve(events);
      }
    });
    socket.once('error', reject);
  });
}

const ofType = <T extends AgentEvent['type']>(events: AgentEvent[], type: T) =>
  events.filter((event): event is Extract<AgentEvent, { type: T }> => event.type === type);
const textOf = (events: AgentEvent[]) =>
  ofType(events, 'text')
    .map((event) => event.text)
    .join('');

describe('server-side tools on the simulated provider (on by default there)', () => {
  let harness: TestAgent;
  beforeAll(async () => {
    harness = await startTestAgent(simulatedFast);
  });
  afterAll(() => harness.close());

  it.each(['sse', 'websocket'] as const)(
    '%s: calls the calculator, streams its result, then answers from it',
    async (transport) => {
      const body = { message: 'What is (2 + 3) * 4?' };
      const events = transport === 'sse' ? await chatEvents(harness, body) : await socketEvents(harness, body);
      const types = events.map((event) => event.type);
      expect(types.filter((type) => type === 'start')).toHaveLength(1);
      expect(types[0]).toBe('start');
      expect(ofType(events, 'step-start').map((event) => event.step)).toEqual([1, 2]);
      expect(ofType(events, 'tool-call-ready')).toEqual([
        expect.objectContaining({
          step: 1,
          name: 'calculator',
          input: { expression: '(2 + 3) * 4' },
          arguments: '{"expression":"(2 + 3) * 4"}',
        }),
      ]);
      const [result] = ofType(events, 'tool-result');
      expect(result).toMatchObject({ step: 1, name: 'calculator', output: 20 });
      expect(result?.toolCallId).toBe(ofType(events, 'tool-call-ready')[0]?.id);
      expect(ofType(events, 'step-finish')).toEqual([
        expect.objectContaining({ step: 1, reason: 'tool-calls', toolCalls: 1 }),
        expect.objectContaining({ step: 2, reason: 'stop', toolCalls: 0, stoppedBy: 'no-tool-calls' }),
      ]);
      // The result comes before the second step, whose answer quotes it.
      expect(types.indexOf('tool-result')).toBeLessThan(types.lastIndexOf('step-start'));
      expect(textOf(events)).toMatch(/^The calculator tool returned 20\./);
      expect(types.at(-1)).toBe('done');
    },
  );

  it('calls two tools in parallel in one step and logs each call and result in the seed voice', async () => {
    harness.logs.length = 0;
    const events = await chatEvents(harness, { message: 'What time is it, and what is 6 * 7?' });
    const results = ofType(events, 'tool-result');
    expect(results.map((event) => event.name).sort()).toEqual(['calculator', 'clock']);
    expect(results.find((event) => event.name === 'calculator')?.output).toBe(42);
    const clock = String(results.find((event) => event.name === 'clock')?.output);
    expect(clock).toContain(`(${new Date().toISOString().slice(0, 10)}`);
    expect(ofType(events, 'step-finish')[0]).toMatchObject({ step: 1, toolCalls: 2 });
    const messages = harness.logs.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain('Tool call: clock({})');
    expect(messages).toContain('Tool call: calculator({"expression":"6 * 7"})');
    expect(messages.some((message) => /^Tool result: calculator \(\d+ ms\)$/.test(message))).toBe(true);
    expect(messages.some((message) => /^Tool result: clock \(\d+ ms\)$/.test(message))).toBe(true);
  });

  it('sends a failing call back to the model as a tool error, and the stream still ends with done', async () => {
    const events = await chatEvents(harness, { message: 'What is 1 / 0?' });
    const [result] = ofType(events, 'tool-result');
    expect(result).toMatchObject({
      name: 'calculator',
      error: { kind: 'execution', message: expect.stringContaining('division by zero') },
    });
    expect(textOf(events)).toContain('division by zero');
    expect(events.at(-1)?.type).toBe('done');
  });

  it('runs no tool for a question that needs none: one step, no calls', async () => {
    const events = await chatEvents(harness, { message: 'Tell me a story' });
    const types = events.map((event) => event.type);
    expect(types).not.toContain('tool-call-ready');
    expect(types).not.toContain('tool-result');
    expect(ofType(events, 'step-finish')).toEqual([expect.objectContaining({ step: 1, stoppedBy: 'no-tool-calls' })]);
    expect(textOf(events)).toContain('You said: "Tell me a story"');
  });

  it('counts tool calls and steps in /metrics', async () => {
    await chatEvents(harness, { message: 'What is 2 + 2?' });
    const metrics = await (await fetch(`${harness.agent.url}/metrics`)).text();
    expect(metrics).toMatch(/rxllm_agent_tool_duration_seconds_count\{tool="calculator",outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/rxllm_agent_tool_steps_total [1-9]/);
  });

  it('stream:false: the reply reports the calls the agent ran as toolResults (with steps), not as toolCalls', async () => {
    const response = await postJson(`${harness.agent.url}/chat`, { message: 'What is 6 * 7?', stream: false });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.text).toMatch(/^The calculator tool returned 42\./);
    expect(body.toolCalls).toBeUndefined();
    expect(body.steps).toBe(2);
    expect(body.toolResults).toEqual([
      { toolCallId: expect.any(String), name: 'calculator', output: 42, durationMs: expect.any(Number) },
    ]);
  });

  it('records each step of a loop as its own model request in /metrics: one TTFT per step', async () => {
    const ttftCount = async () => {
      const metrics = await (await fetch(`${harness.agent.url}/metrics`)).text();
      return [...metrics.matchAll(/^rxllm_ttft_seconds_count\{[^}]*\} (\d+)$/gm)].reduce(
        (sum, match) => sum + Number(match[1]),
        0,
      );
    };
    const before = await ttftCount();
    const events = await chatEvents(harness, { message: 'What is 2 + 2?' });
    expect(ofType(events, 'step-start')).toHaveLength(2);
    expect((await ttftCount()) - before).toBe(2);
  });

  it('counts tool calls, failures and their durations on the dashboard feed (/stats)', async () => {
    const stats = async () => (await (await fetch(`${harness.agent.url}/stats`)).json()) as StatsSnapshot;
    const before = await stats();
    await chatEvents(harness, { message: 'What is 2 + 2?' });
    await chatEvents(harness, { message: 'What is 1 / 0?' });
    const after = await stats();
    expect(after.toolCalls - before.toolCalls).toBe(2);
    expect(after.toolCallsFailed - before.toolCallsFailed).toBe(1);
    expect(after.toolMsP50).toEqual(expect.any(Number));
    expect(after.toolMsP95).toBeGreaterThanOrEqual(after.toolMsP50 ?? 0);
  });
});

describe('AGENT_TOOLS', () => {
  it('none: the simulated provider gets no tools and answers as before', async () => {
    const harness = await startTestAgent({ ...simulatedFast, AGENT_TOOLS: 'none' });
    try {
      const events = await chatEvents(harness, { message: 'What is 6 * 7?' });
      expect(events.map((event) => event.type)).not.toContain('tool-result');
      expect(textOf(events)).toContain('You said: "What is 6 * 7?"');
    } finally {
      await harness.close();
    }
  });

  it('unset: a real provider gets no tools (the default is for the simulated provider only)', async () => {
    const harness = await startTestAgent();
    try {
      harness.upstream.enqueue({ events: [{ type: 'text', text: 'Hi' }] });
      await chatEvents(harness, { message: 'What is 6 * 7?' });
      const [sent] = await harness.upstream.waitForRequests(1);
      expect((sent?.body as { tools?: unknown } | undefined)?.tools).toBeUndefined();
    } finally {
      await harness.close();
    }
  });

  const say = (text: string): MockScript => ({ events: [{ type: 'text', text }] });
  it.each(['openai', 'anthropic', 'gemini', 'google-genai'])(
    'set: %s (real SDK, mock upstream) gets the tools, the agent runs the call and sends the result back',
    async (provider) => {
      const respond = matchRequests(
        [{ when: (request) => hasToolResult(request, 'calculator'), script: say('It is 42.') }],
        {
          events: [
            { type: 'tool-call', id: 'call_1', name: 'calculator', argumentFragments: ['{"expression":', '"6 * 7"}'] },
          ],
        },
      );
      const harness = await startTestAgent({ LLM_PROVIDER: provider, AGENT_TOOLS: 'calculator' }, { respond });
      try {
        const events = await chatEvents(harness, { message: 'What is 6 * 7?' });
        expect(ofType(events, 'tool-result')).toEqual([expect.objectContaining({ name: 'calculator', output: 42 })]);
        expect(textOf(events)).toBe('It is 42.');
        expect(events.at(-1)?.type).toBe('done');
        const requests = await harness.upstream.waitForRequests(2);
        const sentBack = toolResults(requests[1] as NonNullable<(typeof requests)[1]>);
        expect(sentBack.map((result) => result.name)).toEqual(['calculator']);
        expect(JSON.stringify(sentBack[0]?.content)).toContain('42');
      } finally {
        await harness.close();
      }
    },
  );
});
