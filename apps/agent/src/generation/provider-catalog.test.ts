import { type Chunk, createRegistry, type Provider } from '@rxllm/core';
import { EMPTY, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { withOpenAICompatibleDefault } from '../app/start-agent.js';
import { HttpError } from '../http/errors.js';
import { createProviderCatalog, modelsVariable } from './provider-catalog.js';

const fake = (name: string, defaultModel: string): Provider => ({
  name,
  defaultModel,
  stream: (): Observable<Chunk> => EMPTY,
});

const registry = createRegistry({
  alpha: { apiKeyEnv: 'ALPHA_API_KEY', create: () => fake('alpha', 'alpha-1') },
  'beta-two': { apiKeyEnv: 'BETA_API_KEY', create: () => fake('beta-two', 'beta-1') },
  unset: { apiKeyEnv: 'UNSET_API_KEY', create: () => fake('unset', 'u-1') },
});

describe('createProviderCatalog', () => {
  const catalog = createProviderCatalog(registry, {
    LLM_PROVIDER: 'beta-two',
    ALPHA_API_KEY: 'a',
    BETA_API_KEY: 'b',
    BETA_TWO_MODELS: 'beta-2, beta-3',
  });

  it('puts the active provider first, then the configured ones; unconfigured ones are absent', () => {
    expect(catalog.entries.map((entry) => entry.name)).toEqual(['beta-two', 'alpha']);
    expect(catalog.entries[0]?.models).toEqual(['beta-1', 'beta-2', 'beta-3']);
    expect(modelsVariable('google-genai')).toBe('GOOGLE_GENAI_MODELS');
  });

  it('chooses per request only among configured providers and allowed models', () => {
    expect(catalog.choose({}).model).toBe('beta-1');
    expect(catalog.choose({ provider: 'alpha' }).provider.name).toBe('alpha');
    expect(catalog.choose({ model: 'beta-3' }).model).toBe('beta-3');
    expect(() => catalog.choose({ provider: 'unset' })).toThrow(HttpError);
    expect(() => catalog.choose({ provider: 'alpha', model: 'beta-2' })).toThrow(/allowed: alpha-1/);
  });

  it('resolves OpenAI-style model ids: a model id, provider/model, or a provider name', () => {
    expect(catalog.chooseByModelId('alpha-1').name).toBe('alpha');
    expect(catalog.chooseByModelId('beta-two/beta-2')).toMatchObject({ name: 'beta-two', model: 'beta-2' });
    expect(catalog.chooseByModelId('alpha')).toMatchObject({ name: 'alpha', model: 'alpha-1' });
    expect(catalog.chooseByModelId(undefined).name).toBe('beta-two');
    expect(() => catalog.chooseByModelId('gpt-9')).toThrow(/allowed: beta-1 \(beta-two\)/);
  });
});

describe('withOpenAICompatibleDefault', () => {
  it('gives OPENAI_BASE_URL alone a placeholder key, and leaves everything else alone', () => {
    expect(withOpenAICompatibleDefault({ OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' }).OPENAI_API_KEY).toBe('not-needed');
    expect(withOpenAICompatibleDefault({ OPENAI_BASE_URL: 'x', OPENAI_API_KEY: 'k' }).OPENAI_API_KEY).toBe('k');
    expect(
      withOpenAICompatibleDefault({ OPENAI_BASE_URL: 'x', LLM_PROVIDER: 'anthropic' }).OPENAI_API_KEY,
    ).toBeUndefined();
    expect(withOpenAICompatibleDefault({}).OPENAI_API_KEY).toBeUndefined();
  });
});
