/** Why a completion ended, normalised across vendors. */
export type FinishReason = 'stop' | 'length' | 'content-filter' | 'tool-calls' | 'error' | 'other';

/** Vendor data that has no field of its own in the contract (signatures, safety ratings, request ids). */
export type ProviderMetadata = Record<string, unknown>;

interface ChunkBase {
  /** Vendor-specific extras, keyed freely by the provider package. */
  providerMetadata?: ProviderMetadata;
}

/** First chunk of every stream: which provider and model answered, and the vendor's response id. */
export interface StartChunk extends ChunkBase {
  type: 'start';
  provider: string;
  model: string;
  id?: string;
}

/** A piece of the answer, exactly as the vendor sent it: never merged, never split. */
export interface TextChunk extends ChunkBase {
  type: 'text';
  text: string;
}

/** A piece of the model's visible reasoning (Anthropic thinking, Gemini thought parts, `reasoning_content`). */
export interface ReasoningChunk extends ChunkBase {
  type: 'reasoning';
  text: string;
}

/**
 * A streamed fragment of a tool call. The first fragment of a call carries `id` and `name`; later ones only
 * `index` and the next piece of `argumentsDelta`. Concatenate `argumentsDelta` per `index` to get the JSON.
 */
export interface ToolCallChunk extends ChunkBase {
  type: 'tool-call';
  index: number;
  id?: string;
  name?: string;
  argumentsDelta: string;
}

/** Token counts as the vendor reports them; a later usage chunk supersedes an earlier one. */
export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  /** Input tokens served from the vendor's prompt cache. */
  cachedInputTokens?: number;
  /** Output tokens spent on reasoning. */
  reasoningTokens?: number;
}

export interface UsageChunk extends ChunkBase {
  type: 'usage';
  usage: Usage;
}

/** Last chunk of a successful stream. `rawReason` is the vendor's own value (`end_turn`, `MAX_TOKENS`, …). */
export interface FinishChunk extends ChunkBase {
  type: 'finish';
  reason: FinishReason;
  rawReason?: string;
}

/**
 * The answer goes on with another provider after this one failed mid-stream (`withFallback` with
 * `afterFirstChunk: 'continue'`): what came before stays, what follows continues it. `mode` says how the next
 * provider was given the partial answer: as the start of its own reply (`prefill`, Anthropic) or as context to
 * continue from (`context`).
 */
export interface FailoverChunk extends ChunkBase {
  type: 'failover';
  from: { provider: string; model: string };
  to: { provider: string; model: string };
  /** Why the first provider's stream ended: its error's kind and message. */
  reason: { kind: string; message: string };
  mode: 'prefill' | 'context';
}

/**
 * One event of a streamed completion, a discriminated union on `type`.
 *
 * @example
 * ```ts
 * provider.stream(request).subscribe((chunk) => {
 *   if (chunk.type === 'text') process.stdout.write(chunk.text);
 * });
 * ```
 */
export type Chunk = StartChunk | TextChunk | ReasoningChunk | ToolCallChunk | UsageChunk | FinishChunk | FailoverChunk;

export type ChunkType = Chunk['type'];

// A record, so that the compiler fails here when a type is added to or removed from Chunk.
const chunkTypeSet: Record<ChunkType, true> = {
  start: true,
  text: true,
  reasoning: true,
  'tool-call': true,
  usage: true,
  finish: true,
  failover: true,
};

/**
 * Every {@link ChunkType}, for code that checks chunks it did not make (a cache entry read back, a log line).
 *
 * @example
 * ```ts
 * CHUNK_TYPES.includes('finish'); // true
 * ```
 */
export const CHUNK_TYPES: readonly ChunkType[] = Object.keys(chunkTypeSet) as ChunkType[];

/**
 * Chunks that carry model output: the ones that count for "first chunk" (TTFT, retry commit point, timeouts). Takes
 * any chunk-like value, so a tool loop's chunks (`LoopChunk`) can be asked too (they are not content).
 */
export function isContentChunk(chunk: { readonly type: string }): chunk is TextChunk | ReasoningChunk | ToolCallChunk {
  return chunk.type === 'text' || chunk.type === 'reasoning' || chunk.type === 'tool-call';
}
