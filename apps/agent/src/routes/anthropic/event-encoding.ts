import { type Chunk, type FinishReason, isToolLoopChunk, type Usage } from '@rxllm/core';
import { type AgentEvent, type NumberedEvent, toJsonLine } from '@rxllm/protocol';
import { anthropicErrorBody } from './errors.js';

/** What every event and body of one reply repeats. */
export interface MessageIdentity {
  /** `msg_…` */
  id: string;
  /** The model the client asked for. */
  model: string;
  /** The prefix of a tool call id the upstream did not give (`toolu_…`). */
  toolIdPrefix: string;
}

/** One content block of the reply, as the non-streaming body and the SDK's `finalMessage()` hold it. */
export type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

/** One Anthropic stream event: the `event:` name is its `type`. */
export type MessageStreamEvent = { type: string } & Record<string, unknown>;

/** Anthropic's stop reasons, which a vendor reason may already be (the Anthropic provider passes its own on). */
const stopReasons = new Set(['end_turn', 'max_tokens', 'stop_sequence', 'tool_use', 'pause_turn', 'refusal']);

const stopReasonByFinish: Record<FinishReason, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  'tool-calls': 'tool_use',
  'content-filter': 'refusal',
  error: 'end_turn',
  other: 'end_turn',
};

/**
 * The Anthropic `stop_reason` of a core finish: the vendor's own reason when it is one of Anthropic's (so
 * `stop_sequence`, `pause_turn` and `refusal` survive), else stop → `end_turn`, length → `max_tokens`, tool-calls →
 * `tool_use`, content-filter → `refusal`.
 *
 * @example
 * ```ts
 * stopReason('length', 'MAX_TOKENS'); // 'max_tokens'
 * stopReason('stop', 'stop_sequence'); // 'stop_sequence'
 * ```
 */
export function stopReason(reason: FinishReason | undefined, rawReason: string | undefined): string {
  if (rawReason !== undefined && stopReasons.has(rawReason)) return rawReason;
  return stopReasonByFinish[reason ?? 'stop'];
}

/**
 * Anthropic's usage object from the core's counts, passed on as the vendor reported them (`input_tokens` is the
 * upstream's input count; an OpenAI upstream's includes its cached tokens). Counts the core does not know are null.
 *
 * @example
 * ```ts
 * anthropicUsage({ inputTokens: 12, outputTokens: 30 });
 * // { input_tokens: 12, cache_creation_input_tokens: null, cache_read_input_tokens: null, output_tokens: 30 }
 * ```
 */
export function anthropicUsage(usage: Usage | undefined) {
  return {
    input_tokens: usage?.inputTokens ?? 0,
    cache_creation_input_tokens: null,
    cache_read_input_tokens: usage?.cachedInputTokens ?? null,
    output_tokens: usage?.outputTokens ?? 0,
    ...(usage?.reasoningTokens === undefined
      ? {}
      : { output_tokens_details: { thinking_tokens: usage.reasoningTokens } }),
  };
}

interface OpenBlock {
  index: number;
  kind: ContentBlock['type'];
}

/** The Anthropic metadata of a chunk (`signature`, `redactedThinking`, `stopSequence`), if any. */
function anthropicMetadata(chunk: Chunk): Record<string, unknown> {
  const metadata = chunk.providerMetadata?.anthropic;
  return typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>) : {};
}

function parseInput(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json === '' ? '{}' : json);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/**
 * Turns one reply's agent events into Anthropic Messages stream events, and keeps the content they add up to.
 * `start` → `message_start` and a `ping`; `text` → a `text` block of `text_delta`s; `reasoning` → a `thinking` block
 * of `thinking_delta`s (and a `signature_delta` when the chunk carries Anthropic's signature); `tool-call` → a
 * `tool_use` block per call with `input_json_delta` fragments; `done` → `content_block_stop` of the open block,
 * `message_delta` (stop reason, stop sequence, usage) and `message_stop`; `error` → an `error` event (the stream then
 * ends without `message_stop`, as Anthropic's does). A block closes when a chunk of another kind arrives.
 *
 * @example
 * ```ts
 * const assembler = new MessageAssembler({ id: 'msg_1', model: 'claude-sonnet-4-5', toolIdPrefix: 'toolu_1' });
 * assembler.push({ type: 'text', text: 'Hi' }); // [message_start, ping, content_block_start, content_block_delta]
 * assembler.message(); // { id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Hi' }], … }
 * ```
 */
