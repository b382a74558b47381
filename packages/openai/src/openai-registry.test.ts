import { createRegistry, RegistryError } from '@rxllm/core';
import { type MockUpstream, mockUpstream } from '@rxllm/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OLLAMA_MODEL } from './create-ollama.js';
import { ollamaProvider, ollamaProviderWith, openaiProvider, openaiProviderWith } from './openai-registry.js';
import { outcomeOf, textOf } from './test-support.js';

let mock: MockUpstream;
beforeAll(async () => {
  mock = await mockUpstream();
});
afterEach(() => mock.reset());
afterAll(() => mock.close());

const registry = createRegistry({ openai: openaiProvider, ollama: ollamaProvider });
const request = { messages: [{ role: 'user' as const, content: 'Hi' }] };

describe('the ollama preset', () => {
  it('LLM_PROVIDER=ollama streams from OLLAMA_BASE_URL with OLLAMA_MODEL, no key, max_tokens', async () => {
    const env = { LLM_PROVIDER: 'ollama', OLLAMA_BASE_URL: mock.baseURLs.openai, OLLAMA_MODEL: 'qwen3:4b' };
    const { name, provider, reason } = registry.fromEnv(env);
    expect({ name, reason, defaultModel: provider.defaultModel }).toEqual({
      name: 'ollama',
      reason: 'LLM_PROVIDER=ollama',
      defaultModel: 'qwen3:4b',
    });
    const reasoning = JSON.stringify({
      id: 'chatcmpl-7',
      model: 'qwen3:4b',
      choices: [{ index: 0, delta: { role: 'assistant', content: '', reasoning: 'Thinking…' }, finish_reason: null }],
    });
    mock.enqueue({
      events: [
        { type: 'raw', data: `data: ${reasoning}\n\n` },
        { type: 'text', text: 'Hello from Ollama' },
      ],
    });
    const outcome = await outcomeOf(
      provider.stream({ ...request, maxTokens: 32, providerOptions: { ollama: { keep_alive: '5m' } } }),
    );
    expect(outcome.chunks[0]).toMatchObject({ type: 'start', provider: 'ollama', model: 'qwen3:4b' });
    expect(outcome.chunks[1]).toEqual({ type: 'reasoning', text: 'Thinking…' });
    expect(textOf(outcome.chunks)).toBe('Hello from Ollama');
    expect(outcome.chunks.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' });
    expect(mock.requests[0]?.body).toMatchObject({ model: 'qwen3:4b', max_tokens: 32, keep_alive: '5m', stream: true });
    expect(mock.requests[0]?.body).not.toHaveProperty('max_completion_tokens');
  });

  it('accepts a bare server address in OLLAMA_BASE_URL', async () => {
    mock.enqueue({ events: [{ type: 'text', text: 'ok' }] });
    const provider = registry.create('ollama', { OLLAMA_BASE_URL: mock.url });
    const outcome = await outcomeOf(provider.stream(request));
    expect(outcome.completed).toBe(true);
    expect(mock.requests[0]?.path).toBe('/v1/chat/completions');
    expect(mock.requests[0]?.body).toMatchObject({ model: DEFAULT_OLLAMA_MODEL });
  });

  it('counts as configured only when OLLAMA_BASE_URL or OLLAMA_MODEL is set', () => {
    expect(registry.configured({})).toEqual([]);
    expect(registry.configured({ OLLAMA_MODEL: 'llama3.2' })).toEqual(['ollama']);
    expect(registry.configured({ OLLAMA_BASE_URL: 'http://box:11434' })).toEqual(['ollama']);
    expect(registry.configured({ OPENAI_API_KEY: 'sk-x' })).toEqual(['openai']);
  });
});

describe('the openai registry definition', () => {
  it('reads OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_MODEL', async () => {
    const env = {
      OPENAI_API_KEY: 'sk-env-MARKER-55aa',
      OPENAI_BASE_URL: mock.baseURLs.openai,
      OPENAI_MODEL: 'gpt-4.1-nano',
    };
    const { name, provider, reason } = registry.fromEnv(env);
    expect({ name, reason }).toEqual({ name: 'openai', reason: 'OPENAI_API_KEY is set' });
    mock.enqueue({ events: [{ type: 'text', text: 'hi' }] });
    const outcome = await outcomeOf(provider.stream(request));
    expect(outcome.chunks[0]).toMatchObject({ type: 'start', provider: 'openai', model: 'gpt-4.1-nano' });
    expect(mock.requests[0]?.headers.authorization).toBe('Bearer sk-env-MARKER-55aa');
  });

  it('names the missing variable, not a value', () => {
    expect(() => registry.create('openai', { OPENAI_BASE_URL: mock.baseURLs.openai })).toThrow(RegistryError);
    expect(() => registry.create('openai', {})).toThrow(/OPENAI_API_KEY/);
  });
});

describe('openaiProviderWith and ollamaProviderWith', () => {
  it('build from the env as the plain definitions do, and send every request through the given fetch', async () => {
    const seen: string[] = [];
    const fetch: typeof globalThis.fetch = (input, init) => {
      seen.push(String(input));
      return globalThis.fetch(input, init);
    };
    const withFetch = createRegistry({ openai: openaiProviderWith({ fetch }), ollama: ollamaProviderWith({ fetch }) });
    const openai = withFetch.create('openai', { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: mock.baseURLs.openai });
    const ollama = withFetch.create('ollama', { OLLAMA_BASE_URL: mock.baseURLs.openai });
    for (const [provider, text] of [
      [openai, 'openai via my fetch'],
      [ollama, 'ollama via my fetch'],
    ] as const) {
      mock.enqueue({ events: [{ type: 'text', text }] });
      expect(textOf((await outcomeOf(provider.stream(request))).chunks)).toBe(text);
    }
    expect(seen).toEqual([`${mock.baseURLs.openai}/chat/completions`, `${mock.baseURLs.openai}/chat/completions`]);
  });
});
