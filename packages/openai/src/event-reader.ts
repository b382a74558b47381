import { createSseReader, type LLMError, MAX_SSE_EVENT_CHARS } from '@rxllm/core';

/** Longest event read, in characters, unless `maxEventChars` says otherwise (8 MiB). */
export const MAX_EVENT_CHARS = MAX_SSE_EVENT_CHARS;

/** The Chat Completions event stream of one response body, read as it arrives. */
export interface EventReader {
  /** Parses one network read; returns the data of the events it completed, in order (JSON text to be parsed). */
  feed(bytes: Uint8Array): string[];
  /** The body has ended: returns the data of an event it ended on without the closing blank line. */
  end(): string[];
  /** Whether `data: [DONE]` has arrived (events after it are ignored, as the SDK does). */
  sawDone(): boolean;
  /** Set once an event has outgrown the limit: the stream has failed after the events returned so far. */
  readonly error: LLMError | undefined;
}

/**
 * The Chat Completions view of `@rxllm/core`'s `createSseReader`: the same rules as the `openai` SDK's own parser, a
 * payload starting with `[DONE]` ends the stream and nothing after it counts; every other payload is JSON text.
 *
 * @example
 * ```ts
 * const events = createEventReader('openai');
 * for await (const bytes of response.body) {
 *   for (const data of events.feed(bytes)) handle(JSON.parse(data));
 *   if (events.error) throw events.error;
 * }
 * for (const data of events.end()) handle(JSON.parse(data));
 * if (!events.sawDone()) throw truncatedStreamError('openai', 'data: [DONE]');
 * ```
 */
export function createEventReader(provider: string, maxEventChars: number = MAX_EVENT_CHARS): EventReader {
  const reader = createSseReader({ provider, maxEventChars });
  let done = false;
  const payloads = (events: ReadonlyArray<{ data: string }>): string[] => {
    const data: string[] = [];
    for (const event of events) {
      if (done) break;
      if (event.data.startsWith('[DONE]')) done = true;
      else data.push(event.data);
    }
    return data;
  };
  return {
    get error() {
      return reader.error;
    },
    feed: (bytes) => payloads(reader.feed(bytes)),
    end: () => payloads(reader.end()),
    sawDone: () => done,
  };
}
