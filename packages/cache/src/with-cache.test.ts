import type { Chunk, CompletionRequest, Provider } from '@rxllm/core';
import { finish, start, text } from '@rxllm/testing/marbles';
import { defer, lastValueFrom, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { cacheKey } from './cache-key.js';
import type { CacheStore } from './cache-store.js';
import { memoryCacheStore } from './memory-cache-store.js';
import { withCache } from './with-cache.js';

/** A provider that answers with the request's model and counts its upstream requests. */
function countingProvider(name = 'fake') {
  const requests: CompletionRequest[] = [];
  const provider: Provider = {
    name,
    defaultModel: 'default-model',
    stream: (request) =>
      defer(() => {
        requests.push(request);
        return of<Chunk[]>(start({ provider: name, model: request.model ?? 'default-model' }), text('Hi'), finish());
      }),
  };
  return { provider, requests };
}

const collect = (provider: Provider, request: CompletionRequest) =>
  lastValueFrom(provider.stream(request).pipe(toArray()));

const hello: CompletionRequest = { messages: [{ role: 'user', content: 'Hello' }] };

describe('withCache', () => {
  it('keeps the name and default model, and serves a repeated request from the store', async () => {
    const { provider, requests } = countingProvider();
    const cached = withCache(provider, { store: memoryCacheStore({ maxBytes: 10_000 }), ttlMs: 60_000 });
    expect([cached.name, cached.defaultModel]).toEqual(['fake', 'default-model']);
    const first = await collect(cached, hello);
    expect(await collect(cached, hello)).toEqual(first);
    expect(requests).toHaveLength(1);
    await collect(cached, { messages: [{ role: 'user', content: 'Goodbye' }] });
    expect(requests).toHaveLength(2);
  });

  it('an unset model and the explicit default model share a key; another model does not', async () => {
    const { provider, requests } = countingProvider();
    const cached = withCache(provider, { store: memoryCacheStore({ maxBytes: 10_000 }), ttlMs: 60_000 });
    await collect(cached, hello);
    await collect(cached, { ...hello, model: 'default-model' });
    expect(requests).toHaveLength(1);
    await collect(cached, { ...hello, model: 'other-model' });
    expect(requests).toHaveLength(2);
  });

  it('keys by default on the provider name and the request with its model filled in', async () => {
    const keys: string[] = [];
    const store: CacheStore = {
      get: async (key) => void keys.push(key),
      set: async () => {},
    };
    const { provider } = countingProvider('acme');
    await collect(withCache(provider, { store, ttlMs: 1 }), hello);
    expect(keys).toEqual([cacheKey({ ...hello, model: 'default-model' }, { provider: 'acme' })]);
  });

  it('uses the key function when given', async () => {
    const { provider, requests } = countingProvider();
    const cached = withCache(provider, {
      store: memoryCacheStore({ maxBytes: 10_000 }),
      ttlMs: 60_000,
      key: () => 'one key for everything',
    });
    await collect(cached, hello);
    const other = await collect(cached, { messages: [{ role: 'user', content: 'Something else' }] });
    expect(requests).toHaveLength(1);
    expect(other.map((chunk) => chunk.type)).toEqual(['start', 'text', 'finish']);
  });

  it('two providers behind one store never share an entry', async () => {
    const store = memoryCacheStore({ maxBytes: 10_000 });
    const first = countingProvider('first');
    const second = countingProvider('second');
    await collect(withCache(first.provider, { store, ttlMs: 60_000 }), hello);
    const answer = await collect(withCache(second.provider, { store, ttlMs: 60_000 }), hello);
    expect(second.requests).toHaveLength(1);
    expect(answer[0]).toMatchObject({ type: 'start', provider: 'second' });
  });

  it('rejects a ttlMs that is not positive when it is set up', () => {
    const { provider } = countingProvider();
    expect(() => withCache(provider, { store: memoryCacheStore({ maxBytes: 1 }), ttlMs: -1 })).toThrow(RangeError);
  });
});
