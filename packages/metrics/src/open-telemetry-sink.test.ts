import type { Attributes, Meter } from '@opentelemetry/api';
import { type Chunk, LLMError } from '@rxllm/core';
import { createChunkTestScheduler } from '@rxllm/testing/marbles';
import { describe, expect, it } from 'vitest';
import { measure } from './measure.js';
import { openTelemetrySink } from './open-telemetry-sink.js';

const createTestScheduler = () => createChunkTestScheduler({ errors: 'llm-error-fields' });

type Recording = { name: string; unit: string | undefined; value: number; attributes: Attributes | undefined };

/** A meter that keeps what is recorded; only histograms are used by the sink. */
function fakeMeter(recordings: Recording[]): Meter {
  return {
    createHistogram: (name: string, options?: { unit?: string }) => ({
      record: (value: number, attributes?: Attributes) =>
        recordings.push({ name, unit: options?.unit, value, attributes }),
    }),
  } as unknown as Meter;
}

const values: Record<string, Chunk> = {
  s: { type: 'start', provider: 'anthropic', model: 'claude-test-20250101' },
  a: { type: 'text', text: 'Hi' },
  u: { type: 'usage', usage: { inputTokens: 10, outputTokens: 3 } },
  f: { type: 'finish', reason: 'stop' },
};

describe('openTelemetrySink', () => {
  it('records GenAI time-to-first-chunk, duration and token usage with semantic-convention attributes', () => {
    const recordings: Recording[] = [];
    createTestScheduler().run(({ cold, expectObservable }) => {
      const sink = openTelemetrySink(fakeMeter(recordings), { requestModel: 'claude-test' });
      expectObservable(cold('s 249ms a-u-f|', values).pipe(measure(sink))).toBe('s 249ms a-u-f|', values);
    });
    const attributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-test',
      'gen_ai.response.model': 'claude-test-20250101',
    };
    expect(recordings).toEqual([
      { name: 'gen_ai.client.operation.time_to_first_chunk', unit: 's', value: 0.25, attributes },
      { name: 'gen_ai.client.operation.duration', unit: 's', value: 0.255, attributes },
      {
        name: 'gen_ai.client.token.usage',
        unit: '{token}',
        value: 10,
        attributes: { ...attributes, 'gen_ai.token.type': 'input' },
      },
      {
        name: 'gen_ai.client.token.usage',
        unit: '{token}',
        value: 3,
        attributes: { ...attributes, 'gen_ai.token.type': 'output' },
      },
    ]);
  });

  it('sets error.type to the LLMError kind on failure', () => {
    const recordings: Recording[] = [];
    const timeout = new LLMError({ kind: 'timeout', provider: 'anthropic', message: 'No first chunk within 10 ms' });
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('s---#', values, timeout).pipe(measure(openTelemetrySink(fakeMeter(recordings))))).toBe(
        's---#',
        values,
        timeout,
      );
    });
    expect(recordings).toEqual([
      {
        name: 'gen_ai.client.operation.duration',
        unit: 's',
        value: 0.004,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'anthropic',
          'gen_ai.request.model': 'claude-test-20250101',
          'gen_ai.response.model': 'claude-test-20250101',
          'error.type': 'timeout',
        },
      },
    ]);
  });
});
