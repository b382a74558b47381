import type { FinishReason } from '@rxllm/core';
import type { AgentEvent, ErrorPayload, NumberedEvent } from '@rxllm/protocol';
import { type ApprovalSigner, approvalIdOf } from './approval-signature.js';

/** One chunk of the AI SDK's UI message stream (`uiMessageChunkSchema` in `ai`), as it goes on the wire. */
export type UiMessageChunk = { type: string } & Record<string, unknown>;

/** How the encoder of one reply names and signs what it sends. */
export interface UiStreamIdentity {
  /** The assistant message's id: `msg_<streamId>`, or the message a continuation adds to. */
  messageId: string;
  signer: ApprovalSigner;
  /**
   * The step that only replays calls the client already shows (a continuation after approvals): of it, only the
   * tool results are sent.
   */
  replayedStep?: number;
}

/** The UI stream's `finish.finishReason` values are the core's own. */
const finishReasons = new Set<FinishReason>(['stop', 'length', 'content-filter', 'tool-calls', 'error', 'other']);

function errorText(error: ErrorPayload): string {
  return `${error.kind}: ${error.message}`;
}

/**
 * Turns one reply's agent events into UI message stream chunks: `start` (with the message id) → `start`; each step
 * → `start-step` … `finish-step` (a generation without tools is one step); text and reasoning → `text-*` /
 * `reasoning-*` parts, a new part after anything else came between; `tool-call` fragments →
 * `tool-input-start`/`-delta`, `tool-call-ready` → `tool-input-available` (`tool-input-error` for arguments that are
 * not JSON); `tool-approval-request` → the same with a signed `approvalId`; `tool-result` →
 * `tool-output-available` (`preliminary` for a streamed value), `-error` or `-denied`; `failover` → a
 * `data-failover` part (`{from, to, reason, mode}`); `done` → `finish` with the
 * model's last finish reason; `error` → `error` (`kind: message`).
 *
 * @example
 * ```ts
 * const encoder = new UiStreamEncoder({ messageId: 'msg_1', signer });
 * encoder.push({ type: 'text', text: 'Hi' }); // [{ type: 'start-step' }, { type: 'text-start', id: 't1' }, { type: 'text-delta', id: 't1', delta: 'Hi' }]
 * ```
 */
export class UiStreamEncoder {
  private started = false;
  private stepOpen = false;
  private step = 0;
  private text: string | undefined;
  private reasoning: string | undefined;
  private parts = 0;
  /** The call id of each `tool-call` index in the current step. */
  private readonly calls = new Map<number, string>();
  private finishReason: FinishReason | undefined;

  constructor(private readonly identity: UiStreamIdentity) {}

  push(event: AgentEvent): UiMessageChunk[] {
    const out: UiMessageChunk[] = [];
    if (event.type === 'start') {
      if (!this.started) out.push({ type: 'start', messageId: this.identity.messageId });
      this.started = true;
      return out;
    }
    if (event.type === 'step-start') {
      this.closeParts(out);
      this.step = event.step;
      this.calls.clear();
      if (!this.replaying()) this.openStep(out);
      return out;
    }
    if (event.type === 'done' || event.type === 'error') {
      this.closeParts(out);
      if (event.type === 'error') {
        out.push({ type: 'error', errorText: errorText(event.error) });
        return out;
      }
      this.closeStep(out);
      out.push({ type: 'finish', finishReason: this.finishReason ?? 'other' });
      return out;
    }
    if (event.type === 'tool-result') return this.toolResult(event, out);
    if (this.replaying()) return out;
    switch (event.type) {
      case 'text':
      case 'reasoning':
        return this.content(event.type, event.text, out);
      case 'tool-call':
        return this.toolInput(event, out);
      case 'tool-call-ready': {
        this.openStep(out);
        if (event.input === undefined && event.arguments.trim() !== '') {
          out.push({
            type: 'tool-input-error',
            toolCallId: event.id,
            toolName: event.name,
            input: event.arguments,
            errorText: 'the arguments are not JSON',
          });
        } else
          out.push({
            type: 'tool-input-available',
            toolCallId: event.id,
            toolName: event.name,
            input: event.input ?? {},
          });
        return out;
      }
      case 'tool-approval-request': {
        const approvalId = approvalIdOf(event.toolCallId);
        const signature = this.identity.signer.sign({
          approvalId,
          toolCallId: event.toolCallId,
          toolName: event.name,
          input: event.input ?? {},
        });
        out.push({ type: 'tool-approval-request', approvalId, toolCallId: event.toolCallId, signature });
        return out;
      }
      case 'finish':
        this.closeParts(out);
        if (finishReasons.has(event.reason)) this.finishReason = event.reason;
        return out;
      case 'failover':
        // A data part the page can show as a note: the text parts before and after it are one answer.
        this.closeParts(out);
        out.push({
          type: 'data-failover',
          data: { from: event.from, to: event.to, reason: event.reason, mode: event.mode },
        });
        return out;
      case 'step-finish':
        this.closeParts(out);
        this.closeStep(out);
        return out;
      default:
        // usage and object events have no chunk of their own.
        return out;
    }
  }

