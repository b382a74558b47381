import { type Chunk, type Completion, type FinishReason, isToolLoopChunk, type Usage } from '@rxllm/core';
import { type NumberedEvent, toJsonLine } from '@rxllm/protocol';
import { openAIErrorBody } from './errors.js';

const finishReasons: Record<FinishReason, string> = {
  stop: 'stop',
  length: 'length',
  'content-filter': 'content_filter',
  'tool-calls': 'tool_calls',
  error: 'stop',
  other: 'stop',
};

function openAIUsage(usage: Usage | undefined) {
  const prompt = usage?.inputTokens ?? 0;
  const completion = usage?.outputTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: usage?.totalTokens ?? prompt + completion,
    ...(usage?.cachedInputTokens === undefined
      ? {}
      : { prompt_tokens_details: { cached_tokens: usage.cachedInputTokens } }),
    ...(usage?.reasoningTokens === undefined
      ? {}
      : { completion_tokens_details: { reasoning_tokens: usage.reasoningTokens } }),
  };
}

/** What every frame and body of one reply repeats. */
export interface CompletionIdentity {
  /** `chatcmpl-…` */
  id: string;
  /** Unix seconds. */
  created: number;
  model: string;
}

/**
 * The `chat.completion` body of a non-streaming reply.
 *
 * @example
 * ```ts
 * sendJson(response, 200, chatCompletionBody(identity, completion));
 * ```
 */
export function chatCompletionBody(identity: CompletionIdentity, completion: Completion) {
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          // OpenAI's own reply to a pure tool call has `content: null`; clients test for it.
          content: completion.text === '' && completion.toolCalls.length > 0 ? null : completion.text,
          ...(completion.reasoning ? { reasoning_content: completion.reasoning } : {}),
          ...(completion.toolCalls.length > 0
            ? {
                tool_calls: completion.toolCalls.map((call) => ({
                  id: call.id ?? `call_${call.index}`,
                  type: 'function',
                  function: { name: call.name ?? '', arguments: call.arguments },
                })),
              }
            : {}),
          refusal: null,
        },
        logprobs: null,
        finish_reason: finishReasons[completion.finishReason ?? 'stop'],
      },
    ],
    usage: openAIUsage(completion.usage),
  };
}

/**
 * The encoder of one streamed reply: each agent event becomes zero or more `data:` frames in OpenAI's
 * `chat.completion.chunk` dialect (the role frame first, usage last when `include_usage` asked for it).
 *
 * @example
 * ```ts
 * serveSse({ response, events, streamId, ...settings, encode: chunkEncoder(identity, includeUsage) });
 * ```
 */
export function chunkEncoder(identity: CompletionIdentity, includeUsage: boolean): (event: NumberedEvent) => string {
  let usage: Usage | undefined;
  let sentRole = false;
  const frame = (delta: Record<string, unknown>, finishReason: string | null = null) =>
    `data: ${toJsonLine({
      id: identity.id,
      object: 'chat.completion.chunk',
      created: identity.created,
      model: identity.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(includeUsage ? { usage: null } : {}),
    })}\n\n`;
  const roleFrame = () => {
    if (sentRole) return '';
    sentRole = true;
    return frame({ role: 'assistant', content: '' });
  };
  const encodeChunk = (chunk: Chunk): string => {
    switch (chunk.type) {
      case 'start':
        return roleFrame();
      case 'text':
        return roleFrame() + frame({ content: chunk.text });
      case 'reasoning':
        return roleFrame() + frame({ reasoning_content: chunk.text });
      case 'tool-call':
        return roleFrame() + frame({ tool_calls: [toolCallDelta(chunk)] });
      case 'usage':
        usage = { ...usage, ...chunk.usage };
        return '';
      case 'finish':
        return roleFrame() + frame({}, finishReasons[chunk.reason]);
      case 'failover':
        // No Chat Completions frame says so: the content just goes on.
        return '';
    }
  };
  return ({ event }) => {
    if (event.type === 'done') {
      if (!includeUsage) return '';
      const { id, created, model } = identity;
      return `data: ${toJsonLine({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: openAIUsage(usage) })}\n\n`;
    }
    if (event.type === 'error') return `data: ${toJsonLine(openAIErrorBody(event.error))}\n\n`;
    if (event.type === 'object') return ''; // /v1 clients read the JSON from the content deltas
    if (isToolLoopChunk(event)) return ''; // /v1 leaves tools to its client: the agent runs none there
    return encodeChunk(event);
  };
}

/** OpenAI's streamed tool-call fragment: `id`, `type` and `name` on the first, `arguments` pieces after. */
function toolCallDelta(chunk: Extract<Chunk, { type: 'tool-call' }>) {
  return {
    index: chunk.index,
    ...(chunk.id === undefined ? {} : { id: chunk.id, type: 'function' }),
    function: {
      ...(chunk.name === undefined ? {} : { name: chunk.name }),
      arguments: chunk.argumentsDelta,
    },
  };
}
