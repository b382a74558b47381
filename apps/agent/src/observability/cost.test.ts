import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { costOf, estimatedUsage, loadPriceTable } from './cost.js';

describe('loadPriceTable', () => {
  const prices = loadPriceTable();

  it('prices the default models: the models.dev catalog, a dated id as its model, Sonnet at its family price', () => {
    expect(prices.priceOf('openai', 'gpt-4.1-mini')).toEqual({ input: 0.4, output: 1.6, cachedInput: 0.1 });
    expect(prices.priceOf('gemini', 'gemini-2.5-flash')).toMatchObject({ input: 0.3, output: 2.5 });
    expect(prices.priceOf('google-genai', 'gemini-2.5-flash')).toEqual(prices.priceOf('gemini', 'gemini-2.5-flash'));
    expect(prices.priceOf('anthropic', 'claude-sonnet-4')).toMatchObject({ input: 3, output: 15, cachedInput: 0.3 });
    expect(prices.priceOf('anthropic', 'claude-sonnet-5-5')).toEqual({ input: 3, output: 15, cachedInput: 0.3 });
    expect(prices.priceOf('simulated', 'simulated-1')).toEqual({ input: 0, output: 0 });
    expect(prices.priceOf('openai', 'no-such-model')).toBeUndefined();
    expect(prices.priceOf('ollama', 'llama3.2')).toBeUndefined();
  });

  it('PRICES_FILE entries win over the catalog and add models; a bad file is an error naming the field', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'rxllm-prices-'));
    const file = join(directory, 'prices.json');
    await writeFile(
      file,
      JSON.stringify({ 'openai/gpt-4.1-mini': { input: 1, output: 2 }, 'ollama/llama3.2': { input: 0, output: 0 } }),
    );
    const custom = loadPriceTable(file);
    expect(custom.priceOf('openai', 'gpt-4.1-mini')).toEqual({ input: 1, output: 2 });
    expect(custom.priceOf('ollama', 'llama3.2')).toEqual({ input: 0, output: 0 });
    await writeFile(file, JSON.stringify({ 'openai/gpt-4.1-mini': { input: -1, output: 2 } }));
    expect(() => loadPriceTable(file)).toThrow(/PRICES_FILE .*openai\/gpt-4\.1-mini\.input/);
    await writeFile(file, '{not json');
    expect(() => loadPriceTable(file)).toThrow(/is not JSON/);
  });
});

describe('costOf', () => {
  const price = { input: 2, output: 8, cachedInput: 0.5, reasoning: 10 };
  it('OpenAI and Gemini count cached tokens in the input: they are priced once, at the cached price', () => {
    const usage = { inputTokens: 1_000_000, cachedInputTokens: 400_000, outputTokens: 100_000 };
    expect(costOf(price, usage, 'openai')).toBeCloseTo(600_000 * 2e-6 + 400_000 * 0.5e-6 + 100_000 * 8e-6);
  });
  it('Anthropic counts cache reads apart from the input', () => {
    const usage = { inputTokens: 1_000_000, cachedInputTokens: 400_000, outputTokens: 100_000 };
    expect(costOf(price, usage, 'anthropic')).toBeCloseTo(2 + 0.2 + 0.8);
  });
  it('Gemini counts reasoning apart from the output; OpenAI counts it in', () => {
    const usage = { inputTokens: 0, outputTokens: 100_000, reasoningTokens: 50_000 };
    expect(costOf(price, usage, 'gemini')).toBeCloseTo(0.8 + 0.5);
    expect(costOf(price, usage, 'openai')).toBeCloseTo(0.8);
  });
  it('estimates tokens at four characters each', () => {
    expect(estimatedUsage(4001, 400)).toEqual({ inputTokens: 1001, outputTokens: 100 });
  });
});
