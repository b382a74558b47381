import type { MockScript, MockUsage } from './script.js';

/**
 * One unit of a rendered body. `eventIndex` is the index of the script event that produced it, so delivery faults
 * such as `dropAfterEvents` count script events whatever the dialect: -1 for a preamble (OpenAI role delta,
 * Anthropic `message_start`), `events.length` for the terminal frames.
 */
export interface Frame {
  data: string | Uint8Array;
  eventIndex: number;
  /** Raw frames are written verbatim: never converted to CRLF. */
  raw?: boolean;
}

/** A response the dialect has decided on, before delivery faults are applied. */
export interface RenderedResponse {
  status: number;
  headers: Record<string, string>;
  frames: Frame[];
}

/** What a dialect needs to know about the request it answers. */
export interface RenderContext {
  /** Deterministic per-request sequence number (1-based), for ids. */
  sequence: number;
  /** The model the request asked for, if any. */
  requestedModel: string | undefined;
  /** The parsed request body. */
  body: unknown;
  /** Whether the client asked for a stream. */
  stream: boolean;
}

/** A fixed `created` timestamp so that snapshots are stable: 2023-11-14T22:13:20Z. */
export const FIXED_CREATED_SECONDS = 1_700_000_000;

export function paddedSequence(sequence: number): string {
  return String(sequence).padStart(6, '0');
}

/** Token counts for a script: the scripted usage, else one output token per content event and 12 input tokens. */
export function usageOf(script: MockScript): MockUsage {
  if (script.usage) return script.usage;
  const contentEvents = (script.events ?? []).filter(
    (event) => event.type === 'text' || event.type === 'reasoning' || event.type === 'tool-call',
  ).length;
  return { inputTokens: 12, outputTokens: contentEvents };
}

/** The arguments of a scripted tool call as an object (Gemini and non-streaming bodies carry parsed arguments). */
export function parsedArguments(argumentFragments: readonly string[]): Record<string, unknown> {
  const text = argumentFragments.join('');
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

export function jsonResponse(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
  indent?: number,
): RenderedResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    frames: [{ data: JSON.stringify(value, null, indent), eventIndex: 0, raw: true }],
  };
}

export const eventStreamHeaders = (contentType = 'text/event-stream; charset=utf-8'): Record<string, string> => ({
  'content-type': contentType,
  'cache-control': 'no-cache',
});

/** Splits recorded SSE bytes into events (each ending with its blank line), so `split: 'event'` replays them one by one. */
export function replayFrames(replay: string | Uint8Array): Frame[] {
  const bytes = typeof replay === 'string' ? Buffer.from(replay, 'utf8') : Buffer.from(replay);
  const frames: Frame[] = [];
  let start = 0;
  let index = 0;
  for (let position = 0; position < bytes.length; position++) {
    const separatorLength = blankLineAt(bytes, position);
    if (separatorLength > 0) {
      const end = position + separatorLength;
      frames.push({ data: bytes.subarray(start, end), eventIndex: index++, raw: true });
      start = end;
      position = end - 1;
    }
  }
  if (start < bytes.length) frames.push({ data: bytes.subarray(start), eventIndex: index, raw: true });
  return frames;
}

const LF = 0x0a;
const CR = 0x0d;

function blankLineAt(bytes: Buffer, position: number): number {
  if (
    bytes[position] === CR &&
    bytes[position + 1] === LF &&
    bytes[position + 2] === CR &&
    bytes[position + 3] === LF
  ) {
    return 4;
  }
  if (bytes[position] === LF && bytes[position + 1] === LF) return 2;
  if (bytes[position] === CR && bytes[position + 1] === CR) return 2;
  return 0;
}
