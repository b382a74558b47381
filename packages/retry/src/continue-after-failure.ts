import {
  type Chunk,
  type CompletionRequest,
  type FailoverChunk,
  isContentChunk,
  LLMError,
  type Provider,
} from '@rxllm/core';
import { Observable, type SchedulerLike, type Subscription } from 'rxjs';

/** The user turn that asks a provider without prefill to go on from a partial answer. */
export const CONTINUE_PROMPT =
  'Your previous reply was cut off after the text above. Continue it exactly from where it stopped: do not repeat ' +
  'anything, do not comment on the interruption.';

/** One provider in a continuing chain, with the model to ask it for. */
export interface ChainEntry {
  provider: Provider;
  model?: string;
}

/** How {@link continueAfterFailure} moves on. */
export interface ContinueOptions {
  shouldFallback: (error: unknown) => boolean;
  /** Which providers take the partial answer as the start of their own reply; the others get it as context. */
  prefill: (provider: Provider) => boolean;
  scheduler: SchedulerLike;
}

function entryRequest(entry: ChainEntry, request: CompletionRequest): CompletionRequest {
  return entry.model === undefined ? request : { ...request, model: entry.model };
}

/**
 * The request that asks `entry` to go on from `partial`: as a prefill (a last assistant turn, which Anthropic
 * continues; it refuses trailing whitespace there, so that is trimmed) or as context (the partial answer, then a
 * user turn asking to continue it).
 */
function continuation(
  entry: ChainEntry,
  request: CompletionRequest,
  partial: string,
  prefill: boolean,
): CompletionRequest {
  const messages = prefill
    ? [...request.messages, { role: 'assistant' as const, content: partial.trimEnd() }]
    : [
        ...request.messages,
        { role: 'assistant' as const, content: partial },
        { role: 'user' as const, content: CONTINUE_PROMPT },
      ];
  return entryRequest(entry, { ...request, messages });
}

const failureOf = (error: unknown) =>
  LLMError.isInstance(error)
    ? { kind: error.kind, message: error.message }
    : { kind: 'unknown', message: error instanceof Error ? error.message : String(error) };

/**
 * Asks `entries` in turn: a failure before the first content chunk moves to the next entry (its `start` held until
 * content, so only the answering one's shows), and so does a failure after it, where the next entry is asked to
 * continue the partial answer (see {@link CONTINUE_PROMPT}), its own `start` dropped and a `failover` chunk emitted
 * before its first content. A failure after a tool call has streamed, or one `shouldFallback` refuses, is passed
 * on. Cold; unsubscribing aborts the attempt in flight.
 */
export function continueAfterFailure(
  entries: readonly ChainEntry[],
  request: CompletionRequest,
  options: ContinueOptions,
): Observable<Chunk> {
  return new Observable<Chunk>((subscriber) => {
    let partial = '';
    let toolCalls = false;
    let answering: FailoverChunk['from'] | undefined;
    let failure: Pick<FailoverChunk, 'from' | 'reason'> | undefined;
    let attempt: Subscription | undefined;
    let pause: Subscription | undefined;
    let trimLeading = false;

    const pass = (chunk: Chunk) => {
      if (chunk.type === 'text') {
        if (trimLeading) {
          trimLeading = false;
          const text = chunk.text.trimStart();
          if (text === '') return;
          chunk = { ...chunk, text };
        }
        partial += chunk.text;
      } else if (chunk.type === 'tool-call') toolCalls = true;
      subscriber.next(chunk);
    };

    const run = (index: number) => {
      pause = undefined;
      const entry = entries[index] as ChainEntry;
      const prefill = options.prefill(entry.provider);
      const attemptRequest = failure ? continuation(entry, request, partial, prefill) : entryRequest(entry, request);
      let held: Chunk[] = [];
      let content = false;
      let to: FailoverChunk['to'] | undefined;
      const marker = (): FailoverChunk => ({
        type: 'failover',
        ...(failure as Pick<FailoverChunk, 'from' | 'reason'>),
        to: to ?? { provider: entry.provider.name, model: attemptRequest.model ?? entry.provider.defaultModel },
        mode: prefill ? 'prefill' : 'context',
      });
      attempt = entry.provider.stream(attemptRequest).subscribe({
        next: (chunk) => {
          if (content) return pass(chunk);
          if (!isContentChunk(chunk)) {
            if (chunk.type === 'start') to = { provider: chunk.provider, model: chunk.model };
            held.push(chunk);
            return;
          }
          content = true;
          const before = held;
          held = [];
          if (failure) {
            subscriber.next(marker());
            for (const chunk of before) if (chunk.type !== 'start') subscriber.next(chunk);
            trimLeading = prefill && /\s$/.test(partial);
            failure = undefined;
          } else {
            for (const chunk of before) subscriber.next(chunk);
          }
          answering = to ?? {
            provider: entry.provider.name,
            model: attemptRequest.model ?? entry.provider.defaultModel,
          };
          pass(chunk);
        },
        error: (error: unknown) => {
          const hasNext = index + 1 < entries.length && options.shouldFallback(error);
          // A tool call cut in the middle cannot be continued as text: the failure stands.
          if (!hasNext || (content && toolCalls)) {
            subscriber.error(error);
            return;
          }
          if (content) failure = { from: answering as FailoverChunk['from'], reason: failureOf(error) };
          pause = options.scheduler.schedule(() => run(index + 1), 0);
        },
        complete: () => {
          // A continuation with nothing to add still says that another provider finished the answer.
          if (failure) subscriber.next(marker());
          for (const chunk of held) if (!(failure && chunk.type === 'start')) subscriber.next(chunk);
          subscriber.complete();
        },
      });
    };

    run(0);
    return () => {
      attempt?.unsubscribe();
      pause?.unsubscribe();
    };
  });
}
