import { LLMError } from '@rxllm/core';
import { createParser } from 'eventsource-parser';

/**
 * Longest event the reader buffers, in characters (8 MiB): far above any Chat Completions event, low enough that a
 * server that never ends its event cannot grow the process without bound.
 */
export const MAX_EVENT_CHARS = 8 * 1024 * 1024;

/** The Chat Completions event stream of one response body, read as it arrives. */
export interface EventReader {
  /** Parses one network read; returns the data of the events it completed, in order (JSON text to be parsed). */
  feed(bytes: Uint8Array): string[];
  /** Set once an event has outgrown the limit: the stream has failed after the events returned so far. */
  readonly error: LLMError | undefined;
  /** The body has ended: a `data: [DONE]` line the server closed on without the blank line still counts. */
  end(): void;
  /** Whether `data: [DONE]` has arrived (events after it are ignored, as the SDK does). */
  sawDone(): boolean;
}

/**
 * Parses a Chat Completions SSE body with `eventsource-parser` (CR, LF and CRLF line ends, comments, multi-line data,
 * split UTF-8 across reads). The same rules as the `openai` SDK's own parser: a payload starting with `[DONE]` ends
 * the stream and nothing after it counts. One event over `maxEventChars` sets {@link EventReader.error} (a `network`
 * error) rather than growing the buffer.
 *
 * @example
 * ```ts
 * const events = createEventReader('openai');
 * for await (const bytes of response.body) {
 *   for (const data of events.feed(bytes)) handle(JSON.parse(data));
 *   if (events.error) throw events.error;
 * }
 * events.end();
 * if (!events.sawDone()) throw truncatedStreamError('openai', 'data: [DONE]');
 * ```
 */
export function createEventReader(provider: string, maxEventChars: number = MAX_EVENT_CHARS): EventReader {
  const decoder = new TextDecoder();
  let done = false;
  let ended = false;
  let parsed: string[] = [];
  let error: LLMError | undefined;
  const parser = createParser({
    maxBufferSize: maxEventChars,
    onEvent: ({ data }) => {
      if (done) return;
      if (data.startsWith('[DONE]')) {
        done = true;
        return;
      }
      // At the end only the terminator is taken from an event left open; anything else there was cut off.
      if (!ended) parsed.push(data);
    },
    onError: (parseError) => {
      if (parseError.type !== 'max-buffer-size-exceeded') return;
      error ??= new LLMError({
        kind: 'network',
        provider,
        message: `${provider} sent an event longer than ${maxEventChars} characters`,
      });
    },
  });
  return {
    get error() {
      return error;
    },
    feed(bytes) {
      if (error) return [];
      parser.feed(decoder.decode(bytes, { stream: true }));
      const events = parsed;
      parsed = [];
      return events;
    },
    end() {
      if (error) return;
      parser.feed(decoder.decode());
      ended = true;
      // A blank line: dispatches an event whose last line was complete (`data: [DONE]\n` and then EOF).
      parser.feed('\n');
    },
    sawDone: () => done,
  };
}
