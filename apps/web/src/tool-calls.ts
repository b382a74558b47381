import type { AgentEvent } from '@rxllm/protocol';

/**
 * Where a tool call stands: `preparing` while the model streams its arguments, `running` once the agent has it
 * (and after an approval), `awaiting-approval` until someone decides, then `done`, `failed` or `denied`;
 * `unfinished` when the reply ended (stopped, failed, reloaded) before its result came.
 */
export type ToolCallStatus =
  | 'preparing'
  | 'running'
  | 'awaiting-approval'
  | 'done'
  | 'failed'
  | 'denied'
  | 'unfinished';

/** The page's side of an approval: `sending` while the decision is on its way, `sent` once the agent took it. */
export interface ToolApproval {
  /** `refused`: the agent answered 4xx (the call no longer waits, or no such generation); no second try. */
  phase: 'asked' | 'sending' | 'sent' | 'refused';
  /** The decision sent (or being sent). */
  approved?: boolean;
  /** Why the agent refused the decision (a 4xx, or no connection), shown under the buttons. */
  problem?: string;
}

/** One tool call of a reply, as its card shows it; plain data, saved with the reply. */
export interface ToolCallView {
  step: number;
  /** The call's index in its step (as in the streamed `tool-call` fragments). */
  index: number;
  /** The tool call id, once the agent named it. */
  id?: string;
  name: string;
  /** The arguments' JSON text as the model sent it (cut at {@link MAX_TOOL_TEXT_CHARS}). */
  arguments: string;
  status: ToolCallStatus;
  /** Characters of the reply's text before the call: where the card sits in the reply. */
  at: number;
  /** The output as text (a string as it is, anything else as indented JSON), cut at {@link MAX_TOOL_TEXT_CHARS}. */
  output?: string;
  /** The output's full length when it was cut. */
  outputChars?: number;
  error?: { kind: string; message: string };
  durationMs?: number;
  approval?: ToolApproval;
}

/** A reply's tool calls and the step the stream is in (0: no `step-start` yet, so no tool loop). */
export interface ToolTimeline {
  step: number;
  calls: ToolCallView[];
}

/** Characters of a tool's arguments or output the page keeps: a card is a glance, not a file viewer. */
export const MAX_TOOL_TEXT_CHARS = 16_000;

const settledStatuses: ReadonlySet<ToolCallStatus> = new Set(['done', 'failed', 'denied', 'unfinished']);

/**
 * A value as the card shows it: a string as it is, anything else as indented JSON (`undefined` as empty).
 *
 * @example
 * ```ts
 * toolValueText(42); // '42'
 * toolValueText({ a: 1 }); // '{\n  "a": 1\n}'
 * ```
 */
export function toolValueText(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Arguments' JSON text, indented for reading; left as it is when it is not JSON (the model's own words).
 *
 * @example
 * ```ts
 * toolInputText('{"expression":"6 * 7"}'); // '{\n  "expression": "6 * 7"\n}'
 * ```
 */
export function toolInputText(argumentsText: string): string {
  if (argumentsText.trim() === '') return '{}';
  try {
    return JSON.stringify(JSON.parse(argumentsText), null, 2);
  } catch {
    return argumentsText;
  }
}

/**
 * A text on one line for a card's summary: whitespace runs become one space, cut with `…` past `maxChars`
 * (by code point, so an emoji is never split).
 *
 * @example
 * ```ts
 * oneLine('{\n  "a": 1\n}'); // '{ "a": 1 }'
 * ```
 */
export function oneLine(text: string, maxChars = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const characters = Array.from(flat);
  return characters.length > maxChars ? `${characters.slice(0, maxChars - 1).join('')}…` : flat;
}

function capped(text: string): string {
  return text.length > MAX_TOOL_TEXT_CHARS ? text.slice(0, MAX_TOOL_TEXT_CHARS) : text;
}

function findCall(timeline: ToolTimeline, id: string | undefined, step: number, index?: number) {
  return timeline.calls.find(
    (call) =>
      (id !== undefined && call.id === id) || (call.step === step && index !== undefined && call.index === index),
  );
}

function addCall(timeline: ToolTimeline, fields: Omit<ToolCallView, 'status' | 'arguments'>): ToolCallView {
  const call: ToolCallView = { ...fields, arguments: '', status: 'preparing' };
  timeline.calls.push(call);
  return call;
}

type EventOf<TType extends AgentEvent['type']> = Extract<AgentEvent, { type: TType }>;

function onFragment(timeline: ToolTimeline, event: EventOf<'tool-call'>, at: number): ToolCallView {
  const call =
    findCall(timeline, undefined, timeline.step, event.index) ??
    addCall(timeline, { step: timeline.step, index: event.index, name: event.name ?? 'tool', at });
  if (event.id && !call.id) call.id = event.id;
  if (event.name && call.name === 'tool') call.name = event.name;
  call.arguments = capped(call.arguments + event.argumentsDelta);
  return call;
}

function onReady(timeline: ToolTimeline, event: EventOf<'tool-call-ready'>, at: number): ToolCallView {
  const call =
    findCall(timeline, event.id, event.step, event.index) ??
    addCall(timeline, { step: event.step, index: event.index, name: event.name, at });
  call.id = event.id;
  call.name = event.name;
  call.arguments = capped(event.arguments);
  if (call.status === 'preparing') call.status = 'running';
  return call;
}

