import {
  type Chunk,
  collectCompletion,
  complete,
  createRegistry,
  type FinishChunk,
  type FinishReason,
  LLMError,
  type ReasoningChunk,
  type StartChunk,
  type TextChunk,
  type ToolCallChunk,
  type Usage,
  type UsageChunk,
} from '@rxllm/core';
import { lastValueFrom, VirtualTimeScheduler } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it, vi } from 'vitest';
import { cannedReply, simulatedProvider, simulatedProviderDefinition } from './simulated-provider.js';

// `@rxllm/testing` depends on this package (it re-exports it), so its marble helpers are not used here: these few
// stand in for them.
const createChunkTestScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const chunkValues = (...chunks: Chunk[]): Record<string, Chunk> =>
  Object.fromEntries(chunks.map((chunk, index) => [String.fromCharCode(97 + index), chunk]));
const start = (fields: Omit<StartChunk, 'type'>): StartChunk => ({ type: 'start', ...fields });
const text = (value: string): TextChunk => ({ type: 'text', text: value });
const reasoning = (value: string): ReasoningChunk => ({ type: 'reasoning', text: value });
const toolCall = (argumentsDelta: string, fields: { id: string; name: string }): ToolCallChunk => ({
  type: 'tool-call',
  index: 0,
  argumentsDelta,
  ...fields,
});
const usage = ({ inputTokens = 0, outputTokens = 0 }: Usage): UsageChunk => ({
  type: 'usage',
  usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
});
const finish = (reason: FinishReason, rawReason: string): FinishChunk => ({ type: 'finish', reason, rawReason });

const request = { messages: [{ role: 'user' as const, content: 'Hi there' }] };

describe('simulatedProvider', () => {
  it('paces start, text, usage and finish by ttft and tokens per second, in virtual time', () => {
    createChunkTestScheduler().run(({ expectObservable }) => {
      const provider = simulatedProvider({ text: 'One two three', ttftMs: 100, tokensPerSecond: 10 });
      const values = chunkValues(
        start({ provider: 'simulated', model: 'simulated-1', id: 'sim_1' }),
        text('One '),
        text('two '),
        text('three'),
        usage({ inputTokens: 2, outputTokens: 3 }),
        finish('stop', 'stop'),
      );
      // start at 0, first word at 100 ms, then one every 100 ms; usage and finish with the last word.
      expectObservable(provider.stream(request)).toBe('a 99ms b 99ms c 99ms (def|)', values);
    });
  });

  it('is cold and stops at unsubscribe', () => {
    createChunkTestScheduler().run(({ expectObservable }) => {
      const provider = simulatedProvider({ text: 'a b c d', ttftMs: 10, tokensPerSecond: 100, chunking: 'word' });
      const values = chunkValues(
        start({ provider: 'simulated', model: 'simulated-1', id: 'sim_1' }),
        text('a '),
        text('b '),
      );
      expectObservable(provider.stream(request), '^ 24ms !').toBe('a 9ms b 9ms c', values);
    });
  });

  it('leaves no scheduled action behind after unsubscribe', () => {
    const scheduler = new VirtualTimeScheduler();
    const provider = simulatedProvider({ text: 'a b c', ttftMs: 10, tokensPerSecond: 100, scheduler });
    const seen: string[] = [];
    const subscription = provider.stream(request).subscribe((chunk) => seen.push(chunk.type));
    expect(scheduler.actions.filter((action) => !action.closed)).toHaveLength(1);
    subscription.unsubscribe();
    expect(scheduler.actions.filter((action) => !action.closed)).toHaveLength(0);
    scheduler.flush();
    expect(seen).toEqual(['start']);
  });

  it('emits each subscription independently with its own id', async () => {
    const provider = simulatedProvider({ text: 'x y', ttftMs: 0, tokensPerSecond: Number.POSITIVE_INFINITY });
    const first = await lastValueFrom(provider.stream(request).pipe(collectCompletion()));
    const second = await lastValueFrom(provider.stream(request).pipe(collectCompletion()));
    expect(first.text).toBe('x y');
    expect([first.id, second.id]).toEqual(['sim_1', 'sim_2']);
  });

  it('answers with a canned, honest reply that echoes the last user message', async () => {
    const provider = simulatedProvider({ ttftMs: 0, tokensPerSecond: Number.POSITIVE_INFINITY });
    const {
      text: reply,
      finishReason,
      model,
    } = await complete(provider, {
      model: 'my-model',
      messages: [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'Tell me   a story' },
      ],
    });
    expect(reply).toBe(cannedReply({ messages: [{ role: 'user', content: 'Tell me a story' }] }));
    expect(reply.startsWith('You said: "Tell me a story". This is the simulated provider: set OPENAI_API_KEY')).toBe(
      true,
    );
    expect(reply.split(' ').length).toBeGreaterThan(40);
    expect(finishReason).toBe('stop');
    expect(model).toBe('my-model');
    expect(cannedReply({ messages: [] }).startsWith('Hello! This is the simulated provider')).toBe(true);
    expect(cannedReply({ messages: [{ role: 'user', content: 'x'.repeat(500) }] })).toContain(`${'x'.repeat(200)}…"`);
  });

  it('says what was attached to the last user message, and never its bytes', () => {
    const image = {
      type: 'image' as const,
      source: { type: 'base64' as const, data: 'iVBORw0KGgo=', mediaType: 'image/png' },
    };
    const pdf = { type: 'file' as const, source: { type: 'url' as const, url: 'https://example.com/a.pdf' } };
    const reply = cannedReply({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, image, image, pdf] }],
    });
    expect(reply.startsWith('You said: "What is this?" and attached 2 images and 1 file. This is')).toBe(true);
    expect(reply).not.toContain('iVBOR');
    expect(cannedReply({ messages: [{ role: 'user', content: [image] }] }).startsWith('You sent 1 image. This')).toBe(
      true,
    );
  });

  it('honours maxTokens and finishes with length', async () => {
    const provider = simulatedProvider({ text: 'a b c d e', ttftMs: 0, tokensPerSecond: Number.POSITIVE_INFINITY });
    const result = await complete(provider, { ...request, maxTokens: 2 });
    expect(result.text).toBe('a b ');
    expect(result.finishReason).toBe('length');
    expect(result.usage?.outputTokens).toBe(2);
  });

  it('plays a script of chunks, appending usage and finish', () => {
    createChunkTestScheduler().run(({ expectObservable }) => {
      const provider = simulatedProvider({
        script: [reasoning('hmm'), toolCall('{}', { id: 'c1', name: 'f' }), text('done')],
        ttftMs: 5,
        tokensPerSecond: 200,
      });
      const values = chunkValues(
        start({ provider: 'simulated', model: 'simulated-1', id: 'sim_1' }),
        reasoning('hmm'),
        toolCall('{}', { id: 'c1', name: 'f' }),
        text('done'),
        usage({ inputTokens: 2, outputTokens: 2 }),
        finish('stop', 'stop'),
      );
      expectObservable(provider.stream(request)).toBe('a 4ms b 4ms c 4ms (def|)', values);
    });
  });

  it('ends a script with the scripted error, as an LLMError', () => {
    createChunkTestScheduler().run(({ expectObservable }) => {
      const provider = simulatedProvider({
        script: [text('Hel'), { type: 'error', error: { kind: 'rate-limit', message: 'slow down', retryAfterMs: 5 } }],
        ttftMs: 1,
        tokensPerSecond: 1000,
      });
      const values = chunkValues(start({ provider: 'simulated', model: 'simulated-1', id: 'sim_1' }), text('Hel'));
      const error = new LLMError({ kind: 'rate-limit', provider: 'simulated', message: 'slow down', retryAfterMs: 5 });
      expectObservable(provider.stream(request)).toBe('a b #', values, error);
    });
  });

  it('keeps a scripted finish and does not add another', async () => {
    const provider = simulatedProvider({
      script: [text('x'), finish('content-filter', 'SAFETY')],
      ttftMs: 0,
      tokensPerSecond: 0,
    });
    const result = await complete(provider, request);
    expect(result.finishReason).toBe('content-filter');
    expect(result.usage).toBeUndefined();
  });
});