export class MessageAssembler {
  private readonly content: ContentBlock[] = [];
  private readonly toolArguments = new Map<number, { block: number; json: string }>();
  private open: OpenBlock | undefined;
  private started = false;
  private usage: Usage | undefined;
  private finish: { reason: FinishReason; rawReason: string | undefined; stopSequence: string | null } | undefined;

  constructor(private readonly identity: MessageIdentity) {}

  /** The stream events of one agent event, in order. */
  push(event: AgentEvent): MessageStreamEvent[] {
    if (event.type === 'error') return [anthropicErrorBody(event.error)];
    if (event.type === 'done') return [...this.ensureStarted(), ...this.closeBlock(), ...this.end()];
    if (event.type === 'object' || isToolLoopChunk(event)) return [];
    return this.chunk(event);
  }

  /** The whole reply as the non-streaming body. */
  message() {
    return {
      id: this.identity.id,
      type: 'message',
      role: 'assistant',
      model: this.identity.model,
      content: this.content.map((block) =>
        block.type === 'tool_use' ? { ...block, input: parseInput(this.argumentsOf(block.id)) } : block,
      ),
      stop_reason: this.finish ? stopReason(this.finish.reason, this.finish.rawReason) : 'end_turn',
      stop_sequence: this.finish?.stopSequence ?? null,
      usage: anthropicUsage(this.usage),
    };
  }

  private argumentsOf(id: string): string {
    for (const call of this.toolArguments.values()) {
      const block = this.content[call.block];
      if (block?.type === 'tool_use' && block.id === id) return call.json;
    }
    return '';
  }

  private chunk(chunk: Chunk): MessageStreamEvent[] {
    const events = this.ensureStarted();
    switch (chunk.type) {
      case 'start':
      // A failover has no Anthropic event: the answer's blocks just go on.
      case 'failover':
        return events;
      case 'text':
        if (chunk.text === '') return events;
        return [...events, ...this.delta('text', { type: 'text', text: '' }, { type: 'text_delta', text: chunk.text })];
      case 'reasoning':
        return [...events, ...this.reasoning(chunk)];
      case 'tool-call':
        return [...events, ...this.toolCall(chunk)];
      case 'usage':
        this.usage = { ...this.usage, ...chunk.usage };
        return events;
      case 'finish': {
        const stopSequence = anthropicMetadata(chunk).stopSequence;
        this.finish = {
          reason: chunk.reason,
          rawReason: chunk.rawReason,
          stopSequence: typeof stopSequence === 'string' ? stopSequence : null,
        };
        return events;
      }
    }
  }

  private ensureStarted(): MessageStreamEvent[] {
    if (this.started) return [];
    this.started = true;
    const { id, model } = this.identity;
    const message = {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: anthropicUsage(this.usage),
    };
    // Anthropic's own streams ping right after the start; the agent's heartbeats are SSE comments.
    return [{ type: 'message_start', message }, { type: 'ping' }];
  }

  private reasoning(chunk: Extract<Chunk, { type: 'reasoning' }>): MessageStreamEvent[] {
    const { signature, redactedThinking } = anthropicMetadata(chunk);
    if (typeof redactedThinking === 'string') {
      const block: ContentBlock = { type: 'redacted_thinking', data: redactedThinking };
      return [...this.openBlock('redacted_thinking', block), ...this.closeBlock()];
    }
    const events: MessageStreamEvent[] = [];
    const empty = { type: 'thinking', thinking: '', signature: '' } as const;
    if (chunk.text !== '')
      events.push(...this.delta('thinking', empty, { type: 'thinking_delta', thinking: chunk.text }));
    if (typeof signature === 'string') {
      events.push(...this.delta('thinking', empty, { type: 'signature_delta', signature }));
    }
    return events;
  }

