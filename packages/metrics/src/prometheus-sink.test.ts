import { type Chunk, LLMError } from '@rxllm/core';
import { createChunkTestScheduler } from '@rxllm/testing/marbles';
import { Registry } from 'prom-client';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { measure } from './measure.js';
import { prometheusSink } from './prometheus-sink.js';

const createTestScheduler = () => createChunkTestScheduler({ errors: 'llm-error-fields' });

const values: Record<string, Chunk> = {
  s: { type: 'start', provider: 'openai', model: 'gpt-test' },
  a: { type: 'text', text: 'Once' },
  b: { type: 'text', text: ' upon' },
  u: { type: 'usage', usage: { inputTokens: 12, outputTokens: 2 } },
  f: { type: 'finish', reason: 'stop' },
};
const labels = 'provider="openai",model="gpt-test"';

describe('prometheusSink', () => {
  it('records TTFT, duration, chunks, tokens, errors and outcomes in the registry text', async () => {
    const registry = new Registry();
    const rateLimited = new LLMError({ kind: 'rate-limit', provider: 'openai', status: 429, message: 'slow down' });
    createTestScheduler().run(({ cold, expectObservable }) => {
      const sink = prometheusSink({ registry });
      expectObservable(cold('s 99ms a-b-u-f|', values).pipe(measure(sink))).toBe('s 99ms a-b-u-f|', values);
      expectObservable(cold('s-#', values, rateLimited).pipe(measure(sink))).toBe('s-#', values, rateLimited);
    });
    const text = await registry.metrics();
    expect(text).toContain(`rxllm_ttft_seconds_bucket{le="0.1",${labels}} 1`);
    expect(text).toContain(`rxllm_ttft_seconds_bucket{le="0.05",${labels}} 0`);
    expect(text).toContain(`rxllm_ttft_seconds_sum{${labels}} 0.1`);
    expect(text).toContain(`rxllm_stream_duration_seconds_count{${labels},outcome="complete"} 1`);
    expect(text).toContain(`rxllm_stream_duration_seconds_sum{${labels},outcome="complete"} 0.107`);
    expect(text).toContain(`rxllm_chunks_total{${labels},type="text"} 2`);
    expect(text).toContain(`rxllm_chunks_total{${labels},type="start"} 2`);
    expect(text).toContain(`rxllm_output_tokens_total{${labels}} 2`);
    expect(text).toContain(`rxllm_input_tokens_total{${labels}} 12`);
    expect(text).toContain(`rxllm_stream_errors_total{${labels},kind="rate-limit"} 1`);
    expect(text).toContain(`rxllm_streams_total{${labels},outcome="complete"} 1`);
    expect(text).toContain(`rxllm_streams_total{${labels},outcome="error"} 1`);
  });

  it('is safe to create twice on one registry, reusing the metrics, and honours a prefix', async () => {
    const registry = new Registry();
    const first = prometheusSink({ registry, prefix: 'agent_' });
    const second = prometheusSink({ registry, prefix: 'agent_' });
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', values).pipe(measure(first, { provider: 'p', model: 'm' }))).toBe('a|', values);
      expectObservable(cold('a|', values).pipe(measure(second, { provider: 'p', model: 'm' }))).toBe('a|', values);
    });
    expect(await registry.metrics()).toContain('agent_streams_total{provider="p",model="m",outcome="complete"} 2');
  });

  it('counts chunks per stream yet shows the exact live count at every scrape, also with two sinks on one registry', async () => {
    const registry = new Registry();
    const first = new Subject<Chunk>();
    const second = new Subject<Chunk>();
    const one = first.pipe(measure(prometheusSink({ registry }))).subscribe();
    const two = second.pipe(measure(prometheusSink({ registry }))).subscribe();
    const count = async (type: string) => {
      const match = (await registry.metrics()).match(
        new RegExp(`rxllm_chunks_total\\{${labels},type="${type}"\\} (\\d+)`),
      );
      return match ? Number(match[1]) : 0;
    };
    first.next(values.s as Chunk);
    second.next(values.s as Chunk);
    for (let index = 0; index < 300; index += 1) first.next(values.a as Chunk);
    expect(await count('start')).toBe(2);
    expect(await count('text')).toBe(300);
    for (let index = 0; index < 5; index += 1) second.next(values.b as Chunk);
    first.next(values.a as Chunk);
    expect(await count('text')).toBe(306);
    expect(await count('text')).toBe(306);
    first.complete();
    two.unsubscribe();
    expect(await count('text')).toBe(306);
    expect((await registry.metrics()).match(/rxllm_streams_total\{[^}]*\} \d+/g)).toEqual([
      `rxllm_streams_total{${labels},outcome="complete"} 1`,
      `rxllm_streams_total{${labels},outcome="unsubscribed"} 1`,
    ]);
    one.unsubscribe();
  });

  it('one sink per stream (as the agent makes them) shares one scrape hook per counter and counts exactly', async () => {
    const registry = new Registry();
    prometheusSink({ registry });
    const counter = registry.getSingleMetric('rxllm_chunks_total') as unknown as { collect?: unknown };
    const hook = counter.collect;
    const open: Subject<Chunk>[] = [];
    for (let stream = 0; stream < 2_000; stream += 1) {
      const source = new Subject<Chunk>();
      source.pipe(measure(prometheusSink({ registry }))).subscribe();
      source.next(values.s as Chunk);
      source.next(values.a as Chunk);
      if (stream % 2 === 0) source.complete();
      else open.push(source);
    }
    expect(counter.collect).toBe(hook);
    const text = await registry.metrics();
    expect(text).toContain(`rxllm_chunks_total{${labels},type="text"} 2000`);
    for (const source of open) source.complete();
    expect(await registry.metrics()).toContain(`rxllm_chunks_total{${labels},type="text"} 2000`);
  });
});
