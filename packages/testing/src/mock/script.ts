/**
 * The script language of the mock upstream: one vendor-neutral description of a response that the mock renders in
 * the wire dialect of whichever vendor the request came for (decided by its path: `/v1/chat/completions` → OpenAI,
 * `/v1/responses` → the OpenAI Responses API, `/v1/messages` → Anthropic, `…:streamGenerateContent` /
 * `…:generateContent` → Gemini).
 */

/** One event of a scripted stream, rendered in the vendor's own shape. */
export type MockEvent =
  /** Answer text. OpenAI `delta.content`; Anthropic `text_delta` in a text block; Gemini a text part. */
  | { type: 'text'; text: string }
  /**
   * Reasoning text. OpenAI-compatible `delta.reasoning_content`; Anthropic `thinking_delta` in a thinking block
   * (then `signature_delta` when `signature` is given); Gemini a part with `thought: true` (and `thoughtSignature`).
   */
  | { type: 'reasoning'; text: string; signature?: string }
  /**
   * A tool call whose JSON arguments stream in `argumentFragments`. OpenAI: first fragment with id/name, later ones with
   * index + arguments; Anthropic: a `tool_use` block with `input_json_delta`s; Gemini: one `functionCall` part with the
   * parsed arguments (Gemini does not stream arguments).
   */
  | { type: 'tool-call'; id: string; name: string; argumentFragments: string[] }
  /** A comment / keep-alive between events: `: ping` for OpenAI, an `event: ping` for Anthropic. Gemini: rejected by the SDK. */
  | { type: 'comment'; text?: string }
  /**
   * An error inside the 200 stream. OpenAI `data: {"error":{…}}`; Anthropic `event: error`; Gemini `data: {"error":{…}}`.
   * `status` picks the vendor error type (429 rate limit, 500 server error, 529 overloaded, …).
   */
  | { type: 'error'; status: number; message?: string }
  /** Raw bytes written as they are, for cases the renderer does not cover. */
  | { type: 'raw'; data: string | Uint8Array };

/** Token counts the mock reports in each vendor's usage fields. Example: `{ inputTokens: 12, outputTokens: 30 }`. */
export interface MockUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  reasoningTokens?: number;
}

/** How the bytes of a response reach the socket. Every field is optional; the defaults are a well-behaved server. */
export interface MockDelivery {
  /** Wait before the status line and headers. */
  headersDelayMs?: number;
  /** Wait after the headers, before the first body byte. */
  firstByteDelayMs?: number;
  /** Wait between events. */
  eventDelayMs?: number;
  /**
   * How the body is cut into writes: `'event'` (default, one write per event), `'one-write'` (the whole body in one
   * write), a number (every N bytes, so splits fall inside UTF-8 characters too), or explicit byte offsets.
   */
  split?: 'event' | 'one-write' | number | number[];
  /** Line endings: `'lf'` (default for OpenAI/Anthropic) or `'crlf'` (the default for Gemini, as Google sends it). */
  lineEnding?: 'lf' | 'crlf';
  /** After this many events, stop writing and close the socket abruptly (a dropped connection, no terminal event). */
  dropAfterEvents?: number;
  /** After this many events, stop writing and keep the socket open forever (a stall), until the client goes away. */
  stallAfterEvents?: number;
}

/**
 * One response, described once and rendered in the dialect of whichever vendor the request came for.
 *
 * @example
 * ```ts
 * mock.enqueue({
 *   events: [{ type: 'text', text: 'Hel' }, { type: 'text', text: 'lo' }],
 *   usage: { inputTokens: 3, outputTokens: 2 },
 *   delivery: { split: 1, eventDelayMs: 5 },
 * });
 * mock.enqueue({ httpError: { status: 429, headers: { 'retry-after-ms': '20' } } });
 * ```
 */
export interface MockScript {
  /** Model id echoed in the response (defaults to the requested model). */
  model?: string;
  /** Response id (`chatcmpl-…`, `msg_…`, Gemini `responseId`); defaults to a deterministic id. */
  id?: string;
  events?: MockEvent[];
  usage?: MockUsage;
  /**
   * The vendor's own finish reason (`stop`, `length`, `tool_calls`, `content_filter`; `end_turn`, `max_tokens`,
   * `tool_use`, `refusal`; `STOP`, `MAX_TOKENS`, `SAFETY`, `RECITATION`, …; for the Responses API `max_output_tokens`
   * or `content_filter`, which end with `response.incomplete`). Defaults to the vendor's normal stop,
   * or its tool-call reason when the events contain a tool call.
   */
  finishReason?: string;
  /** Gemini only: a prompt block (`promptFeedback.blockReason`), sent as the only chunk. */
  promptBlockReason?: string;
  /**
   * End the stream without the vendor's terminal event (no `[DONE]`, no `message_stop`, no Gemini `finishReason`)
   * and close cleanly: a truncated response.
   */
  omitTerminal?: boolean;
  /** Reply with an HTTP error instead of a stream, with the vendor's error body. */
  httpError?: {
    status: number;
    message?: string;
    /** Extra response headers, e.g. `{ 'retry-after-ms': '20' }` or `{ 'retry-after': '1' }`. */
    headers?: Record<string, string>;
    /** A body to send verbatim instead of the vendor-shaped one. */
    body?: string;
  };
  /** Replay these bytes verbatim as the body (a recorded capture); `events` and the rest are ignored. */
  replay?: string | Uint8Array;
  /** Extra response headers on a successful reply. */
  headers?: Record<string, string>;
  delivery?: MockDelivery;
}

/** What the mock recorded of one request. */
export interface RecordedRequest {
  /** 0-based order of arrival. */
  index: number;
  method: string;
  /** Path with query string, e.g. `/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`. */
  path: string;
  vendor: 'openai' | 'anthropic' | 'gemini' | 'unknown';
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (or the raw text if it was not JSON). */
  body: unknown;
  /**
   * Why the mock refused the request body as the vendor would (a 400 in the vendor's error shape), e.g.
   * `messages.0.content.1.image_url.url: Invalid input`; absent for a request of the vendor's exact shape.
   */
  rejected?: string;
  /** `performance.now()` when the request arrived. */
  receivedAt: number;
  /** `performance.now()` when the response finished normally, if it did. */
  finishedAt?: number;
  /** `performance.now()` when the connection closed before the response finished (the client aborted). */
  closedEarlyAt?: number;
  /** `performance.now()` when the mock itself cut the connection (`dropAfterEvents`). */
  droppedAt?: number;
  /** Resolves when the connection has closed, either way. */
  closed: Promise<void>;
}
