import { type Chunk, LLMError } from '@rxllm/core';
import { concat, Observable, of, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ofType, streamOutcome, texts } from './stream-outcome.js';

const start: Chunk = { type: 'start', provider: 'gemini', model: 'm' };
const hello: Chunk = { type: 'text', text: 'Hel' };
const chunks: Chunk[] = [
  start,
  hello,
  { type: 'reasoning', text: 'hmm' },
  { type: 'text', text: 'lo' },
  { type: 'finish', reason: 'stop' },
];

describe('streamOutcome', () => {
  it('resolves with every chunk and no error when the stream completes', async () => {
    await expect(streamOutcome(of(...chunks))).resolves.toEqual({ chunks, error: undefined });
  });

  it('resolves with the chunks before the error, and the error, when the stream fails', async () => {
    const failure = new LLMError({ kind: 'network', provider: 'gemini', message: 'connection reset' });
    const outcome = await streamOutcome(
      concat(
        of(...chunks.slice(0, 2)),
        throwError(() => failure),
      ),
    );
    expect(outcome.chunks).toEqual(chunks.slice(0, 2));
    expect(outcome.error).toBe(failure);
  });

  it('subscribes once and waits for a later end', async () => {
    let subscriptions = 0;
    const source = new Observable<Chunk>((subscriber) => {
      subscriptions += 1;
      subscriber.next(start);
      const pending = setTimeout(() => {
        subscriber.next(hello);
        subscriber.complete();
      }, 5);
      return () => clearTimeout(pending);
    });
    const outcome = await streamOutcome(source);
    expect(subscriptions).toBe(1);
    expect(outcome).toEqual({ chunks: chunks.slice(0, 2), error: undefined });
  });
});

describe('texts and ofType', () => {
  it('pick the text of text chunks, and the chunks of one type, in order', () => {
    expect(texts(chunks)).toEqual(['Hel', 'lo']);
    expect(ofType(chunks, 'reasoning')).toEqual([{ type: 'reasoning', text: 'hmm' }]);
    expect(ofType(chunks, 'usage')).toEqual([]);
  });
});
