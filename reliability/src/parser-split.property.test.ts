import { anthropicProvider } from '@rxllm/anthropic';
import type { Chunk, Provider } from '@rxllm/core';
import { geminiProvider } from '@rxllm/gemini';
import { openaiProvider } from '@rxllm/openai';
import { type MockUpstream, mockUpstream, readWireFixture, WIRE_FIXTURES, type WireFixtureName } from '@rxllm/testing';
import fc from 'fast-check';
import { firstValueFrom, materialize, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeResult } from './harness/results.js';
import { markerKeys } from './harness/secrets.js';

const runsPerCapture = Number(process.env.SPLIT_RUNS ?? 25);

/** What a provider made of a stream: its chunks, then how it ended (error kind, or `complete`). */
interface Transcript {
  chunks: Chunk[];
  end: string;
}

async function transcriptOf(provider: Provider): Promise<Transcript> {
  const notifications = await firstValueFrom(
    provider.stream({ messages: [{ role: 'user', content: 'replay' }] }).pipe(materialize(), toArray()),
  );
  const chunks: Chunk[] = [];
  let end = 'complete';
  for (const notification of notifications) {
    if (notification.kind === 'N') chunks.push(notification.value as Chunk);
    if (notification.kind === 'E') end = `error:${(notification.error as { kind?: string }).kind}`;
  }
  return { chunks, end };
}

const captures = WIRE_FIXTURES.filter((name) => !name.startsWith('openai-responses'));

describe('provider parsers: random byte splits of real captures give identical chunks', () => {
  let mock: MockUpstream;
  let providers: Record<'openai' | 'anthropic' | 'gemini', Provider>;
  const figures: Record<string, unknown> = {};
  beforeAll(async () => {
    mock = await mockUpstream();
    const env = {
      ...markerKeys,
      OPENAI_BASE_URL: mock.baseURLs.openai,
      ANTHROPIC_BASE_URL: mock.baseURLs.anthropic,
      GEMINI_BASE_URL: mock.baseURLs.gemini,
    };
    providers = {
      openai: openaiProvider.create(env),
      anthropic: anthropicProvider.create(env),
      gemini: geminiProvider.create(env),
    };
  });
  afterAll(async () => {
    writeResult('parser-split-property', { runsPerCapture, captures: figures });
    await mock.close();
  });

  const vendorOf = (name: WireFixtureName) =>
    name.startsWith('openai') ? 'openai' : name.startsWith('anthropic') ? 'anthropic' : 'gemini';

  for (const name of captures) {
    it(`${name}: ${runsPerCapture} random splits (inside UTF-8 characters and CRLF pairs too) match one whole write`, async () => {
      const bytes = readWireFixture(name);
      const provider = providers[vendorOf(name)];
      mock.enqueue({ replay: bytes, delivery: { split: 'one-write' } });
      const baseline = await transcriptOf(provider);
      expect(baseline.chunks.length).toBeGreaterThan(1);
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { minLength: 1, maxLength: 60 }),
          async (offsets) => {
            mock.enqueue({ replay: bytes, delivery: { split: offsets } });
            expect(await transcriptOf(provider)).toEqual(baseline);
          },
        ),
        { numRuns: runsPerCapture },
      );
      // Every single byte on its own write: the worst case for a parser.
      mock.enqueue({ replay: bytes, delivery: { split: 1 } });
      expect(await transcriptOf(provider)).toEqual(baseline);
      figures[name] = { bytes: bytes.length, chunks: baseline.chunks.length, end: baseline.end };
    });
  }
});