describe('simulatedProviderDefinition', () => {
  const registry = createRegistry({ simulated: simulatedProviderDefinition });

  it('needs no key and is the fallback with no key set', () => {
    const { name, provider, reason } = registry.fromEnv({});
    expect(name).toBe('simulated');
    expect(provider.name).toBe('simulated');
    expect(reason).toBe('no API key is set');
  });

  it('reads SIMULATED_TTFT_MS, SIMULATED_TOKENS_PER_SECOND and SIMULATED_MODEL', async () => {
    vi.useFakeTimers();
    try {
      const provider = registry.create('simulated', {
        SIMULATED_TTFT_MS: '5000',
        SIMULATED_TOKENS_PER_SECOND: '0',
        SIMULATED_MODEL: 'sim-x',
      });
      expect(provider.defaultModel).toBe('sim-x');
      const types: string[] = [];
      const subscribedAt = Date.now();
      const subscription = provider.stream(request).subscribe((chunk) => types.push(chunk.type));
      await vi.advanceTimersByTimeAsync(4999);
      expect(types.filter((type) => type === 'text')).toEqual([]);
      // No pacing after the first chunk: only timer turns (1 ms each in fake time) separate the chunks, where the
      // default pacing would spread them over seconds.
      await vi.runAllTimersAsync();
      expect(Date.now() - subscribedAt).toBeLessThan(5200);
      expect(types.filter((type) => type === 'text').length).toBeGreaterThan(10);
      expect(types.at(-1)).toBe('finish');
      subscription.unsubscribe();
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects a malformed number with a message naming the variable', () => {
    expect(() => registry.create('simulated', { SIMULATED_TTFT_MS: 'soon' })).toThrow(/SIMULATED_TTFT_MS/);
  });
});
