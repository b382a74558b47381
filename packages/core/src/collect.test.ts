import { concat, firstValueFrom, from, lastValueFrom, NEVER, Observable, of, throwError, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Chunk } from './chunk.js';
import { collectCompletion, collectText, complete, textDeltas } from './collect.js';
import { LLMError } from './errors.js';
import type { Provider } from './provider.js';

const chunks: Chunk[] = [
  { type: 'start', provider: 'fake', model: 'fake-1', id: 'r1' },
  { type: 'reasoning', text: 'think ' },
  { type: 'reasoning', text: 'hard' },
  { type: 'text', text: 'Once' },
  { type: 'text', text: ' upon ' },
  { type: 'text', text: 'ünïcødé 🌍' },
  { type: 'tool-call', index: 0, id: 'call_1', name: 'weather', argumentsDelta: '{"city":' },
  { type: 'tool-call', index: 0, argumentsDelta: '"Paris"}' },
  { type: 'usage', usage: { inputTokens: 3, outputTokens: 7 } },
  { type: 'finish', reason: 'tool-calls', rawReason: 'tool_calls' },
];

function fakeProvider(source: Observable<Chunk>): Provider & { subscriptions: number } {
  const provider = {
    name: 'fake',
    defaultModel: 'fake-1',
    subscriptions: 0,
    stream: () =>
      new Observable<Chunk>((subscriber) => {
        provider.subscriptions += 1;
        return source.subscribe(subscriber);
      }),
  };
  return provider;
}

describe('textDeltas and collectText', () => {
  it('agree with the text chunks, in order and unmerged', async () => {
    const deltas = await firstValueFrom(of(...chunks).pipe(textDeltas(), toArray()));
    expect(deltas).toEqual(['Once', ' upon ', 'ünïcødé 🌍']);
    expect(await lastValueFrom(of(...chunks).pipe(collectText()))).toBe(deltas.join(''));
  });

  it('collectText of a stream without text is the empty string', async () => {
    expect(await lastValueFrom(of<[Chunk]>({ type: 'finish', reason: 'stop' }).pipe(collectText()))).toBe('');
  });
});

describe('complete', () => {
  it('folds the stream into text, reasoning, tool calls, usage and finish reason', async () => {
    const provider = fakeProvider(of(...chunks));
    const completion = await complete(provider, { messages: [{ role: 'user', content: 'hi' }] });
    expect(completion).toEqual({
      text: 'Once upon ünïcødé 🌍',
      reasoning: 'think hard',
      toolCalls: [{ index: 0, id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }],
      usage: { inputTokens: 3, outputTokens: 7 },
      finishReason: 'tool-calls',
      rawFinishReason: 'tool_calls',
      provider: 'fake',
      model: 'fake-1',
      id: 'r1',
      chunks: chunks.length,
    });
    const viaOperator = await lastValueFrom(of(...chunks).pipe(collectCompletion()));
    expect(viaOperator).toEqual(completion);
  });

  it('later usage chunks update earlier ones', async () => {
    const completion = await lastValueFrom(
      from<Chunk[]>([
        { type: 'usage', usage: { inputTokens: 5 } },
        { type: 'usage', usage: { outputTokens: 9 } },
        { type: 'finish', reason: 'stop' },
      ]).pipe(collectCompletion()),
    );
    expect(completion.usage).toEqual({ inputTokens: 5, outputTokens: 9 });
  });

  it('rejects with the stream error', async () => {
    const failure = new LLMError({ kind: 'network', provider: 'fake', message: 'reset' });
    const provider = fakeProvider(
      concat(
        of(chunks[0]!, chunks[3]!),
        throwError(() => failure),
      ),
    );
    await expect(complete(provider, { messages: [] })).rejects.toBe(failure);
  });

  it('an AbortSignal unsubscribes and rejects with kind aborted', async () => {
    let unsubscribed = false;
    const provider = fakeProvider(
      new Observable<Chunk>(() => () => {
        unsubscribed = true;
      }),
    );
    const controller = new AbortController();
    const pending = complete(provider, { messages: [] }, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'LLMError', kind: 'aborted' });
    expect(unsubscribed).toBe(true);
  });

  it('an already aborted signal never waits', async () => {
    const provider = fakeProvider(NEVER);
    await expect(complete(provider, { messages: [] }, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      kind: 'aborted',
    });
  });
});