  private toolCall(chunk: Extract<Chunk, { type: 'tool-call' }>): MessageStreamEvent[] {
    const events: MessageStreamEvent[] = [];
    let call = this.toolArguments.get(chunk.index);
    if (!call) {
      const id = chunk.id ?? `${this.identity.toolIdPrefix}_${chunk.index}`;
      const block: ContentBlock = { type: 'tool_use', id, name: chunk.name ?? '', input: {} };
      events.push(...this.openBlock('tool_use', block));
      call = { block: this.content.length - 1, json: '' };
      this.toolArguments.set(chunk.index, call);
    }
    if (chunk.argumentsDelta === '') return events;
    call.json += chunk.argumentsDelta;
    events.push({
      type: 'content_block_delta',
      index: call.block,
      delta: { type: 'input_json_delta', partial_json: chunk.argumentsDelta },
    });
    return events;
  }

  /** A delta in the open block of `kind`, opening one (and closing any other) first. */
  private delta(
    kind: 'text' | 'thinking',
    empty: ContentBlock,
    delta:
      | { type: 'text_delta'; text: string }
      | { type: 'thinking_delta'; thinking: string }
      | { type: 'signature_delta'; signature: string },
  ): MessageStreamEvent[] {
    const events = this.open?.kind === kind ? [] : [...this.closeBlock(), ...this.openBlock(kind, { ...empty })];
    const index = (this.open as OpenBlock).index;
    const block = this.content[index] as ContentBlock;
    if (block.type === 'text' && delta.type === 'text_delta') block.text += delta.text;
    if (block.type === 'thinking' && delta.type === 'thinking_delta') block.thinking += delta.thinking;
    if (block.type === 'thinking' && delta.type === 'signature_delta') block.signature = delta.signature;
    events.push({ type: 'content_block_delta', index, delta });
    return events;
  }

  private openBlock(kind: OpenBlock['kind'], block: ContentBlock): MessageStreamEvent[] {
    const events = this.closeBlock();
    const index = this.content.length;
    this.content.push(block);
    this.open = { index, kind };
    events.push({ type: 'content_block_start', index, content_block: { ...block } });
    return events;
  }

  private closeBlock(): MessageStreamEvent[] {
    if (!this.open) return [];
    const { index } = this.open;
    this.open = undefined;
    return [{ type: 'content_block_stop', index }];
  }

  private end(): MessageStreamEvent[] {
    const body = this.message();
    return [
      {
        type: 'message_delta',
        delta: { stop_reason: body.stop_reason, stop_sequence: body.stop_sequence },
        usage: body.usage,
      },
      { type: 'message_stop' },
    ];
  }
}

/**
 * One stream event as SSE: `event: <type>` and its JSON as `data:`, as Anthropic writes them.
 *
 * @example
 * ```ts
 * encodeMessageEvent({ type: 'ping' }); // 'event: ping\ndata: {"type":"ping"}\n\n'
 * ```
 */
export function encodeMessageEvent(event: MessageStreamEvent): string {
  return `event: ${event.type}\ndata: ${toJsonLine(event)}\n\n`;
}

/**
 * The encoder of one streamed reply for `serveSse`: each agent event becomes its Anthropic stream events.
 *
 * @example
 * ```ts
 * serveSse({ response, events, streamId, ...settings, encode: messageEventEncoder(identity) });
 * ```
 */
export function messageEventEncoder(identity: MessageIdentity): (event: NumberedEvent) => string {
  const assembler = new MessageAssembler(identity);
  return ({ event }) => assembler.push(event).map(encodeMessageEvent).join('');
}
