import { type Chunk, type FinishReason, isToolLoopChunk, type Usage } from '@rxllm/core';
import type { AgentEvent, ErrorPayload, NumberedEvent } from '@rxllm/protocol';
// `event: <type>` + `data:` is the framing of Anthropic's stream and of this one alike.
import { encodeMessageEvent } from '../anthropic/event-encoding.js';
import { openAIErrorBody } from '../openai/errors.js';
import type { ResponseEcho } from './request.js';

/** What every event and body of one reply repeats. */
export interface ResponseIdentity {
  /** `resp_…`; item ids are built from it (`msg_…`, `rs_…`, `fc_…`). */
  id: string;
  /** Unix seconds. */
  createdAt: number;
  /** The model the client asked for (or the one chosen). */
  model: string;
  /** `reasoning.effort` as the client sent it. */
  reasoningEffort: string | null;
  echo: ResponseEcho;
}

interface OutputText {
  type: 'output_text';
  annotations: [];
  logprobs: [];
  text: string;
}

/** One item of a `Response`'s `output`, as the non-streaming body and the SDK's `finalResponse()` hold it. */
export type OutputItem =
  | { id: string; type: 'message'; status: ItemStatus; content: OutputText[]; role: 'assistant' }
  | { id: string; type: 'reasoning'; summary: Array<{ type: 'summary_text'; text: string }> }
  | { id: string; type: 'function_call'; status: ItemStatus; arguments: string; call_id: string; name: string };

type ItemStatus = 'in_progress' | 'completed' | 'incomplete';
type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** One Responses stream event: the `event:` name is its `type`; every event has the next `sequence_number`. */
export type ResponseStreamEvent = { type: string; sequence_number: number } & Record<string, unknown>;

const incompleteReasons: Partial<Record<FinishReason, string>> = {
  length: 'max_output_tokens',
  'content-filter': 'content_filter',
};

/** `response.failed`'s `error.code` (an enum in the SDK's `ResponseError`). */
function failureCode(kind: string): string {
  if (kind === 'rate-limit') return 'rate_limit_exceeded';
  if (kind === 'invalid-request' || kind === 'content-filter') return 'invalid_prompt';
  return 'server_error';
}

/**
 * The Responses `usage` object from the core's counts, as the vendor reported them; the `*_details` counts are 0
 * when the provider reported none (the SDK types them as always present).
 *
 * @example
 * ```ts
 * responseUsage({ inputTokens: 12, outputTokens: 30, cachedInputTokens: 4 });
 * // { input_tokens: 12, input_tokens_details: { cached_tokens: 4 }, output_tokens: 30,
 * //   output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 42 }
 * ```
 */
export function responseUsage(usage: Usage) {
  const input = usage.inputTokens ?? 0;
  const output = usage.outputTokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: usage.totalTokens ?? input + output,
  };
}

/**
 * Turns one reply's agent events into OpenAI Responses stream events, and keeps the `Response` they add up to.
 * The first event → `response.created` and `response.in_progress`; `text` → a `message` item (`output_item.added`,
 * `content_part.added`, `output_text.delta`s); `reasoning` → a `reasoning` item with one summary part
 * (`reasoning_summary_part.added`, `reasoning_summary_text.delta`s); `tool-call` → a `function_call` item per call
 * (`function_call_arguments.delta`s). An item closes (its `.done` events, then `output_item.done`) when a chunk of
 * another item arrives or at the end; `done` → `response.completed`, or `response.incomplete` with
 * `incomplete_details` for a length or content-filter stop; `error` → an `error` event and `response.failed`.
 *
 * @example
 * ```ts
 * const assembler = new ResponseAssembler(identity);
 * assembler.push({ type: 'text', text: 'Hi' }); // created, in_progress, output_item.added, content_part.added, delta
 * assembler.response(); // { id: 'resp_1', object: 'response', status: 'in_progress', output: [{ type: 'message', … }], … }
 * ```
 */
export class ResponseAssembler {
  private readonly output: OutputItem[] = [];
  /** Output index of each tool call, by the chunk's call index. */
  private readonly calls = new Map<number, number>();
  private open: number | undefined;
  private sequence = 0;
  private started = false;
  private status: ResponseStatus = 'in_progress';
  private usage: Usage | undefined;
  private finish: FinishReason | undefined;
  private failure: ErrorPayload | undefined;

  constructor(private readonly identity: ResponseIdentity) {}

  /** The stream events of one agent event, in order. */
  push(event: AgentEvent): ResponseStreamEvent[] {
    if (event.type === 'error') return [...this.ensureStarted(), ...this.fail(event.error)];
    if (event.type === 'done') return [...this.ensureStarted(), ...this.closeItem(), ...this.end()];
    if (event.type === 'object' || isToolLoopChunk(event)) return [];
    return [...this.ensureStarted(), ...this.chunk(event)];
  }