  private replaying(): boolean {
    return this.identity.replayedStep !== undefined && this.step === this.identity.replayedStep;
  }

  private openStep(out: UiMessageChunk[]): void {
    if (this.stepOpen) return;
    this.stepOpen = true;
    out.push({ type: 'start-step' });
  }

  private closeStep(out: UiMessageChunk[]): void {
    if (!this.stepOpen) return;
    this.stepOpen = false;
    out.push({ type: 'finish-step' });
  }

  private closeParts(out: UiMessageChunk[]): void {
    if (this.text !== undefined) out.push({ type: 'text-end', id: this.text });
    if (this.reasoning !== undefined) out.push({ type: 'reasoning-end', id: this.reasoning });
    this.text = undefined;
    this.reasoning = undefined;
  }

  private content(kind: 'text' | 'reasoning', delta: string, out: UiMessageChunk[]): UiMessageChunk[] {
    this.openStep(out);
    const open = kind === 'text' ? this.text : this.reasoning;
    let id = open;
    if (id === undefined) {
      this.closeParts(out);
      this.parts += 1;
      id = `${kind === 'text' ? 'text' : 'reasoning'}-${this.parts}`;
      out.push({ type: `${kind}-start`, id });
      if (kind === 'text') this.text = id;
      else this.reasoning = id;
    }
    out.push({ type: `${kind}-delta`, id, delta });
    return out;
  }

  private toolInput(event: Extract<AgentEvent, { type: 'tool-call' }>, out: UiMessageChunk[]): UiMessageChunk[] {
    this.openStep(out);
    this.closeParts(out);
    let toolCallId = this.calls.get(event.index);
    if (toolCallId === undefined) {
      // The first fragment of a call names it; without an id the call appears at `tool-call-ready`.
      if (event.id === undefined || event.name === undefined) return out;
      toolCallId = event.id;
      this.calls.set(event.index, toolCallId);
      out.push({ type: 'tool-input-start', toolCallId, toolName: event.name });
    }
    if (event.argumentsDelta !== '') {
      out.push({ type: 'tool-input-delta', toolCallId, inputTextDelta: event.argumentsDelta });
    }
    return out;
  }

  private toolResult(event: Extract<AgentEvent, { type: 'tool-result' }>, out: UiMessageChunk[]): UiMessageChunk[] {
    const { toolCallId } = event;
    if (event.denied) out.push({ type: 'tool-output-denied', toolCallId });
    else if (event.error) out.push({ type: 'tool-output-error', toolCallId, errorText: event.error.message });
    else {
      out.push({
        type: 'tool-output-available',
        toolCallId,
        output: event.output ?? null,
        ...(event.partial ? { preliminary: true } : {}),
      });
    }
    return out;
  }
}

/** One chunk as an SSE event: `data: <json>` and a blank line (the UI stream has no `event:` or `id:` lines). */
export const encodeUiChunk = (chunk: UiMessageChunk) => `data: ${JSON.stringify(chunk)}\n\n`;

/** The end of every UI message stream, after its `finish` or `error`. */
export const uiStreamTrailer = () => 'data: [DONE]\n\n';

/**
 * The `encode` of `serveSse` for one UI stream reply.
 *
 * @example
 * ```ts
 * serveSse({ response, events, streamId, ...settings, encode: uiChunkEncoder(identity), trailer: uiStreamTrailer });
 * ```
 */
export function uiChunkEncoder(identity: UiStreamIdentity): (event: NumberedEvent) => string {
  const encoder = new UiStreamEncoder(identity);
  return ({ event }) => encoder.push(event).map(encodeUiChunk).join('');
}
