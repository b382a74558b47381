import type { StreamMetrics } from '@rxllm/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, readSse, startTestAgent, type TestAgent } from '../test-helpers.js';

// gpt-4.1-mini in the shipped catalog: $0.40 input, $1.60 output, $0.10 cached input per million tokens.
const usage = { inputTokens: 2_000, outputTokens: 500, cachedInputTokens: 1_000 };
const expectedUsd = (1_000 * 0.4 + 1_000 * 0.1 + 500 * 1.6) / 1_000_000;

async function doneMetrics(response: Response): Promise<StreamMetrics | undefined> {
  const events = await readSse(response);
  const last = events.at(-1)?.data as { type: string; metrics?: StreamMetrics; error?: unknown };
  return last.metrics;
}

describe('cost: the done metrics, /metrics and /stats', () => {
  let harness: TestAgent;
  beforeAll(async () => {
    harness = await startTestAgent({
      OPENAI_MODEL: 'gpt-4.1-mini',
      OPENAI_MODELS: 'gpt-4.1-mini,my-finetune',
      SIMULATED_TTFT_MS: '0',
      SIMULATED_TOKENS_PER_SECOND: '0',
    });
  });
  afterAll(() => harness.close());

  it('prices a stream from its reported usage', async () => {
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'Hi' }], usage });
    const metrics = await doneMetrics(
      await postJson(`${harness.agent.url}/chat`, { provider: 'openai', message: 'Hi' }),
    );
    expect(metrics?.costUsd).toBeCloseTo(expectedUsd, 12);
    expect(metrics?.costEstimated).toBeUndefined();
  });

  it('a stream cut before its usage is priced from what was streamed, and says so', async () => {
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'x'.repeat(400) }], omitTerminal: true });
    const response = await postJson(`${harness.agent.url}/chat`, { provider: 'openai', message: 'y'.repeat(4_000) });
    const events = await readSse(response);
    expect((events.at(-1)?.data as { type?: string } | undefined)?.type).toBe('error');
    const metrics = await fetch(`${harness.agent.url}/metrics`).then((reply) => reply.text());
    // 1,000 input and 100 output tokens estimated: 1000 × 0.4 + 100 × 1.6 per million.
    const estimated = metrics.match(
      /rxllm_agent_cost_usd_total\{provider="openai",model="gpt-4.1-mini",estimated="true"\} (\S+)/,
    );
    expect(Number(estimated?.[1])).toBeCloseTo((1_000 * 0.4 + 100 * 1.6) / 1_000_000, 12);
  });

  it('a tool loop is priced over all its steps; the simulated provider costs nothing', async () => {
    const metrics = await doneMetrics(
      await postJson(`${harness.agent.url}/chat`, { provider: 'simulated', message: 'What is 6 * 7?' }),
    );
    expect(metrics?.costUsd).toBe(0);
  });

  it('/metrics counts the reported spend by provider and model; /stats adds it all up', async () => {
    const text = await fetch(`${harness.agent.url}/metrics`).then((reply) => reply.text());
    const reported = text.match(
      /rxllm_agent_cost_usd_total\{provider="openai",model="gpt-4.1-mini",estimated="false"\} (\S+)/,
    );
    expect(Number(reported?.[1])).toBeCloseTo(expectedUsd, 12);
    const stats = (await fetch(`${harness.agent.url}/stats`).then((reply) => reply.json())) as { costUsd: number };
    expect(stats.costUsd).toBeCloseTo(expectedUsd + (1_000 * 0.4 + 100 * 1.6) / 1_000_000, 12);
  });

  it('an unpriced model has costUsd null', async () => {
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'Hi' }], usage });
    const response = await postJson(`${harness.agent.url}/chat`, {
      provider: 'openai',
      model: 'my-finetune',
      message: 'Hi',
    });
    expect(response.status).toBe(200);
    const metrics = await doneMetrics(response);
    expect(metrics).toHaveProperty('costUsd', null);
  });
});
