import { createHash } from 'node:crypto';
import type { CompletionRequest } from '@rxllm/core';
import { describe, expect, it } from 'vitest';
import { cacheKey } from './cache-key.js';

const request: CompletionRequest = {
  model: 'gpt-4.1-mini',
  messages: [{ role: 'user', content: 'Hi' }],
  temperature: 0,
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('cacheKey', () => {
  it('is the SHA-256 hex of the canonical JSON of { provider, request }', () => {
    const canonical =
      '{"provider":"openai","request":{"messages":[{"content":"Hi","role":"user"}],"model":"gpt-4.1-mini","temperature":0}}';
    expect(cacheKey(request, { provider: 'openai' })).toBe(sha256(canonical));
    expect(cacheKey(request)).toBe(sha256(canonical.replace('"provider":"openai",', '')));
  });

  it('does not depend on key order at any depth, nor on undefined fields', () => {
    const reordered: CompletionRequest = {
      temperature: 0,
      messages: [{ content: 'Hi', role: 'user' }],
      model: 'gpt-4.1-mini',
      maxTokens: undefined,
    };
    expect(cacheKey(reordered, { provider: 'openai' })).toBe(cacheKey(request, { provider: 'openai' }));
    const withSchema = (schema: Record<string, unknown>): CompletionRequest => ({
      ...request,
      responseFormat: { type: 'json', schema },
    });
    expect(cacheKey(withSchema({ type: 'object', properties: { b: { type: 'string' }, a: { type: 'number' } } }))).toBe(
      cacheKey(withSchema({ properties: { a: { type: 'number' }, b: { type: 'string' } }, type: 'object' })),
    );
  });

  it('changes with anything that can change the answer, and with the provider', () => {
    const base = cacheKey(request, { provider: 'openai' });
    const variants: CompletionRequest[] = [
      { ...request, model: 'gpt-4.1' },
      { ...request, messages: [{ role: 'user', content: 'Hi!' }] },
      { ...request, messages: [...request.messages, { role: 'assistant', content: 'Hello' }] },
      { ...request, temperature: 0.1 },
      { ...request, system: 'Be brief.' },
      { ...request, seed: 1 },
      { ...request, stop: ['\n'] },
      { ...request, tools: [{ name: 'weather', parameters: { type: 'object' } }] },
      { ...request, providerOptions: { openai: { reasoning_effort: 'low' } } },
    ];
    const keys = variants.map((variant) => cacheKey(variant, { provider: 'openai' }));
    expect(new Set([base, ...keys]).size).toBe(variants.length + 1);
    expect(cacheKey(request, { provider: 'anthropic' })).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores the end-user id by default; an ignore list replaces the default', () => {
    const forUser = { ...request, user: 'user-42' };
    expect(cacheKey(forUser)).toBe(cacheKey(request));
    expect(cacheKey(forUser, { ignore: [] })).not.toBe(cacheKey(request, { ignore: [] }));
    expect(cacheKey({ ...request, temperature: 1 }, { ignore: ['temperature'] })).toBe(
      cacheKey(request, { ignore: ['temperature'] }),
    );
    expect(cacheKey(forUser, { ignore: ['temperature'] })).not.toBe(cacheKey(request, { ignore: ['temperature'] }));
  });

  it('keeps array order: the order of messages matters', () => {
    const two: CompletionRequest = {
      messages: [
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
      ],
    };
    expect(cacheKey(two)).not.toBe(cacheKey({ messages: [...two.messages].reverse() }));
  });
});
