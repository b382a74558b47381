import type { Chunk, CompletionRequest, Provider } from '@rxllm/core';
import type { Observable } from 'rxjs';

/** A provider that records its requests and answers the given streams in turn (the last one repeats). */
export interface FakeProvider extends Provider {
  readonly requests: CompletionRequest[];
}

export function fakeProvider(name: string, ...streams: Observable<Chunk>[]): FakeProvider {
  const requests: CompletionRequest[] = [];
  return {
    name,
    defaultModel: `${name}-default`,
    requests,
    stream: (request) => {
      requests.push(request);
      return streams[Math.min(requests.length - 1, streams.length - 1)]!;
    },
  };
}

/** Random numbers from a fixed list, in order; fails the test when it runs out. */
export function sequence(...values: number[]): () => number {
  let index = 0;
  return () => {
    if (index >= values.length) throw new Error('the random sequence ran out');
    return values[index++]!;
  };
}
