import type { RawContentBlockStartEvent, RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { type Chunk, truncatedStreamError, type Usage } from '@rxllm/core';
import { finishReasonFromStopReason } from './finish-reason.js';

type BlockState =
  | { kind: 'tool'; toolIndex: number; argumentsLength: number; input: unknown }
  /** The forced tool of a schemaless `responseFormat`: its input streams out as the answer's text. */
  | { kind: 'json'; argumentsLength: number; input: unknown }
  | { kind: 'content' }
  | { kind: 'ignored' };

/** Anthropic's usage fields as they appear in `message_start.message.usage` and `message_delta.usage`. */
interface WireUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

/**
 * Maps the raw events of one Anthropic stream to chunks, keeping the per-stream state the mapping needs.
 *
 * @example
 * ```ts
 * const mapper: AnthropicEventMapper = createEventMapper({ requestedModel: 'claude-sonnet-5-5' });
 * mapper.map({ type: 'ping' }); // []
 * ```
 */
export interface AnthropicEventMapper {
  /** The chunks one event stands for (often none: pings, block stops, unknown events). */
  map(event: RawMessageStreamEvent | { type: string }): Chunk[];
  /** Call when the vendor stream has ended: throws the truncation `LLMError` if `message_stop` never came. */
  end(): void;
  /** True once `message_stop` has been seen. */
  readonly complete: boolean;
}

/**
 * Options of {@link createEventMapper}.
 *
 * @example
 * ```ts
 * const options: AnthropicEventMapperOptions = { provider: 'anthropic', requestedModel: 'claude-sonnet-5-5' };
 * ```
 */
export interface AnthropicEventMapperOptions {
  /** Provider name on `start` chunks and errors (default `anthropic`). */
  provider?: string;
  /** Model reported if the vendor sends content before (or without) a `message_start`. */
  requestedModel: string;
  /**
   * The tool a schemaless `responseFormat` was sent as (see `jsonResponseToolName`): its `tool_use` block's input
   * deltas become `text` chunks (the JSON answer) instead of `tool-call` chunks, and a `tool_use` stop reason with no
   * other tool call finishes as `stop`.
   */
  jsonToolName?: string;
}

/**
 * A fresh mapper from Anthropic `RawMessageStreamEvent`s to rxllm chunks, one per stream:
 * `message_start` → `start`; `text_delta` → `text`; `thinking_delta` → `reasoning`; `signature_delta` → a `reasoning`
 * chunk with empty text and `providerMetadata.anthropic.signature`; `redacted_thinking` → the same with
 * `providerMetadata.anthropic.redactedThinking`; a `tool_use` block → `tool-call` deltas indexed by the call's own
 * ordinal (the `jsonToolName` tool's input streams as `text` instead); `message_delta` → `usage`; `message_stop` →
 * `finish`. A second `message_start` (spliced by a proxy) adds no second `start`; the block indices it restarts are
 * followed and tool-call ordinals keep counting.
 *
 * @example
 * ```ts
 * const mapper = createEventMapper({ requestedModel: 'claude-sonnet-5-5' });
 * for await (const event of stream) for (const chunk of mapper.map(event)) emit(chunk);
 * mapper.end(); // throws if the stream ended without message_stop
 * ```
 */
export function createEventMapper(options: AnthropicEventMapperOptions): AnthropicEventMapper {
  const provider = options.provider ?? 'anthropic';
  const blocks = new Map<number, BlockState>();
  let started = false;
  let stopped = false;
  let toolCount = 0;
  let jsonAnswered = false;
  let usage: Usage = {};
  let cacheCreationInputTokens: number | undefined;
  let usageSeen = false;
  let usageEmitted = false;
  let stopReason: string | undefined;
  let stopSequence: string | undefined;
  let stopDetails: unknown;

  const startChunk = (model: string, id?: string): Chunk => ({
    type: 'start',
    provider,
    model,
    ...(id === undefined ? {} : { id }),
  });

  /** Content before `message_start` (a misbehaving proxy) still gets a `start` chunk first. */
  const ensureStarted = (chunks: Chunk[]) => {
    if (started) return;
    started = true;
    chunks.push(startChunk(options.requestedModel));
  };

  const mergeUsage = (wire: WireUsage | null | undefined) => {
    if (!wire) return;
    usageSeen = true;
    const next: Usage = { ...usage };
    if (typeof wire.input_tokens === 'number') next.inputTokens = wire.input_tokens;
    if (typeof wire.output_tokens === 'number') next.outputTokens = wire.output_tokens;
    if (typeof wire.cache_read_input_tokens === 'number') next.cachedInputTokens = wire.cache_read_input_tokens;
    if (typeof wire.cache_creation_input_tokens === 'number')
      cacheCreationInputTokens = wire.cache_creation_input_tokens;
    usage = next;
  };

  const usageChunk = (): Chunk => {
    usageEmitted = true;
    return {
      type: 'usage',
      usage: { ...usage },
      ...(cacheCreationInputTokens === undefined
        ? {}
        : { providerMetadata: { anthropic: { cacheCreationInputTokens } } }),
    };
  };

  const reasoningMetadata = (metadata: Record<string, unknown>): Chunk => ({
    type: 'reasoning',
    text: '',
    providerMetadata: { anthropic: metadata },
  });

  const startBlock = ({ index, content_block: block }: RawContentBlockStartEvent, chunks: Chunk[]) => {
    switch (block.type) {
      case 'text':
        blocks.set(index, { kind: 'content' });
        if (block.text) chunks.push({ type: 'text', text: block.text });
        break;
      case 'thinking':
        blocks.set(index, { kind: 'content' });
        if (block.thinking) chunks.push({ type: 'reasoning', text: block.thinking });
        if (block.signature) chunks.push(reasoningMetadata({ signature: block.signature }));
        break;
      case 'redacted_thinking':
        blocks.set(index, { kind: 'content' });
        chunks.push(reasoningMetadata({ redactedThinking: block.data }));
        break;
      case 'tool_use': {
        if (options.jsonToolName !== undefined && block.name === options.jsonToolName) {
          jsonAnswered = true;
          blocks.set(index, { kind: 'json', argumentsLength: 0, input: block.input });
          break;
        }
        const toolIndex = toolCount++;
        blocks.set(index, { kind: 'tool', toolIndex, argumentsLength: 0, input: block.input });
        chunks.push({ type: 'tool-call', index: toolIndex, id: block.id, name: block.name, argumentsDelta: '' });
        break;
      }
      default:
        // Server tools, web search results and the like have no chunk type yet.
        blocks.set(index, { kind: 'ignored' });
    }
  };

  const map = (event: RawMessageStreamEvent | { type: string }): Chunk[] => {
    if (stopped) return [];
    const chunks: Chunk[] = [];
    const known = event as RawMessageStreamEvent;
    switch (known.type) {
      case 'message_start': {
        if (!started) {
          started = true;
          chunks.push(startChunk(known.message.model || options.requestedModel, known.message.id || undefined));
        }
        mergeUsage(known.message.usage as WireUsage);
        break;
      }
      case 'content_block_start':
        ensureStarted(chunks);
        startBlock(known, chunks);
        break;
      case 'content_block_delta': {
        ensureStarted(chunks);
        const delta = known.delta;
        switch (delta.type) {
          case 'text_delta':
            if (delta.text) chunks.push({ type: 'text', text: delta.text });
            break;
          case 'thinking_delta':
            if (delta.thinking) chunks.push({ type: 'reasoning', text: delta.thinking });
            break;
          case 'signature_delta':
            chunks.push(reasoningMetadata({ signature: delta.signature }));
            break;
          case 'input_json_delta': {
            const block = blocks.get(known.index);
            if ((block?.kind === 'tool' || block?.kind === 'json') && delta.partial_json) {
              block.argumentsLength += delta.partial_json.length;
              chunks.push(
                block.kind === 'json'
                  ? { type: 'text', text: delta.partial_json }
                  : { type: 'tool-call', index: block.toolIndex, argumentsDelta: delta.partial_json },
              );
            }
            break;
          }
          default:
            break;
        }
        break;
      }
      case 'content_block_stop': {
        const block = blocks.get(known.index);
        // A call without arguments streams only an empty fragment; its JSON is the block's `input` (`{}`).
        if (block?.kind === 'tool' && block.argumentsLength === 0) {
          chunks.push({ type: 'tool-call', index: block.toolIndex, argumentsDelta: JSON.stringify(block.input ?? {}) });
        }
        if (block?.kind === 'json' && block.argumentsLength === 0) {
          chunks.push({ type: 'text', text: JSON.stringify(block.input ?? {}) });
        }
        blocks.delete(known.index);
        break;
      }
      case 'message_delta': {
        ensureStarted(chunks);
        if (known.delta.stop_reason) stopReason = known.delta.stop_reason;
        if (known.delta.stop_sequence) stopSequence = known.delta.stop_sequence;
        if (known.delta.stop_details) stopDetails = known.delta.stop_details;
        if (known.usage) {
          mergeUsage(known.usage as WireUsage);
          chunks.push(usageChunk());
        }
        break;
      }
      case 'message_stop': {
        ensureStarted(chunks);
        if (usageSeen && !usageEmitted) chunks.push(usageChunk());
        const metadata = {
          ...(stopSequence === undefined ? {} : { stopSequence }),
          ...(stopDetails === undefined ? {} : { stopDetails }),
        };
        // The forced JSON tool's call is the answer, not a call for the caller to run.
        const answeredAsJson = jsonAnswered && toolCount === 0 && stopReason === 'tool_use';
        chunks.push({
          type: 'finish',
          reason: answeredAsJson ? 'stop' : finishReasonFromStopReason(stopReason),
          ...(stopReason === undefined ? {} : { rawReason: stopReason }),
          ...(Object.keys(metadata).length === 0 ? {} : { providerMetadata: { anthropic: metadata } }),
        });
        stopped = true;
        break;
      }
      default:
        // `ping` and event types newer than this mapper carry nothing for the chunk stream.
        break;
    }
    return chunks;
  };

  return {
    map,
    end() {
      if (!stopped) throw truncatedStreamError(provider, 'message_stop');
    },
    get complete() {
      return stopped;
    },
  };
}
