import type { Chunk, FinishReason } from '@rxllm/core';
import { type ResponsesUsage, usageFromResponses } from './usage.js';

/**
 * One event of a Responses API stream, loosely typed: the fields the mapper reads (`openai`'s
 * `ResponseStreamEvent` names them all; compatible servers may leave some out).
 *
 * @example
 * ```ts
 * const event: ResponsesStreamEvent = { type: 'response.output_text.delta', delta: 'Hi', output_index: 0, item_id: 'msg_1' };
 * ```
 */
export interface ResponsesStreamEvent {
  type?: string;
  sequence_number?: number;
  delta?: string | null;
  output_index?: number;
  item_id?: string;
  summary_index?: number;
  item?: { id?: string; type?: string; call_id?: string; name?: string; arguments?: string | null } | null;
  response?: {
    id?: string;
    model?: string;
    status?: string;
    output?: Array<{ type?: string }> | null;
    usage?: ResponsesUsage | null;
    incomplete_details?: { reason?: string | null } | null;
    error?: { code?: string | null; message?: string | null } | null;
  } | null;
  error?: { type?: string | null; code?: string | null; message?: string | null } | null;
  code?: string | null;
  message?: string | null;
}

/**
 * A stateful mapper from Responses API events to rxllm chunks, one per stream.
 *
 * @example
 * ```ts
 * const mapper: ResponsesMapper = createResponsesMapper({ provider: 'openai', model: 'gpt-5-mini' });
 * ```
 */
export interface ResponsesMapper {
  /** Maps one event; events after the terminal one map to nothing. */
  push(event: ResponsesStreamEvent): Chunk[];
  /** Whether `response.completed` or `response.incomplete` has arrived: without it the stream was cut short. */
  readonly ended: boolean;
}

/**
 * Names for the `start` chunk.
 *
 * @example
 * ```ts
 * createResponsesMapper({ provider: 'openai', model: 'gpt-5-mini' } satisfies ResponsesMapperOptions);
 * ```
 */
export interface ResponsesMapperOptions {
  provider: string;
  /** The requested model, used when the server's events name none. */
  model: string;
}

const nonEmpty = (value: string | null | undefined): value is string => typeof value === 'string' && value.length > 0;

const incompleteReasons: Readonly<Record<string, FinishReason>> = {
  max_output_tokens: 'length',
  content_filter: 'content-filter',
};

/**
 * The error body of an `error` event (nested `{error:{type,code,message}}` as api.openai.com sends it, or flat
 * `{code,message}` as the SDK's types describe it) or of `response.failed` (`response.error`); `undefined` for any
 * other event.
 *
 * @example
 * ```ts
 * responsesErrorBody({ type: 'error', error: { code: 'insufficient_quota', message: 'You exceeded…' } });
 * // { code: 'insufficient_quota', message: 'You exceeded…' }
 * ```
 */
export function responsesErrorBody(event: ResponsesStreamEvent): Record<string, unknown> | undefined {
  if (event.type === 'error') {
    if (event.error && typeof event.error === 'object') return { ...event.error };
    return { code: event.code ?? null, message: event.message ?? null };
  }
  if (event.type === 'response.failed') {
    return { message: 'the response failed', ...(event.response?.error ?? {}) };
  }
  return undefined;
}

/**
 * Creates the mapper from Responses API events to {@link Chunk}s:
 *
 * `response.created` → `start` (model, response id); `response.output_text.delta` → `text`;
 * `response.refusal.delta` → `text` with `providerMetadata.refusal`; `response.reasoning_summary_text.delta` and
 * `response.reasoning_text.delta` → `reasoning` (a blank line, `\n\n`, before each summary part after the first);
 * `response.output_item.added` of a `function_call` → the first
 * `tool-call` chunk (id = `call_id`, name, index = the call's position), `response.function_call_arguments.delta`
 * → the next ones; `response.completed` → `usage` + `finish` (`stop`, or `tool-calls` when function calls came);
 * `response.incomplete` → `usage` + `finish` with `length` (`max_output_tokens`) or `content-filter`. Errors
 * (`error`, `response.failed`) are the caller's: see {@link responsesErrorBody}. Other events map to nothing.
 *
 * @example
 * ```ts
 * const mapper = createResponsesMapper({ provider: 'openai', model: 'gpt-5-mini' });
 * for (const event of events) for (const chunk of mapper.push(event)) emit(chunk);
 * if (!mapper.ended) throw truncatedStreamError('openai', 'response.completed');
 * ```
 */
