import type { Chunk, FinishReason, ProviderMetadata, Usage } from '@rxllm/core';
import { finishReasonFromOpenAI } from './finish-reason.js';
import { type OpenAIUsage, usageFromOpenAI } from './usage.js';

/**
 * One `data:` payload of a Chat Completions stream, loosely typed: OpenAI's own fields plus what compatible servers
 * add (`reasoning_content` from vLLM / llama.cpp / DeepSeek, `reasoning` from Ollama / OpenRouter).
 *
 * @example
 * ```ts
 * const event: OpenAIStreamEvent = { id: 'chatcmpl-1', model: 'qwen3', choices: [{ index: 0, delta: { reasoning: 'Hm' } }] };
 * ```
 */
export interface OpenAIStreamEvent {
  id?: string | null;
  model?: string | null;
  choices?: Array<{
    index?: number;
    delta?: {
      role?: string | null;
      content?: string | null;
      refusal?: string | null;
      reasoning_content?: string | null;
      reasoning?: string | null;
      tool_calls?: Array<{
        index?: number;
        id?: string | null;
        type?: string | null;
        function?: { name?: string | null; arguments?: string | null } | null;
      }> | null;
    } | null;
    finish_reason?: string | null;
  }> | null;
  usage?: OpenAIUsage | null;
  system_fingerprint?: string | null;
}

/**
 * A stateful mapper from Chat Completions stream events to rxllm chunks, one per stream.
 * `push` maps one event; `end` emits the held `usage` and `finish` chunks once the stream is over.
 *
 * @example
 * ```ts
 * const mapper: ChunkMapper = createChunkMapper({ provider: 'openai', model: 'gpt-4.1-mini' });
 * ```
 */
export interface ChunkMapper {
  push(event: OpenAIStreamEvent): Chunk[];
  /** The closing chunks: `start` (if no event carried it), `usage`, `finish`. */
  end(): Chunk[];
  /** The raw finish reason seen so far, if any: its absence at the end means the stream was cut short. */
  readonly rawFinishReason: string | undefined;
}

/**
 * Names for the `start` chunk.
 *
 * @example
 * ```ts
 * createChunkMapper({ provider: 'ollama', model: 'llama3.2' } satisfies ChunkMapperOptions);
 * ```
 */
export interface ChunkMapperOptions {
  /** Provider name for the `start` chunk. */
  provider: string;
  /** The requested model, used when the server's events name none. */
  model: string;
}

const nonEmpty = (value: string | null | undefined): value is string => typeof value === 'string' && value.length > 0;

/**
 * Creates the mapper from Chat Completions stream events to {@link Chunk}s.
 *
 * event ─ first with an `id`/`model` (or content) → `start`; `delta.content` → `text`; `delta.refusal` → `text`
 * with `providerMetadata.refusal`; `delta.reasoning_content` / `delta.reasoning` → `reasoning`; `delta.tool_calls[]`
 * → `tool-call`; `usage` and `finish_reason` are held and emitted by `end()` as `usage` then `finish`, because
 * OpenAI sends the finish reason *before* the usage chunk. Only choice 0 is mapped.
 *
 * @example
 * ```ts
 * const mapper = createChunkMapper({ provider: 'openai', model: 'gpt-4.1-mini' });
 * for await (const event of sdkStream) for (const chunk of mapper.push(event)) emit(chunk);
 * if (mapper.rawFinishReason === undefined) throw truncatedStreamError('openai', 'finish_reason');
 * for (const chunk of mapper.end()) emit(chunk);
 * ```
 */
export function createChunkMapper(options: ChunkMapperOptions): ChunkMapper {
  let started = false;
  let usage: Usage | undefined;
  let rawFinishReason: string | undefined;
  let finishMetadata: ProviderMetadata | undefined;

  const start = (event: OpenAIStreamEvent | undefined): Chunk => {
    started = true;
    const id = nonEmpty(event?.id) ? event.id : undefined;
    return {
      type: 'start',
      provider: options.provider,
      model: nonEmpty(event?.model) ? event.model : options.model,
      ...(id === undefined ? {} : { id }),
    };
  };

  return {
    get rawFinishReason() {
      return rawFinishReason;
    },
    push(event) {
      const chunks: Chunk[] = [];
      // Azure's first event (prompt filter results) has an empty id and model: wait for one that names them.
      if (!started && (nonEmpty(event.id) || nonEmpty(event.model))) chunks.push(start(event));
      if (event.usage) usage = usageFromOpenAI(event.usage);
      const choice = event.choices?.find((candidate) => (candidate.index ?? 0) === 0);
      if (!choice) return chunks;
      const delta = choice.delta ?? {};
      const content: Chunk[] = [];
      const reasoning = nonEmpty(delta.reasoning_content) ? delta.reasoning_content : delta.reasoning;
      if (nonEmpty(reasoning)) content.push({ type: 'reasoning', text: reasoning });
      if (nonEmpty(delta.content)) content.push({ type: 'text', text: delta.content });
      if (nonEmpty(delta.refusal))
        content.push({ type: 'text', text: delta.refusal, providerMetadata: { refusal: true } });
      for (const [position, call] of (delta.tool_calls ?? []).entries()) {
        const name = call.function?.name;
        const argumentsDelta = call.function?.arguments ?? '';
        if (!nonEmpty(call.id) && !nonEmpty(name) && argumentsDelta === '') continue;
        content.push({
          type: 'tool-call',
          index: call.index ?? position,
          ...(nonEmpty(call.id) ? { id: call.id } : {}),
          ...(nonEmpty(name) ? { name } : {}),
          argumentsDelta,
        });
      }
      if (content.length > 0 && !started) chunks.push(start(event));
      chunks.push(...content);
      if (nonEmpty(choice.finish_reason)) {
        rawFinishReason = choice.finish_reason;
        if (nonEmpty(event.system_fingerprint)) finishMetadata = { systemFingerprint: event.system_fingerprint };
      }
      return chunks;
    },
    end() {
      const chunks: Chunk[] = [];
      if (!started) chunks.push(start(undefined));
      if (usage && Object.keys(usage).length > 0) chunks.push({ type: 'usage', usage });
      if (rawFinishReason !== undefined) {
        const reason: FinishReason = finishReasonFromOpenAI(rawFinishReason);
        chunks.push({
          type: 'finish',
          reason,
          rawReason: rawFinishReason,
          ...(finishMetadata ? { providerMetadata: finishMetadata } : {}),
        });
      }
      return chunks;
    },
  };
}
