import { collectText, createRegistry, RegistryError } from '@rxllm/core';
import { mockUpstream } from '@rxllm/testing';
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { geminiProvider } from './gemini-registry.js';

describe('geminiProvider', () => {
  const registry = createRegistry({ gemini: geminiProvider });

  it('needs GEMINI_API_KEY, naming the variable and not a value', () => {
    expect(() => registry.create('gemini', {})).toThrowError(RegistryError);
    expect(() => registry.create('gemini', {})).toThrowError(/GEMINI_API_KEY/);
    expect(registry.configured({})).toEqual([]);
    expect(registry.configured({ GEMINI_API_KEY: 'k' })).toEqual(['gemini']);
  });

  it('reads GEMINI_MODEL and sends to GEMINI_BASE_URL with GEMINI_API_KEY', async () => {
    const mock = await mockUpstream();
    try {
      const provider = registry.create('gemini', {
        GEMINI_API_KEY: 'env-key-1234',
        GEMINI_MODEL: 'gemini-2.5-pro',
        GEMINI_BASE_URL: mock.baseURLs.gemini,
      });
      expect(provider.defaultModel).toBe('gemini-2.5-pro');
      const text = await lastValueFrom(
        provider.stream({ messages: [{ role: 'user', content: 'Hi' }] }).pipe(collectText()),
      );
      expect(text).toBe('Hello, world!');
      expect(mock.requests[0]?.path).toBe('/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse');
      expect(mock.requests[0]?.headers['x-goog-api-key']).toBe('env-key-1234');
    } finally {
      await mock.close();
    }
  });

  it('defaults to gemini-2.5-flash', () => {
    expect(registry.create('gemini', { GEMINI_API_KEY: 'k' }).defaultModel).toBe('gemini-2.5-flash');
  });
});
