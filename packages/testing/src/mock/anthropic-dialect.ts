import {
  eventStreamHeaders,
  type Frame,
  jsonResponse,
  paddedSequence,
  parsedArguments,
  type RenderContext,
  type RenderedResponse,
  usageOf,
} from './frames.js';
import type { MockScript } from './script.js';

const DEFAULT_MODEL = 'claude-sonnet-4-6';

/** Anthropic's error `type` by HTTP status (WIRE.md §3). */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

function defaultErrorMessage(status: number): string {
  if (status === 529) return 'Overloaded';
  if (status === 429) return "This request would exceed your account's rate limit. Please try again later.";
  if (status === 401) return 'invalid x-api-key';
  if (status === 404) return 'model: not found';
  if (status >= 500) return 'Internal server error';
  return 'Invalid request';
}

const requestId = (context: RenderContext) => `req_mock${paddedSequence(context.sequence)}`;

export function anthropicHttpError(script: MockScript, context: RenderContext): RenderedResponse {
  const error = script.httpError!;
  const headers = { 'request-id': requestId(context), ...error.headers };
  if (error.body !== undefined) {
    return {
      status: error.status,
      headers: { 'content-type': 'application/json', ...headers },
      frames: [{ data: error.body, eventIndex: 0, raw: true }],
    };
  }
  return jsonResponse(
    error.status,
    {
      type: 'error',
      error: { type: anthropicErrorType(error.status), message: error.message ?? defaultErrorMessage(error.status) },
      request_id: requestId(context),
    },
    headers,
  );
}

function stopReasonOf(script: MockScript): string {
  if (script.finishReason) return script.finishReason;
  return (script.events ?? []).some((event) => event.type === 'tool-call') ? 'tool_use' : 'end_turn';
}

/**
 * Renders a script as an Anthropic Messages stream: `message_start`, one content block per run of text or reasoning
 * and per tool call, `message_delta` with the stop reason and output tokens, `message_stop`.
 */
export function anthropicStream(script: MockScript, context: RenderContext): RenderedResponse {
  const id = script.id ?? `msg_mock${paddedSequence(context.sequence)}`;
  const model = script.model ?? context.requestedModel ?? DEFAULT_MODEL;
  const usage = usageOf(script);
  const frames: Frame[] = [];
  const send = (value: { type: string } & Record<string, unknown>, eventIndex: number) =>
    frames.push({ data: `event: ${value.type}\ndata: ${JSON.stringify(value)}\n\n`, eventIndex });
  send(
    {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: usage.inputTokens,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: usage.cachedInputTokens ?? 0,
          output_tokens: 1,
        },
      },
    },
    -1,
  );
  let blockIndex = -1;
  let openBlock: 'text' | 'thinking' | 'tool_use' | undefined;
  const closeBlock = (eventIndex: number) => {
    if (openBlock === undefined) return;
    send({ type: 'content_block_stop', index: blockIndex }, eventIndex);
    openBlock = undefined;
  };
  const openNewBlock = (kind: 'text' | 'thinking' | 'tool_use', contentBlock: unknown, eventIndex: number) => {
    closeBlock(eventIndex);
    blockIndex += 1;
    openBlock = kind;
    send({ type: 'content_block_start', index: blockIndex, content_block: contentBlock }, eventIndex);
  };
  let ended = false;
  const events = script.events ?? [];
  events.forEach((event, eventIndex) => {
    if (ended) return;
    switch (event.type) {
      case 'text':
        if (openBlock !== 'text') openNewBlock('text', { type: 'text', text: '' }, eventIndex);
        send(
          { type: 'content_block_delta', index: blockIndex, delta: { type: 'text_delta', text: event.text } },
          eventIndex,
        );
        break;
      case 'reasoning':
        if (openBlock !== 'thinking')
          openNewBlock('thinking', { type: 'thinking', thinking: '', signature: '' }, eventIndex);
        send(
          { type: 'content_block_delta', index: blockIndex, delta: { type: 'thinking_delta', thinking: event.text } },
          eventIndex,
        );
        if (event.signature !== undefined) {
          send(
            {
              type: 'content_block_delta',
              index: blockIndex,
              delta: { type: 'signature_delta', signature: event.signature },
            },
            eventIndex,
          );
          // A signature seals its thinking block: later reasoning starts a new block.
          closeBlock(eventIndex);
        }
        break;
      case 'tool-call':
        openNewBlock('tool_use', { type: 'tool_use', id: event.id, name: event.name, input: {} }, eventIndex);
        for (const fragment of event.argumentFragments.length === 0 ? [''] : event.argumentFragments) {
          send(
            {
              type: 'content_block_delta',
              index: blockIndex,
              delta: { type: 'input_json_delta', partial_json: fragment },
            },
            eventIndex,
          );
        }
        closeBlock(eventIndex);
        break;
      case 'comment':
        frames.push({ data: 'event: ping\ndata: {"type": "ping"}\n\n', eventIndex });
        break;
      case 'error':
        send(
          {
            type: 'error',
            error: {
              type: anthropicErrorType(event.status),
              message: event.message ?? defaultErrorMessage(event.status),
            },
          },
          eventIndex,
        );
        ended = true;
        break;
      case 'raw':
        frames.push({ data: event.data, eventIndex, raw: true });
        break;
    }
  });
  if (!ended && !script.omitTerminal) {
    const terminal = events.length;
    closeBlock(terminal);
    send(
      {
        type: 'message_delta',
        delta: { stop_reason: stopReasonOf(script), stop_sequence: null },
        usage: { output_tokens: usage.outputTokens },
      },
      terminal,
    );
    send({ type: 'message_stop' }, terminal);
  }
  return {
    status: 200,
    headers: { ...eventStreamHeaders(), 'request-id': requestId(context), ...script.headers },
    frames,
  };
}

/** Renders a script as one `Message` JSON body (a request without `stream: true`). */
export function anthropicMessage(script: MockScript, context: RenderContext): RenderedResponse {
  const events = script.events ?? [];
  const error = events.find((event) => event.type === 'error');
  if (error) return anthropicHttpError({ httpError: { status: error.status, message: error.message } }, context);
  const content: Record<string, unknown>[] = [];
  const append = (block: Record<string, unknown>) => {
    content.push(block);
    return block;
  };
  let last: Record<string, unknown> | undefined;
  for (const event of events) {
    if (event.type === 'text') {
      if (last?.type === 'text') last.text = `${last.text as string}${event.text}`;
      else last = append({ type: 'text', text: event.text });
    } else if (event.type === 'reasoning') {
      if (last?.type === 'thinking' && last.signature === '') last.thinking = `${last.thinking as string}${event.text}`;
      else last = append({ type: 'thinking', thinking: event.text, signature: '' });
      if (event.signature !== undefined) last.signature = event.signature;
    } else if (event.type === 'tool-call') {
      last = append({
        type: 'tool_use',
        id: event.id,
        name: event.name,
        input: parsedArguments(event.argumentFragments),
      });
    }
  }
  const usage = usageOf(script);
  return jsonResponse(
    200,
    {
      id: script.id ?? `msg_mock${paddedSequence(context.sequence)}`,
      type: 'message',
      role: 'assistant',
      model: script.model ?? context.requestedModel ?? DEFAULT_MODEL,
      content,
      stop_reason: stopReasonOf(script),
      stop_sequence: null,
      usage: {
        input_tokens: usage.inputTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: usage.cachedInputTokens ?? 0,
        output_tokens: usage.outputTokens,
      },
    },
    { 'request-id': requestId(context), ...script.headers },
  );
}