  /** The `Response` object as it stands (the whole reply after `done`). */
  response() {
    const { id, createdAt, model, reasoningEffort, echo } = this.identity;
    const incomplete = this.status === 'incomplete' ? incompleteReasons[this.finish ?? 'length'] : undefined;
    return {
      id,
      object: 'response',
      created_at: createdAt,
      status: this.status,
      ...(this.status === 'completed' ? { completed_at: Math.floor(Date.now() / 1000) } : {}),
      background: false,
      error: this.failure ? { code: failureCode(this.failure.kind), message: this.failure.message } : null,
      incomplete_details: incomplete ? { reason: incomplete } : null,
      instructions: echo.instructions,
      max_output_tokens: echo.maxOutputTokens,
      max_tool_calls: null,
      model,
      output: structuredClone(this.output),
      parallel_tool_calls: echo.parallelToolCalls,
      previous_response_id: null,
      reasoning: { effort: reasoningEffort, summary: null },
      store: false,
      temperature: echo.temperature,
      text: { format: echo.textFormat },
      tool_choice: echo.toolChoice,
      tools: echo.tools,
      top_p: echo.topP,
      truncation: 'disabled',
      usage: this.usage ? responseUsage(this.usage) : null,
      user: echo.user,
      metadata: echo.metadata,
    };
  }

  private emit(type: string, fields: Record<string, unknown>): ResponseStreamEvent {
    const event = { type, sequence_number: this.sequence, ...fields };
    this.sequence += 1;
    return event;
  }

  private ensureStarted(): ResponseStreamEvent[] {
    if (this.started) return [];
    this.started = true;
    return [
      this.emit('response.created', { response: this.response() }),
      this.emit('response.in_progress', { response: this.response() }),
    ];
  }

  private chunk(chunk: Chunk): ResponseStreamEvent[] {
    switch (chunk.type) {
      case 'start':
      // No Responses event says so: the output items just go on.
      case 'failover':
        return [];
      case 'text':
        return chunk.text === '' ? [] : this.textDelta(chunk.text);
      case 'reasoning':
        return chunk.text === '' ? [] : this.reasoningDelta(chunk.text);
      case 'tool-call':
        return this.toolCall(chunk);
      case 'usage':
        this.usage = { ...this.usage, ...chunk.usage };
        return [];
      case 'finish':
        this.finish = chunk.reason;
        return [];
    }
  }

  private itemId(prefix: string, index: number): string {
    return `${prefix}_${this.identity.id.replace(/^resp_/, '')}${index}`;
  }

  /** Opens `item` as the next output item (closing the open one first). */
  private openItem(item: OutputItem, extra: ResponseStreamEvent[] = []): ResponseStreamEvent[] {
    const events = this.closeItem();
    const outputIndex = this.output.length;
    this.output.push(item);
    this.open = outputIndex;
    const added = structuredClone(item);
    if (added.type === 'message') added.content = [];
    if (added.type === 'reasoning') added.summary = [];
    events.push(this.emit('response.output_item.added', { output_index: outputIndex, item: added }), ...extra);
    return events;
  }

  /** The open item if it is of `type`. */
  private openOf<TType extends OutputItem['type']>(type: TType) {
    const item = this.open === undefined ? undefined : this.output[this.open];
    return item?.type === type ? (item as Extract<OutputItem, { type: TType }>) : undefined;
  }

  private textDelta(delta: string): ResponseStreamEvent[] {
    const events: ResponseStreamEvent[] = [];
    let message = this.openOf('message');
    if (!message) {
      const part: OutputText = { type: 'output_text', annotations: [], logprobs: [], text: '' };
      const id = this.itemId('msg', this.output.length);
      message = { id, type: 'message', status: 'in_progress', content: [part], role: 'assistant' };
      events.push(...this.openItem(message));
      const where = { item_id: id, output_index: this.open, content_index: 0 };
      events.push(this.emit('response.content_part.added', { ...where, part: { ...part } }));
    }
    (message.content[0] as OutputText).text += delta;
    const where = { item_id: message.id, output_index: this.open, content_index: 0 };
    events.push(this.emit('response.output_text.delta', { ...where, delta, logprobs: [] }));
    return events;
  }