export function createResponsesMapper(options: ResponsesMapperOptions): ResponsesMapper {
  let started = false;
  let ended = false;
  /** Tool index by output index, in order of arrival. */
  const toolIndexes = new Map<number, number>();

  const start = (response: ResponsesStreamEvent['response']): Chunk[] => {
    if (started) return [];
    started = true;
    return [
      {
        type: 'start',
        provider: options.provider,
        model: nonEmpty(response?.model) ? response.model : options.model,
        ...(nonEmpty(response?.id) ? { id: response.id } : {}),
      },
    ];
  };

  const content = (chunk: Chunk): Chunk[] => [...start(undefined), chunk];

  const functionCallAdded = (event: ResponsesStreamEvent): Chunk[] => {
    const item = event.item;
    if (item?.type !== 'function_call') return [];
    const index = toolIndexes.size;
    toolIndexes.set(event.output_index ?? index, index);
    return content({
      type: 'tool-call',
      index,
      ...(nonEmpty(item.call_id) ? { id: item.call_id } : {}),
      ...(nonEmpty(item.name) ? { name: item.name } : {}),
      argumentsDelta: item.arguments ?? '',
    });
  };

  const argumentsDelta = (event: ResponsesStreamEvent): Chunk[] => {
    const index = toolIndexes.get(event.output_index ?? -1);
    if (index === undefined || !nonEmpty(event.delta)) return [];
    return content({ type: 'tool-call', index, argumentsDelta: event.delta });
  };

  const finish = (event: ResponsesStreamEvent, reason: FinishReason, rawReason: string): Chunk[] => {
    ended = true;
    const chunks = start(event.response);
    const usage = event.response?.usage ? usageFromResponses(event.response.usage) : {};
    if (Object.keys(usage).length > 0) chunks.push({ type: 'usage', usage });
    chunks.push({ type: 'finish', reason, rawReason });
    return chunks;
  };

  const completed = (event: ResponsesStreamEvent): Chunk[] => {
    const calls = toolIndexes.size > 0 || (event.response?.output ?? []).some((item) => item.type === 'function_call');
    return finish(event, calls ? 'tool-calls' : 'stop', event.response?.status ?? 'completed');
  };

  const incomplete = (event: ResponsesStreamEvent): Chunk[] => {
    const raw = event.response?.incomplete_details?.reason ?? 'incomplete';
    return finish(
      event,
      Object.hasOwn(incompleteReasons, raw) ? (incompleteReasons[raw] as FinishReason) : 'other',
      raw,
    );
  };

  const handlers: Readonly<Record<string, (event: ResponsesStreamEvent) => Chunk[]>> = {
    'response.created': (event) => start(event.response),
    'response.output_text.delta': (event) =>
      nonEmpty(event.delta) ? content({ type: 'text', text: event.delta }) : [],
    'response.refusal.delta': (event) =>
      nonEmpty(event.delta) ? content({ type: 'text', text: event.delta, providerMetadata: { refusal: true } }) : [],
    // Summary parts are paragraphs of their own (each opens with its own heading): keep them apart in the text.
    'response.reasoning_summary_part.added': (event) =>
      (event.summary_index ?? 0) > 0 ? content({ type: 'reasoning', text: '\n\n' }) : [],
    'response.reasoning_summary_text.delta': (event) =>
      nonEmpty(event.delta) ? content({ type: 'reasoning', text: event.delta }) : [],
    'response.reasoning_text.delta': (event) =>
      nonEmpty(event.delta) ? content({ type: 'reasoning', text: event.delta }) : [],
    'response.output_item.added': functionCallAdded,
    'response.function_call_arguments.delta': argumentsDelta,
    'response.completed': completed,
    'response.incomplete': incomplete,
  };

  return {
    get ended() {
      return ended;
    },
    push(event) {
      if (ended || event.type === undefined || !Object.hasOwn(handlers, event.type)) return [];
      return (handlers[event.type] as (event: ResponsesStreamEvent) => Chunk[])(event);
    },
  };
}