function onApprovalRequest(timeline: ToolTimeline, event: EventOf<'tool-approval-request'>, at: number) {
  const call =
    findCall(timeline, event.toolCallId, event.step) ??
    addCall(timeline, { step: event.step, index: timeline.calls.length, id: event.toolCallId, name: event.name, at });
  if (call.arguments === '') call.arguments = capped(JSON.stringify(event.input ?? {}) ?? '{}');
  if (!settledStatuses.has(call.status)) {
    call.status = 'awaiting-approval';
    call.approval = { phase: 'asked' };
  }
  return call;
}

function onResult(timeline: ToolTimeline, event: EventOf<'tool-result'>, at: number): ToolCallView {
  const call =
    findCall(timeline, event.toolCallId, event.step) ??
    addCall(timeline, { step: event.step, index: timeline.calls.length, id: event.toolCallId, name: event.name, at });
  if (event.output !== undefined) {
    const text = toolValueText(event.output);
    call.output = capped(text);
    if (text.length > MAX_TOOL_TEXT_CHARS) call.outputChars = text.length;
    else delete call.outputChars;
  }
  if (event.partial) {
    if (call.status !== 'awaiting-approval') call.status = 'running';
    return call;
  }
  call.durationMs = event.durationMs;
  if (event.denied || event.error?.kind === 'denied') {
    call.status = 'denied';
    call.error = { kind: 'denied', message: event.error?.message ?? '' };
  } else if (event.error) {
    call.status = 'failed';
    call.error = { kind: event.error.kind, message: event.error.message };
  } else {
    call.status = 'done';
  }
  return call;
}

/**
 * Applies one event of a reply to its tool calls and returns the call it changed (to update that call's card), or
 * `undefined` when it changed none. `at` is the length of the reply's text so far: a new call's card goes there.
 * Streamed `tool-call` fragments make a `preparing` card only inside a tool loop (after a `step-start`); without one
 * the agent runs no tool and the page shows those calls as plain text, as before.
 *
 * @example
 * ```ts
 * const timeline: ToolTimeline = { step: 0, calls: [] };
 * for await (const event of streamChat(request)) {
 *   const changed = applyToolEvent(timeline, event, text.length);
 *   if (changed) cards.update(changed);
 * }
 * ```
 */
export function applyToolEvent(timeline: ToolTimeline, event: AgentEvent, at: number): ToolCallView | undefined {
  switch (event.type) {
    case 'step-start':
      timeline.step = event.step;
      return undefined;
    case 'tool-call':
      return timeline.step > 0 ? onFragment(timeline, event, at) : undefined;
    case 'tool-call-ready':
      return onReady(timeline, event, at);
    case 'tool-approval-request':
      return onApprovalRequest(timeline, event, at);
    case 'tool-result':
      return onResult(timeline, event, at);
    default:
      return undefined;
  }
}

/**
 * Marks every call still waiting as `unfinished` (the reply ended without its result) and returns those calls.
 *
 * @example
 * ```ts
 * for (const call of settleToolCalls(timeline)) cards.update(call);
 * ```
 */
export function settleToolCalls(timeline: ToolTimeline): ToolCallView[] {
  const changed = timeline.calls.filter((call) => !settledStatuses.has(call.status));
  for (const call of changed) {
    call.status = 'unfinished';
    delete call.approval;
  }
  return changed;
}

/**
 * True when the card should offer Approve and Deny: the call waits for a decision and none is on its way.
 *
 * @example
 * ```ts
 * approveButton.disabled = !canDecide(call);
 * ```
 */
export function canDecide(call: ToolCallView): boolean {
  return call.status === 'awaiting-approval' && call.approval?.phase === 'asked' && call.id !== undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

const statuses: ReadonlySet<string> = new Set([...settledStatuses, 'preparing', 'running', 'awaiting-approval']);

function isOptional(value: unknown, type: 'string' | 'number'): boolean {
  return value === undefined || typeof value === type;
}

function isErrorField(value: unknown): boolean {
  return (
    value === undefined || (isObject(value) && typeof value.kind === 'string' && typeof value.message === 'string')
  );
}

function isToolCallView(value: unknown): value is ToolCallView {
  return (
    isObject(value) &&
    typeof value.step === 'number' &&
    typeof value.index === 'number' &&
    typeof value.at === 'number' &&
    typeof value.name === 'string' &&
    typeof value.arguments === 'string' &&
    statuses.has(value.status as string) &&
    isOptional(value.id, 'string') &&
    isOptional(value.output, 'string') &&
    isOptional(value.outputChars, 'number') &&
    isOptional(value.durationMs, 'number') &&
    isErrorField(value.error)
  );
}

/**
 * The well-formed tool calls of a saved reply (a malformed entry is dropped). A call that was waiting for a decision
 * when the page went away offers Approve and Deny again (the agent answers 409 if it already took one).
 *
 * @example
 * ```ts
 * const calls = parseToolCalls(JSON.parse(saved).tools);
 * ```
 */
export function parseToolCalls(value: unknown): ToolCallView[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isToolCallView).map((call) => {
    const { approval, ...rest } = call;
    if (call.status === 'awaiting-approval') return { ...rest, approval: { phase: 'asked' } };
    // Which way a settled call was decided stays on its card.
    const decided = isObject(approval) && approval.phase === 'sent' && typeof approval.approved === 'boolean';
    return decided ? { ...rest, approval: { phase: 'sent', approved: approval.approved as boolean } } : rest;
  });
}
