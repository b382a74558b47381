import { collectText, createRegistry, RegistryError } from '@rxllm/core';
import { mockUpstream } from '@rxllm/testing';
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { googleGenAIOptionsFromEnv, googleGenAIProvider } from './google-genai-registry.js';

describe('googleGenAIProvider', () => {
  const registry = createRegistry({ 'google-genai': googleGenAIProvider });

  it('throws a RegistryError naming the variables when nothing configures it', () => {
    expect(() => registry.create('google-genai', {})).toThrowError(RegistryError);
    expect(() => registry.create('google-genai', {})).toThrowError(/GOOGLE_API_KEY.*GOOGLE_GENAI_USE_VERTEXAI/);
    expect(registry.configured({})).toEqual([]);
  });

  it('is configured by GOOGLE_API_KEY, GEMINI_API_KEY or Vertex env', () => {
    expect(registry.configured({ GOOGLE_API_KEY: 'k' })).toEqual(['google-genai']);
    expect(registry.configured({ GEMINI_API_KEY: 'k' })).toEqual(['google-genai']);
    expect(
      registry.configured({ GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'p', GOOGLE_CLOUD_LOCATION: 'l' }),
    ).toEqual(['google-genai']);
    expect(registry.configured({ GOOGLE_GENAI_USE_VERTEXAI: 'false', GOOGLE_CLOUD_PROJECT: 'p' })).toEqual([]);
  });

  it('prefers GOOGLE_API_KEY, as the SDK does, and reads base URL and model', () => {
    expect(
      googleGenAIOptionsFromEnv({
        GOOGLE_API_KEY: 'g',
        GEMINI_API_KEY: 'm',
        GEMINI_BASE_URL: 'http://b',
        GEMINI_MODEL: 'gemini-x',
      }),
    ).toEqual({ apiKey: 'g', baseURL: 'http://b', model: 'gemini-x' });
    expect(
      googleGenAIOptionsFromEnv({
        GOOGLE_GENAI_USE_VERTEXAI: 'TRUE',
        GOOGLE_CLOUD_PROJECT: 'p',
        GOOGLE_CLOUD_LOCATION: 'europe-west4',
        GOOGLE_GENAI_BASE_URL: 'http://v',
        GEMINI_BASE_URL: 'http://ignored',
      }),
    ).toEqual({ vertexai: { project: 'p', location: 'europe-west4' }, baseURL: 'http://v' });
  });

  it('streams from the env-configured base URL with the env key', async () => {
    const mock = await mockUpstream();
    try {
      const provider = registry.create('google-genai', { GEMINI_API_KEY: 'env-key-5678', GEMINI_BASE_URL: mock.url });
      expect(provider.defaultModel).toBe('gemini-2.5-flash');
      const text = await lastValueFrom(
        provider.stream({ messages: [{ role: 'user', content: 'Hi' }] }).pipe(collectText()),
      );
      expect(text).toBe('Hello, world!');
      expect(mock.requests[0]?.headers['x-goog-api-key']).toBe('env-key-5678');
    } finally {
      await mock.close();
    }
  });
});
