import { type MockUpstream, mockUpstream } from '@rxllm/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOllama, DEFAULT_OLLAMA_BASE_URL, ollamaBaseURL } from './create-ollama.js';
import { outcomeOf } from './test-support.js';

let mock: MockUpstream;
beforeAll(async () => {
  mock = await mockUpstream();
});
afterEach(() => mock.reset());
afterAll(() => mock.close());

const request = { messages: [{ role: 'user' as const, content: 'Hi' }] };

describe('ollamaBaseURL', () => {
  it('defaults to the local Ollama, keeps a full URL, and adds /v1 to a bare server', () => {
    expect(ollamaBaseURL(undefined)).toBe(DEFAULT_OLLAMA_BASE_URL);
    expect(ollamaBaseURL(' ')).toBe('http://localhost:11434/v1');
    expect(ollamaBaseURL('http://gpu-box:11434/v1')).toBe('http://gpu-box:11434/v1');
    expect(ollamaBaseURL('http://gpu-box:11434')).toBe('http://gpu-box:11434/v1');
    expect(ollamaBaseURL('http://gpu-box:11434/')).toBe('http://gpu-box:11434/v1');
  });
});

describe('createOllama', () => {
  it('names its errors ollama', async () => {
    mock.enqueue({ httpError: { status: 404, message: 'model "nope" not found, try pulling it first' } });
    const outcome = await outcomeOf(createOllama({ baseURL: mock.baseURLs.openai, model: 'nope' }).stream(request));
    expect(outcome.error).toMatchObject({ kind: 'not-found', provider: 'ollama', status: 404 });
    expect(outcome.error?.message).toBe('ollama returned HTTP 404: model "nope" not found, try pulling it first');
  });
});
