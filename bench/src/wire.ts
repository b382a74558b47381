/**
 * Precomputed SSE bytes for the bench upstream, in the OpenAI Chat Completions and Anthropic Messages dialects
 * (shapes from `/work/shared/reference/WIRE.md`). Every text piece starts with {@link TEXT_MARKER} so the load client
 * can spot a text event in any gateway's output (OpenAI-compatible `content`, the agent's `text` chunk) without
 * parsing JSON.
 */

/** Appears once in every text event and nowhere else in any stream. */
export const TEXT_MARKER = 'xq';

const WORDS = [
  'Lorem',
  'ipsum',
  'dolor',
  'sit',
  'amet',
  'consectetur',
  'adipiscing',
  'elit',
  'sed',
  'do',
  'eiusmod',
  'tempor',
];

/** The text of the `index`-th text event (a realistic token: 4–12 bytes). */
export function textPiece(index: number): string {
  return `${TEXT_MARKER}${WORDS[index % WORDS.length]} `;
}

/** What the bench upstream reads from the `model` field: `bench-<textEvents>-<delayMs>`, e.g. `bench-32-0`. */
export interface StreamShape {
  textEvents: number;
  delayMs: number;
}

export function modelFor(shape: StreamShape): string {
  return `bench-${shape.textEvents}-${shape.delayMs}`;
}

export function shapeFromModel(model: unknown, fallback: StreamShape): StreamShape {
  if (typeof model !== 'string') return fallback;
  const match = /^bench-(\d+)-(\d+)$/.exec(model);
  if (!match) return fallback;
  return { textEvents: Number(match[1]), delayMs: Number(match[2]) };
}

/** A whole stream as three parts: events before the text, a cycle of text events, events after the text. */
export interface StreamBytes {
  head: Buffer[];
  /** Text events repeat this cycle (distinct words, identical framing), so a 1M-event stream costs no memory. */
  textCycle: Buffer[];
  tail: Buffer[];
}

const CYCLE = 12;

function sse(data: string, event?: string): Buffer {
  return Buffer.from(event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`);
}

export function openAIStream(model: string, includeUsage: boolean, textEvents: number): StreamBytes {
  const base = `"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1764000000,"model":${JSON.stringify(model)},"system_fingerprint":"fp_bench"`;
  const choice = (delta: string, finish: string | null) =>
    `{${base},"choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish === null ? 'null' : JSON.stringify(finish)}}]}`;
  const head = [sse(choice('{"role":"assistant","content":"","refusal":null}', null))];
  const textCycle = Array.from({ length: CYCLE }, (_, index) =>
    sse(choice(`{"content":${JSON.stringify(textPiece(index))}}`, null)),
  );
  const tail = [sse(choice('{}', 'stop'))];
  if (includeUsage) {
    tail.push(
      sse(
        `{${base},"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":${textEvents},"total_tokens":${12 + textEvents}}}`,
      ),
    );
  }
  tail.push(sse('[DONE]'));
  return { head, textCycle, tail };
}

export function anthropicStream(model: string, textEvents: number): StreamBytes {
  const head = [
    sse(
      `{"type":"message_start","message":{"model":${JSON.stringify(model)},"id":"msg_bench","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1,"service_tier":"standard"}}}`,
      'message_start',
    ),
    sse('{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}', 'content_block_start'),
  ];
  const textCycle = Array.from({ length: CYCLE }, (_, index) =>
    sse(
      `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(textPiece(index))}}}`,
      'content_block_delta',
    ),
  );
  const tail = [
    sse('{"type":"content_block_stop","index":0}', 'content_block_stop'),
    sse(
      `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":${textEvents}}}`,
      'message_delta',
    ),
    sse('{"type":"message_stop"}', 'message_stop'),
  ];
  return { head, textCycle, tail };
}
