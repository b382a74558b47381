import { type Chunk, type CompletionRequest, LLMError, type Provider } from '@rxllm/core';
import { createChunkTestScheduler } from '@rxllm/testing/marbles';
import type { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { CONTINUE_PROMPT } from './continue-after-failure.js';
import { withFallback } from './fallback.js';

const createTestScheduler = () => createChunkTestScheduler({ errors: 'llm-error-fields' });
const cut = new LLMError({ kind: 'network', provider: 'openai', message: 'connection reset' });
const badRequest = new LLMError({ kind: 'invalid-request', provider: 'openai', status: 400, message: 'bad' });
const request: CompletionRequest = { messages: [{ role: 'user', content: 'Tell a story' }] };

const values: Record<string, Chunk> = {
  s: { type: 'start', provider: 'openai', model: 'gpt-test' },
  t: { type: 'start', provider: 'anthropic', model: 'claude-test' },
  g: { type: 'start', provider: 'gemini', model: 'gemini-test' },
  a: { type: 'text', text: 'Once upon ' },
  b: { type: 'text', text: ' a time.' },
  B: { type: 'text', text: 'a time.' },
  c: { type: 'tool-call', index: 0, id: 'call_1', name: 'lookup', argumentsDelta: '{"q":' },
  f: { type: 'finish', reason: 'stop' },
  m: {
    type: 'failover',
    from: { provider: 'openai', model: 'gpt-test' },
    to: { provider: 'anthropic', model: 'claude-test' },
    reason: { kind: 'network', message: 'connection reset' },
    mode: 'prefill',
  },
  n: {
    type: 'failover',
    from: { provider: 'openai', model: 'gpt-test' },
    to: { provider: 'gemini', model: 'gemini-test' },
    reason: { kind: 'network', message: 'connection reset' },
    mode: 'context',
  },
};

function fakes(streams: Record<string, Observable<Chunk>>) {
  const requests: Array<[string, CompletionRequest]> = [];
  const providers = Object.entries(streams).map(
    ([name, stream]): Provider => ({
      name,
      defaultModel: `${name}-default`,
      stream: (sent) => {
        requests.push([name, sent]);
        return stream;
      },
    }),
  );
  return { providers, requests };
}

describe("withFallback({ afterFirstChunk: 'continue' })", () => {
  it('a stream cut after content goes on at the next provider with the partial answer as a prefill', () => {
    let requests: Array<[string, CompletionRequest]> = [];
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const openai = cold('s-a---#', values, cut);
      const anthropic = cold('t-b---f|', values);
      const made = fakes({ openai, anthropic });
      requests = made.requests;
      const { providers } = made;
      const provider = withFallback(providers, { afterFirstChunk: 'continue' });
      // The continuation's own start is dropped; the marker comes before its first content, whose leading space
      // goes (the prefill was trimmed of the partial's trailing one, which the client already has).
      expectObservable(provider.stream(request)).toBe('--(sa)--(mB)f|', values);
      expectSubscriptions(openai.subscriptions).toBe('^-----!');
      expectSubscriptions(anthropic.subscriptions).toBe('------^------!');
    });
    expect(requests[1]?.[1].messages).toEqual([
      { role: 'user', content: 'Tell a story' },
      { role: 'assistant', content: 'Once upon' },
    ]);
  });

  it('a provider without prefill gets the partial answer as context and a request to continue', () => {
    let requests: Array<[string, CompletionRequest]> = [];
    createTestScheduler().run(({ cold, expectObservable }) => {
      const made = fakes({ openai: cold('s-a---#', values, cut), gemini: cold('g-B---f|', values) });
      requests = made.requests;
      const provider = withFallback(made.providers, { afterFirstChunk: 'continue' });
      expectObservable(provider.stream(request)).toBe('--(sa)--(nB)f|', values);
    });
    expect(requests[1]?.[1].messages).toEqual([
      { role: 'user', content: 'Tell a story' },
      { role: 'assistant', content: 'Once upon ' },
      { role: 'user', content: CONTINUE_PROMPT },
    ]);
  });

  it('a continuation that fails before its content moves to the next provider, still continuing', () => {
    let requests: Array<[string, CompletionRequest]> = [];
    createTestScheduler().run(({ cold, expectObservable }) => {
      const made = fakes({
        openai: cold('s-a---#', values, cut),
        anthropic: cold('t#', values, new LLMError({ kind: 'overloaded', provider: 'anthropic', message: 'busy' })),
        gemini: cold('g-B----|', values),
      });
      requests = made.requests;
      const provider = withFallback(made.providers, { afterFirstChunk: 'continue' });
      expectObservable(provider.stream(request)).toBe('--(sa)---(nB)-|', values);
    });
    expect(requests.map(([name]) => name)).toEqual(['openai', 'anthropic', 'gemini']);
    expect(requests[2]?.[1].messages.at(-1)).toEqual({ role: 'user', content: CONTINUE_PROMPT });
  });

  it('a cut tool call, a failure shouldFallback refuses, or no next provider is passed on', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const toolCut = fakes({ openai: cold('s-c---#', values, cut), anthropic: cold('t-b|', values) });
      expectObservable(withFallback(toolCut.providers, { afterFirstChunk: 'continue' }).stream(request)).toBe(
        '--(sc)#',
        values,
        cut,
      );
      const refused = fakes({ openai: cold('s-a---#', values, badRequest), anthropic: cold('t-b|', values) });
      expectObservable(withFallback(refused.providers, { afterFirstChunk: 'continue' }).stream(request)).toBe(
        '--(sa)#',
        values,
        badRequest,
      );
      const alone = fakes({ openai: cold('s-a---#', values, cut) });
      expectObservable(withFallback(alone.providers, { afterFirstChunk: 'continue' }).stream(request)).toBe(
        '--(sa)#',
        values,
        cut,
      );
    });
  });

  it('before any content it falls back as withFallback always does: one start, the answering one', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const { providers } = fakes({ openai: cold('s#', values, cut), anthropic: cold('-t-b---|', values) });
      expectObservable(withFallback(providers, { afterFirstChunk: 'continue' }).stream(request)).toBe(
        '----(tb)|',
        values,
      );
    });
  });

  it('the default is still to pass a failure after content on', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const { providers } = fakes({ openai: cold('s-a---#', values, cut), anthropic: cold('t-b|', values) });
      expectObservable(withFallback(providers).stream(request)).toBe('--(sa)#', values, cut);
    });
  });
});