  private reasoningDelta(delta: string): ResponseStreamEvent[] {
    const events: ResponseStreamEvent[] = [];
    let reasoning = this.openOf('reasoning');
    if (!reasoning) {
      const id = this.itemId('rs', this.output.length);
      reasoning = { id, type: 'reasoning', summary: [{ type: 'summary_text', text: '' }] };
      events.push(...this.openItem(reasoning));
      const where = { item_id: id, output_index: this.open, summary_index: 0 };
      events.push(
        this.emit('response.reasoning_summary_part.added', { ...where, part: { type: 'summary_text', text: '' } }),
      );
    }
    (reasoning.summary[0] as { text: string }).text += delta;
    const where = { item_id: reasoning.id, output_index: this.open, summary_index: 0 };
    events.push(this.emit('response.reasoning_summary_text.delta', { ...where, delta }));
    return events;
  }

  private toolCall(chunk: Extract<Chunk, { type: 'tool-call' }>): ResponseStreamEvent[] {
    const events: ResponseStreamEvent[] = [];
    let outputIndex = this.calls.get(chunk.index);
    if (outputIndex === undefined) {
      outputIndex = this.output.length;
      const callId = chunk.id ?? this.itemId('call', outputIndex);
      const item: OutputItem = {
        id: this.itemId('fc', outputIndex),
        type: 'function_call',
        status: 'in_progress',
        arguments: '',
        call_id: callId,
        name: chunk.name ?? '',
      };
      events.push(...this.openItem(item));
      this.calls.set(chunk.index, outputIndex);
    }
    if (chunk.argumentsDelta === '') return events;
    const item = this.output[outputIndex] as Extract<OutputItem, { type: 'function_call' }>;
    // A late fragment of a call already closed (no vendor streams so) still lands in its item, so the SDK's
    // snapshot and the final response agree.
    item.arguments += chunk.argumentsDelta;
    events.push(
      this.emit('response.function_call_arguments.delta', {
        item_id: item.id,
        output_index: outputIndex,
        delta: chunk.argumentsDelta,
      }),
    );
    return events;
  }

  /** The `.done` events of the open item, then its `output_item.done`. */
  private closeItem(): ResponseStreamEvent[] {
    if (this.open === undefined) return [];
    const outputIndex = this.open;
    this.open = undefined;
    const item = this.output[outputIndex] as OutputItem;
    const status: ItemStatus = this.finish && incompleteReasons[this.finish] ? 'incomplete' : 'completed';
    const events = this.itemDoneEvents(item, outputIndex);
    if (item.type !== 'reasoning') item.status = status;
    events.push(this.emit('response.output_item.done', { output_index: outputIndex, item: structuredClone(item) }));
    return events;
  }

  private itemDoneEvents(item: OutputItem, outputIndex: number): ResponseStreamEvent[] {
    const where = { item_id: item.id, output_index: outputIndex };
    if (item.type === 'function_call') {
      return [
        this.emit('response.function_call_arguments.done', { ...where, name: item.name, arguments: item.arguments }),
      ];
    }
    if (item.type === 'reasoning') {
      const part = { ...(item.summary[0] as { type: 'summary_text'; text: string }) };
      return [
        this.emit('response.reasoning_summary_text.done', { ...where, summary_index: 0, text: part.text }),
        this.emit('response.reasoning_summary_part.done', { ...where, summary_index: 0, part }),
      ];
    }
    const part = { ...(item.content[0] as OutputText) };
    return [
      this.emit('response.output_text.done', { ...where, content_index: 0, text: part.text, logprobs: [] }),
      this.emit('response.content_part.done', { ...where, content_index: 0, part }),
    ];
  }

  private end(): ResponseStreamEvent[] {
    const incomplete = this.finish !== undefined && incompleteReasons[this.finish] !== undefined;
    this.status = incomplete ? 'incomplete' : 'completed';
    return [this.emit(incomplete ? 'response.incomplete' : 'response.completed', { response: this.response() })];
  }

  /**
   * The `error` event as OpenAI's recorded stream has it (the error nested under `error`, which the SDK throws
   * as `APIError`), with the documented flat `code`/`message`/`param` beside it; then `response.failed`.
   */
  private fail(error: ErrorPayload): ResponseStreamEvent[] {
    this.failure = error;
    this.status = 'failed';
    const body = openAIErrorBody(error).error;
    return [
      this.emit('error', { code: body.code, message: body.message, param: body.param, error: body }),
      this.emit('response.failed', { response: this.response() }),
    ];
  }
}

/**
 * The encoder of one streamed reply for `serveSse`: each agent event becomes its Responses stream events, each as
 * `event: <type>` and its JSON as `data:` (no `[DONE]`: the stream ends after the terminal `response.*` event).
 *
 * @example
 * ```ts
 * serveSse({ response, events, streamId, ...settings, encode: responseEventEncoder(identity) });
 * ```
 */
export function responseEventEncoder(identity: ResponseIdentity): (event: NumberedEvent) => string {
  const assembler = new ResponseAssembler(identity);
  return ({ event }) => assembler.push(event).map(encodeMessageEvent).join('');
}
