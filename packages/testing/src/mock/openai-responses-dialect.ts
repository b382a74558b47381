import {
  eventStreamHeaders,
  FIXED_CREATED_SECONDS,
  type Frame,
  jsonResponse,
  paddedSequence,
  type RenderContext,
  type RenderedResponse,
  usageOf,
} from './frames.js';
import { openaiErrorObject, openaiHttpError } from './openai-dialect.js';
import type { MockScript, MockUsage } from './script.js';

const DEFAULT_MODEL = 'gpt-5-mini';

/** Finish reasons that end a Responses stream with `response.incomplete` (its `incomplete_details.reason`). */
const INCOMPLETE_REASONS: ReadonlySet<string> = new Set(['max_output_tokens', 'content_filter']);

type Item = Record<string, unknown> & { id: string; type: string };

function usageObject(usage: MockUsage): Record<string, unknown> {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

/** The `Response` object as `response.created` (in progress) and the terminal event (with output and usage) carry it. */
function responseObject(
  script: MockScript,
  context: RenderContext,
  state: { status: string; output: Item[]; usage?: MockUsage; error?: unknown; incompleteReason?: string },
): Record<string, unknown> {
  const body = (context.body ?? {}) as Record<string, unknown>;
  return {
    id: script.id ?? `resp_mock${paddedSequence(context.sequence)}`,
    object: 'response',
    created_at: FIXED_CREATED_SECONDS,
    status: state.status,
    background: false,
    error: state.error ?? null,
    incomplete_details: state.incompleteReason === undefined ? null : { reason: state.incompleteReason },
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: script.model ?? context.requestedModel ?? DEFAULT_MODEL,
    output: state.output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: body.text ?? { format: { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage: state.usage === undefined ? null : usageObject(state.usage),
    user: null,
    metadata: {},
  };
}

/**
 * Builds the output items of a script and the events that stream them, in the Responses grammar: each run of text
 * is one `message` item (one `output_text` part), each run of reasoning one `reasoning` item (one summary part), each
 * tool call one `function_call` item.
 */
class ResponsesWriter {
  readonly frames: Frame[] = [];
  readonly output: Item[] = [];
  private sequence = 0;
  private open: { item: Item; text: string } | undefined;

  constructor(private readonly responseId: string) {}

  send(value: { type: string } & Record<string, unknown>, eventIndex: number): void {
    const data = { ...value, sequence_number: this.sequence++ };
    this.frames.push({ data: `event: ${value.type}\ndata: ${JSON.stringify(data)}\n\n`, eventIndex });
  }

  private itemId(prefix: string): string {
    return `${prefix}_${this.responseId.replace(/^resp_/, '')}_${this.output.length}`;
  }

  private get outputIndex(): number {
    return this.output.length - 1;
  }

  private openItem(item: Item, eventIndex: number): void {
    this.close(eventIndex);
    this.output.push(item);
    this.open = { item, text: '' };
    this.send({ type: 'response.output_item.added', output_index: this.outputIndex, item }, eventIndex);
  }

  text(delta: string, eventIndex: number): void {
    if (this.open?.item.type !== 'message') {
      const id = this.itemId('msg');
      const item: Item = { id, type: 'message', status: 'in_progress', content: [], role: 'assistant' };
      this.openItem(item, eventIndex);
      this.send({ type: 'response.content_part.added', ...this.where(item), part: this.textPart('') }, eventIndex);
    }
    const open = this.open!;
    open.text += delta;
    this.send({ type: 'response.output_text.delta', ...this.where(open.item), delta, logprobs: [] }, eventIndex);
  }

  reasoning(delta: string, eventIndex: number): void {
    if (this.open?.item.type !== 'reasoning') {
      const item: Item = { id: this.itemId('rs'), type: 'reasoning', summary: [] };
      this.openItem(item, eventIndex);
      const part = { type: 'summary_text', text: '' };
      this.send({ type: 'response.reasoning_summary_part.added', ...this.summaryWhere(item), part }, eventIndex);
    }
    const open = this.open!;
    open.text += delta;
    this.send({ type: 'response.reasoning_summary_text.delta', ...this.summaryWhere(open.item), delta }, eventIndex);
  }

  toolCall(callId: string, name: string, fragments: readonly string[], eventIndex: number): void {
    const item: Item = {
      id: this.itemId('fc'),
      type: 'function_call',
      status: 'in_progress',
      arguments: '',
      call_id: callId,
      name,
    };
    this.openItem(item, eventIndex);
    for (const delta of fragments) {
      this.send(
        { type: 'response.function_call_arguments.delta', item_id: item.id, output_index: this.outputIndex, delta },
        eventIndex,
      );
    }
    this.open!.text = fragments.join('');
    this.close(eventIndex);
  }

  /** Ends the open item with its `.done` events and records its final form in the output. */
  close(eventIndex: number): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    const { item, text } = open;
    let done: Item;
    if (item.type === 'message') {
      this.send({ type: 'response.output_text.done', ...this.where(item), text, logprobs: [] }, eventIndex);
      this.send({ type: 'response.content_part.done', ...this.where(item), part: this.textPart(text) }, eventIndex);
      done = { ...item, status: 'completed', content: [this.textPart(text)] };
    } else if (item.type === 'reasoning') {
      this.send({ type: 'response.reasoning_summary_text.done', ...this.summaryWhere(item), text }, eventIndex);
      this.send(
        {
          type: 'response.reasoning_summary_part.done',
          ...this.summaryWhere(item),
          part: { type: 'summary_text', text },
        },
        eventIndex,
      );
      done = { ...item, summary: [{ type: 'summary_text', text }] };
    } else {
      this.send(
        {
          type: 'response.function_call_arguments.done',
          item_id: item.id,
          output_index: this.outputIndex,
          arguments: text,
        },
        eventIndex,
      );
      done = { ...item, status: 'completed', arguments: text };
    }
    this.output[this.outputIndex] = done;
    this.send({ type: 'response.output_item.done', output_index: this.outputIndex, item: done }, eventIndex);
  }

  private where(item: Item) {
    return { item_id: item.id, output_index: this.outputIndex, content_index: 0 };
  }

  private summaryWhere(item: Item) {
    return { item_id: item.id, output_index: this.outputIndex, summary_index: 0 };
  }

  private textPart(text: string) {
    return { type: 'output_text', annotations: [], logprobs: [], text };
  }
}

/** Writes every event of a script; returns the writer and the final `Response` (absent when the stream failed or was cut). */
function writeScript(script: MockScript, context: RenderContext): { writer: ResponsesWriter; final?: unknown } {
  const started = responseObject(script, context, { status: 'in_progress', output: [] });
  const writer = new ResponsesWriter(started.id as string);
  writer.send({ type: 'response.created', response: started }, -1);
  writer.send({ type: 'response.in_progress', response: started }, -1);
  const events = script.events ?? [];
  for (const [eventIndex, event] of events.entries()) {
    switch (event.type) {
      case 'text':
        writer.text(event.text, eventIndex);
        break;
      case 'reasoning':
        writer.reasoning(event.text, eventIndex);
        break;
      case 'tool-call':
        writer.toolCall(event.id, event.name, event.argumentFragments, eventIndex);
        break;
      case 'comment':
        writer.frames.push({ data: `: ${event.text ?? 'keep-alive'}\n\n`, eventIndex });
        break;
      case 'error': {
        const { error } = openaiErrorObject(event.status, event.message) as { error: Record<string, unknown> };
        const code = error.code ?? error.type;
        writer.send({ type: 'error', error: { ...error, code } }, eventIndex);
        const failed = responseObject(script, context, {
          status: 'failed',
          output: writer.output,
          error: { code, message: error.message },
        });
        writer.send({ type: 'response.failed', response: failed }, eventIndex);
        return { writer };
      }
      case 'raw':
        writer.frames.push({ data: event.data, eventIndex, raw: true });
        break;
    }
  }
  if (script.omitTerminal) return { writer };
  const terminal = events.length;
  writer.close(terminal);
  const reason = script.finishReason;
  const incomplete = reason !== undefined && INCOMPLETE_REASONS.has(reason);
  const final = responseObject(script, context, {
    status: incomplete ? 'incomplete' : 'completed',
    output: writer.output,
    usage: usageOf(script),
    ...(incomplete ? { incompleteReason: reason } : {}),
  });
  writer.send({ type: incomplete ? 'response.incomplete' : 'response.completed', response: final }, terminal);
  return { writer, final };
}

const requestIdHeader = (context: RenderContext) => ({ 'x-request-id': `req_mock${paddedSequence(context.sequence)}` });

/**
 * Renders a script as a Responses API stream (`POST /v1/responses`, `stream: true`): `response.created`,
 * `response.in_progress`, the output items with their added / delta / done events (text, reasoning summaries,
 * function calls), then `response.completed` with the output and usage, or `response.incomplete` when
 * `finishReason` is `max_output_tokens` or `content_filter`. A scripted error is `event: error` (the nested form
 * api.openai.com sends) followed by `response.failed`. No `[DONE]`: the server closes after the terminal event.
 */
export function openaiResponsesStream(script: MockScript, context: RenderContext): RenderedResponse {
  return {
    status: 200,
    headers: { ...eventStreamHeaders(), ...requestIdHeader(context), ...script.headers },
    frames: writeScript(script, context).writer.frames,
  };
}

/** Renders a script as one `Response` JSON body (a Responses request without `stream: true`). */
export function openaiResponse(script: MockScript, context: RenderContext): RenderedResponse {
  const error = (script.events ?? []).find((event) => event.type === 'error');
  if (error?.type === 'error') {
    return openaiHttpError(
      { httpError: { status: error.status, ...(error.message ? { message: error.message } : {}) } },
      context,
    );
  }
  return jsonResponse(200, writeScript({ ...script, omitTerminal: false }, context).final, {
    ...requestIdHeader(context),
    ...script.headers,
  });
}
