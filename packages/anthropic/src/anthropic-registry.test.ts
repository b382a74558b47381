import { collectText, createRegistry, RegistryError } from '@rxllm/core';
import { type MockUpstream, mockUpstream } from '@rxllm/testing';
import { lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicProvider, anthropicProviderWith } from './anthropic-registry.js';
import { DEFAULT_ANTHROPIC_MODEL } from './create-anthropic.js';

let mock: MockUpstream;
beforeAll(async () => {
  mock = await mockUpstream();
});
afterAll(async () => {
  await mock.close();
});

describe('anthropicProvider (registry entry)', () => {
  const registry = createRegistry({ anthropic: anthropicProvider });

  it('declares ANTHROPIC_API_KEY and refuses to build without it', () => {
    expect(anthropicProvider.apiKeyEnv).toBe('ANTHROPIC_API_KEY');
    expect(() => registry.create('anthropic', {})).toThrow(RegistryError);
    expect(() => registry.create('anthropic', {})).toThrow(/set ANTHROPIC_API_KEY/);
  });

  it('reads ANTHROPIC_API_KEY, ANTHROPIC_MODEL and ANTHROPIC_BASE_URL from the env it is given', async () => {
    mock.enqueue({ events: [{ type: 'text', text: 'from env' }] });
    const { name, provider, reason } = registry.fromEnv({
      ANTHROPIC_API_KEY: 'sk-ant-env-key',
      ANTHROPIC_MODEL: 'claude-haiku-5-5',
      ANTHROPIC_BASE_URL: mock.baseURLs.anthropic,
    });
    expect({ name, reason }).toEqual({ name: 'anthropic', reason: 'ANTHROPIC_API_KEY is set' });
    expect(provider.defaultModel).toBe('claude-haiku-5-5');
    expect(
      await lastValueFrom(provider.stream({ messages: [{ role: 'user', content: 'Hi' }] }).pipe(collectText())),
    ).toBe('from env');
    const [request] = mock.requests;
    expect(request?.body).toMatchObject({ model: 'claude-haiku-5-5' });
    expect(String(request?.headers.authorization)).toContain('sk-ant-env-key');
  });

  it('falls back to the default model when ANTHROPIC_MODEL is empty', () => {
    const provider = registry.create('anthropic', { ANTHROPIC_API_KEY: 'k', ANTHROPIC_MODEL: '  ' });
    expect(provider.defaultModel).toBe(DEFAULT_ANTHROPIC_MODEL);
    expect(provider.name).toBe('anthropic');
  });
});

describe('anthropicProviderWith', () => {
  it('builds from the env as anthropicProvider does, and sends every request through the given fetch', async () => {
    mock.enqueue({ events: [{ type: 'text', text: 'through my fetch' }] });
    const seen: string[] = [];
    const fetch: typeof globalThis.fetch = (input, init) => {
      seen.push(String(input));
      return globalThis.fetch(input, init);
    };
    const registry = createRegistry({ anthropic: anthropicProviderWith({ fetch }) });
    const provider = registry.create('anthropic', {
      ANTHROPIC_API_KEY: 'k',
      ANTHROPIC_BASE_URL: mock.baseURLs.anthropic,
    });
    expect(
      await lastValueFrom(provider.stream({ messages: [{ role: 'user', content: 'Hi' }] }).pipe(collectText())),
    ).toBe('through my fetch');
    expect(seen).toEqual([`${mock.baseURLs.anthropic}/v1/messages`]);
  });
});
