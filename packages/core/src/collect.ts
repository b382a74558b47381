import { filter, lastValueFrom, map, type Observable, type OperatorFunction, reduce } from 'rxjs';
import type { Chunk, FinishReason, TextChunk, Usage } from './chunk.js';
import { LLMError } from './errors.js';
import type { Provider } from './provider.js';
import type { CompletionRequest } from './request.js';

/** A tool call assembled from its streamed fragments. */
export interface CollectedToolCall {
  index: number;
  id?: string;
  name?: string;
  /** JSON text, the concatenation of every `argumentsDelta`. */
  arguments: string;
}

/** A whole completion, as `complete()` returns it. */
export interface Completion {
  text: string;
  reasoning: string;
  toolCalls: CollectedToolCall[];
  usage: Usage | undefined;
  finishReason: FinishReason | undefined;
  rawFinishReason: string | undefined;
  provider: string | undefined;
  model: string | undefined;
  id: string | undefined;
  chunks: number;
}

/**
 * A completion with nothing in it yet: the seed of {@link applyChunk} folds.
 *
 * @example
 * ```ts
 * const completion = chunks.reduce(applyChunk, emptyCompletion());
 * ```
 */
export function emptyCompletion(): Completion {
  return {
    text: '',
    reasoning: '',
    toolCalls: [],
    usage: undefined,
    finishReason: undefined,
    rawFinishReason: undefined,
    provider: undefined,
    model: undefined,
    id: undefined,
    chunks: 0,
  };
}

/** Folds one chunk into a completion, in place. */
export function applyChunk(completion: Completion, chunk: Chunk): Completion {
  completion.chunks += 1;
  switch (chunk.type) {
    case 'start':
      completion.provider = chunk.provider;
      completion.model = chunk.model;
      completion.id = chunk.id;
      break;
    case 'text':
      completion.text += chunk.text;
      break;
    case 'reasoning':
      completion.reasoning += chunk.text;
      break;
    case 'tool-call': {
      let call = completion.toolCalls.find((candidate) => candidate.index === chunk.index);
      if (!call) {
        call = { index: chunk.index, arguments: '' };
        completion.toolCalls.push(call);
      }
      if (chunk.id !== undefined) call.id = chunk.id;
      if (chunk.name !== undefined) call.name = chunk.name;
      call.arguments += chunk.argumentsDelta;
      break;
    }
    case 'usage':
      completion.usage = { ...completion.usage, ...chunk.usage };
      break;
    case 'finish':
      completion.finishReason = chunk.reason;
      completion.rawFinishReason = chunk.rawReason;
      break;
    case 'failover':
      // The rest of the answer, and its usage and finish, come from the provider it failed over to.
      completion.provider = chunk.to.provider;
      completion.model = chunk.to.model;
      break;
  }
  return completion;
}

/**
 * Collects a chunk stream into one {@link Completion}, emitted when the stream completes.
 *
 * @example
 * ```ts
 * provider.stream(request).pipe(collectCompletion()).subscribe(({ text, usage }) => console.log(text, usage));
 * ```
 */
export function collectCompletion(): OperatorFunction<Chunk, Completion> {
  return (source) => source.pipe(reduce(applyChunk, emptyCompletion()));
}

/**
 * The text of each `text` chunk, in order: the seed's `func(chunk string)` shape.
 *
 * @example
 * ```ts
 * provider.stream(request).pipe(textDeltas()).subscribe((text) => process.stdout.write(text));
 * ```
 */
export function textDeltas(): OperatorFunction<Chunk, string> {
  return (source) =>
    source.pipe(
      filter((chunk): chunk is TextChunk => chunk.type === 'text'),
      map((chunk) => chunk.text),
    );
}

/**
 * The whole answer text, emitted once when the stream completes.
 *
 * @example
 * ```ts
 * const text = await lastValueFrom(provider.stream(request).pipe(collectText()));
 * ```
 */
export function collectText(): OperatorFunction<Chunk, string> {
  return (source) =>
    source.pipe(
      textDeltas(),
      reduce((text, delta) => text + delta, ''),
    );
}

export interface CompleteOptions {
  /** Aborting it unsubscribes, which aborts the upstream request. */
  signal?: AbortSignal;
}

/**
 * The non-streaming call, built on `stream`: resolves with the whole completion, rejects with an `LLMError`.
 *
 * @example
 * ```ts
 * const { text, usage, finishReason } = await complete(provider, { messages: [{ role: 'user', content: 'Hi' }] });
 * ```
 */
export function complete(
  provider: Provider,
  request: CompletionRequest,
  options: CompleteOptions = {},
): Promise<Completion> {
  return lastValueFromAbortable(provider.stream(request).pipe(collectCompletion()), provider.name, options.signal);
}

function lastValueFromAbortable<T>(
  source: Observable<T>,
  providerName: string,
  signal: AbortSignal | undefined,
): Promise<T> {
  if (!signal) return lastValueFrom(source);
  return new Promise<T>((resolve, reject) => {
    let last: { value: T } | undefined;
    const onAbort = () => {
      subscription.unsubscribe();
      reject(
        new LLMError({
          kind: 'aborted',
          provider: providerName,
          message: 'the request was aborted',
          cause: signal.reason,
        }),
      );
    };
    const subscription = source.subscribe({
      next: (value) => {
        last = { value };
      },
      error: (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
      complete: () => {
        signal.removeEventListener('abort', onAbort);
        if (last) resolve(last.value);
      },
    });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
