import { EMPTY } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Provider } from './provider.js';
import { createRegistry, type Env, RegistryError } from './registry.js';

const made = (name: string, env: Env): Provider & { env: Env } => ({
  name,
  defaultModel: `${name}-model`,
  env,
  stream: () => EMPTY,
});

const registry = createRegistry({
  openai: { apiKeyEnv: 'OPENAI_API_KEY', create: (env) => made('openai', env) },
  anthropic: { apiKeyEnv: 'ANTHROPIC_API_KEY', create: (env) => made('anthropic', env) },
  ollama: {
    apiKeyEnv: 'OLLAMA_API_KEY',
    requiresApiKey: false,
    isConfigured: (env) => env.OLLAMA_BASE_URL !== undefined,
    create: (env) => made('ollama', env),
  },
  simulated: (env) => made('simulated', env),
});

describe('createRegistry', () => {
  it('defaults to the simulated provider when no key is set', () => {
    const resolved = registry.fromEnv({});
    expect(resolved.name).toBe('simulated');
    expect(resolved.reason).toBe('no API key is set');
  });

  it('defaults to the first provider whose key is set', () => {
    expect(registry.fromEnv({ ANTHROPIC_API_KEY: 'k' }).name).toBe('anthropic');
    expect(registry.fromEnv({ ANTHROPIC_API_KEY: 'k', OPENAI_API_KEY: 'k' }).name).toBe('openai');
    expect(registry.fromEnv({ OPENAI_API_KEY: '  ' }).name).toBe('simulated');
  });

  it('LLM_PROVIDER switches, and the factory sees the environment', () => {
    const env = { LLM_PROVIDER: 'Anthropic', ANTHROPIC_API_KEY: 'k', OPENAI_API_KEY: 'k' };
    const resolved = registry.fromEnv(env);
    expect(resolved.name).toBe('anthropic');
    expect(resolved.reason).toBe('LLM_PROVIDER=anthropic');
    expect((resolved.provider as Provider & { env: Env }).env).toBe(env);
    expect(registry.fromEnv({ LLM_PROVIDER: 'ollama' }).name).toBe('ollama');
  });

  it('explains a missing key without revealing any value', () => {
    const secret = 'sk-ant-very-secret-value';
    const attempt = () => registry.fromEnv({ LLM_PROVIDER: 'openai', ANTHROPIC_API_KEY: secret });
    expect(attempt).toThrow(RegistryError);
    expect(attempt).toThrow('Provider "openai" needs an API key: set OPENAI_API_KEY.');
    try {
      attempt();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(secret);
    }
  });

  it('rejects an unknown provider and lists the known ones', () => {
    expect(() => registry.fromEnv({ LLM_PROVIDER: 'mistral', OPENAI_API_KEY: 'sk-x' })).toThrow(
      'Unknown provider "mistral". Known providers: openai, anthropic, ollama, simulated.',
    );
    expect(() => registry.create('nope', {})).toThrow(RegistryError);
  });

  it('lists configured providers', () => {
    expect(registry.configured({ ANTHROPIC_API_KEY: 'k' })).toEqual(['anthropic', 'simulated']);
    expect(registry.configured({ OPENAI_API_KEY: 'k', OLLAMA_BASE_URL: 'http://127.0.0.1:1/v1' })).toEqual([
      'openai',
      'ollama',
      'simulated',
    ]);
    expect(registry.names).toEqual(['openai', 'anthropic', 'ollama', 'simulated']);
  });

  it('fails clearly when nothing is configured and there is no fallback', () => {
    const strict = createRegistry({ openai: { apiKeyEnv: 'OPENAI_API_KEY', create: (env) => made('openai', env) } });
    expect(() => strict.fromEnv({})).toThrow('No provider is configured: set LLM_PROVIDER or one of OPENAI_API_KEY.');
  });
});
