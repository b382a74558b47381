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
import type { MockScript, MockUsage } from './script.js';

const DEFAULT_MODEL = 'gpt-4o-mini';

/** OpenAI's error `type`/`code` by status, as its API sends them. */
function errorShape(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status === 403) return { type: 'invalid_request_error', code: 'unsupported_country_region_territory' };
  if (status === 404) return { type: 'invalid_request_error', code: 'model_not_found' };
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded' };
  if (status >= 500) return { type: 'server_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

function defaultErrorMessage(status: number): string {
  if (status === 401)
    return 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.';
  if (status === 404) return 'The model does not exist or you do not have access to it.';
  if (status === 429) return 'Rate limit reached for requests. Please try again in 20ms.';
  if (status >= 500) return 'The server had an error processing your request. Sorry about that!';
  return 'Invalid request.';
}

/** `{"error":{"message","type","param","code"}}` */
export function openaiErrorObject(status: number, message?: string): Record<string, unknown> {
  const { type, code } = errorShape(status);
  return { error: { message: message ?? defaultErrorMessage(status), type, param: null, code } };
}

export function openaiHttpError(script: MockScript, context: RenderContext): RenderedResponse {
  const error = script.httpError!;
  const headers = { 'x-request-id': `req_mock${paddedSequence(context.sequence)}`, ...error.headers };
  if (error.body !== undefined) {
    return {
      status: error.status,
      headers: { 'content-type': 'application/json', ...headers },
      frames: [{ data: error.body, eventIndex: 0, raw: true }],
    };
  }
  return jsonResponse(error.status, openaiErrorObject(error.status, error.message), headers);
}

function usageObject(usage: MockUsage): Record<string, unknown> {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    ...(usage.cachedInputTokens === undefined
      ? {}
      : { prompt_tokens_details: { cached_tokens: usage.cachedInputTokens } }),
    ...(usage.reasoningTokens === undefined
      ? {}
      : { completion_tokens_details: { reasoning_tokens: usage.reasoningTokens } }),
  };
}

function includeUsage(body: unknown): boolean {
  const options = (body as { stream_options?: { include_usage?: unknown } } | undefined)?.stream_options;
  return options?.include_usage === true;
}

function finishReasonOf(script: MockScript): string {
  if (script.finishReason) return script.finishReason;
  return (script.events ?? []).some((event) => event.type === 'tool-call') ? 'tool_calls' : 'stop';
}

/** Renders a script as an OpenAI Chat Completions stream (`chat.completion.chunk` events, then `data: [DONE]`). */
export function openaiStream(script: MockScript, context: RenderContext): RenderedResponse {
  const id = script.id ?? `chatcmpl-mock${paddedSequence(context.sequence)}`;
  const model = script.model ?? context.requestedModel ?? DEFAULT_MODEL;
  const frames: Frame[] = [];
  const data = (value: unknown, eventIndex: number) =>
    frames.push({ data: `data: ${JSON.stringify(value)}\n\n`, eventIndex });
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    id,
    object: 'chat.completion.chunk',
    created: FIXED_CREATED_SECONDS,
    model,
    system_fingerprint: 'fp_mock',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });
  const events = script.events ?? [];
  const first = events[0];
  let toolIndex = 0;
  let ended = false;
  // The role delta starts every stream; a stream that opens with a tool call carries its first fragment in it.
  const startsWithTool = first?.type === 'tool-call';
  if (!startsWithTool) data(chunk({ role: 'assistant', content: '', refusal: null }), -1);
  events.forEach((event, eventIndex) => {
    if (ended) return;
    switch (event.type) {
      case 'text':
        data(chunk({ content: event.text }), eventIndex);
        break;
      case 'reasoning':
        data(chunk({ reasoning_content: event.text }), eventIndex);
        break;
      case 'tool-call': {
        const index = toolIndex++;
        const opening = {
          tool_calls: [{ index, id: event.id, type: 'function', function: { name: event.name, arguments: '' } }],
        };
        data(chunk(eventIndex === 0 ? { role: 'assistant', content: null, ...opening } : opening), eventIndex);
        for (const fragment of event.argumentFragments) {
          data(chunk({ tool_calls: [{ index, function: { arguments: fragment } }] }), eventIndex);
        }
        break;
      }
      case 'comment':
        frames.push({ data: `: ${event.text ?? 'ping'}\n\n`, eventIndex });
        break;
      case 'error':
        data(openaiErrorObject(event.status, event.message), eventIndex);
        ended = true;
        break;
      case 'raw':
        frames.push({ data: event.data, eventIndex, raw: true });
        break;
    }
  });
  if (!ended && !script.omitTerminal) {
    const terminal = events.length;
    data(chunk({}, finishReasonOf(script)), terminal);
    if (includeUsage(context.body)) {
      const { choices: _choices, ...rest } = chunk({});
      data({ ...rest, choices: [], usage: usageObject(usageOf(script)) }, terminal);
    }
    frames.push({ data: 'data: [DONE]\n\n', eventIndex: terminal });
  }
  return {
    status: 200,
    headers: {
      ...eventStreamHeaders(),
      'x-request-id': `req_mock${paddedSequence(context.sequence)}`,
      ...script.headers,
    },
    frames,
  };
}

/** Renders a script as one `chat.completion` JSON body (a request with `stream: false`). */
export function openaiCompletion(script: MockScript, context: RenderContext): RenderedResponse {
  const events = script.events ?? [];
  const error = events.find((event) => event.type === 'error');
  if (error) return openaiHttpError({ httpError: { status: error.status, message: error.message } }, context);
  const text = events.flatMap((event) => (event.type === 'text' ? [event.text] : [])).join('');
  const reasoning = events.flatMap((event) => (event.type === 'reasoning' ? [event.text] : [])).join('');
  const toolCalls = events.flatMap((event) =>
    event.type === 'tool-call'
      ? [
          {
            id: event.id,
            type: 'function',
            function: { name: event.name, arguments: event.argumentFragments.join('') },
          },
        ]
      : [],
  );
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: text === '' && toolCalls.length > 0 ? null : text,
    refusal: null,
    ...(reasoning === '' ? {} : { reasoning_content: reasoning }),
    ...(toolCalls.length === 0 ? {} : { tool_calls: toolCalls }),
  };
  return jsonResponse(
    200,
    {
      id: script.id ?? `chatcmpl-mock${paddedSequence(context.sequence)}`,
      object: 'chat.completion',
      created: FIXED_CREATED_SECONDS,
      model: script.model ?? context.requestedModel ?? DEFAULT_MODEL,
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReasonOf(script) }],
      usage: usageObject(usageOf(script)),
      system_fingerprint: 'fp_mock',
    },
    { 'x-request-id': `req_mock${paddedSequence(context.sequence)}`, ...script.headers },
  );
}

/** `GET /v1/models`: a fixed list, enough for clients that check the model exists. */
export function openaiModels(): RenderedResponse {
  const ids = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-nano', 'gpt-5-nano'];
  return jsonResponse(200, {
    object: 'list',
    data: ids.map((id) => ({ id, object: 'model', created: FIXED_CREATED_SECONDS, owned_by: 'rxllm-mock' })),
  });
}
