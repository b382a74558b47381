import type { ChatMessage } from './chat-api.js';

/** The `sessionStorage` key of the tab's conversation. */
export const chatSessionKey = 'rxllm.chat';

/** A finished (or stopped, failed, interrupted) reply, as it is shown. */
export interface SavedReply {
  role: 'assistant';
  text: string;
  reasoning: string;
  /** The tool calls as shown (`tool call: name(arguments)` lines). */
  toolCalls: string;
  /** `provider · model`. */
  label: string;
  /** The metrics line under the reply. */
  metrics: string;
  status: 'done' | 'stopped' | 'interrupted' | 'failed';
  error?: { kind: string; message: string };
}

/** One entry of what the page shows, in order. */
export type SavedTurn = { role: 'user'; text: string } | SavedReply;

/** A reply that was streaming when the page went away: what was shown, and where its stream stood. */
export interface InFlightReply {
  prompt: string;
  /** Unknown when the page went away before the agent answered. */
  streamId?: string;
  lastEventId: number;
  text: string;
  reasoning: string;
  toolCalls: Array<{ index: number; name: string; arguments: string }>;
  label: string;
  finishNote: string;
}

/** Everything the page keeps per tab, so a reload shows the same conversation and picks up a streaming reply. */
export interface ChatSession {
  /** What is sent to the agent with the next question. */
  conversation: ChatMessage[];
  transcript: SavedTurn[];
  inFlight?: InFlightReply;
}

/** The storage calls this module uses (`sessionStorage` in the page, a map in tests). */
export type SessionStorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isMessage(value: unknown): value is ChatMessage {
  return (
    isObject(value) &&
    (value.role === 'user' || value.role === 'assistant' || value.role === 'system') &&
    isString(value.content)
  );
}

function isTurn(value: unknown): value is SavedTurn {
  if (!isObject(value)) return false;
  if (value.role === 'user') return isString(value.text);
  return (
    value.role === 'assistant' &&
    isString(value.text) &&
    isString(value.reasoning) &&
    isString(value.toolCalls) &&
    isString(value.label) &&
    isString(value.metrics) &&
    ['done', 'stopped', 'interrupted', 'failed'].includes(value.status as string)
  );
}

function isInFlight(value: unknown): value is InFlightReply {
  return (
    isObject(value) &&
    isString(value.prompt) &&
    (value.streamId === undefined || isString(value.streamId)) &&
    typeof value.lastEventId === 'number' &&
    isString(value.text) &&
    isString(value.reasoning) &&
    Array.isArray(value.toolCalls) &&
    isString(value.label) &&
    isString(value.finishNote)
  );
}

/**
 * The tab's saved conversation; an empty one when there is none or it is unreadable (another version of the page,
 * a hand-edited value): a broken entry must never stop the page from loading.
 *
 * @example
 * ```ts
 * const session = loadChatSession(sessionStorage);
 * for (const turn of session.transcript) render(turn);
 * if (session.inFlight?.streamId) resume(session.inFlight);
 * ```
 */
export function loadChatSession(storage: SessionStorageLike): ChatSession {
  let value: unknown;
  try {
    value = JSON.parse(storage.getItem(chatSessionKey) ?? 'null');
  } catch {
    value = null;
  }
  if (!isObject(value) || !Array.isArray(value.conversation) || !Array.isArray(value.transcript)) {
    return { conversation: [], transcript: [] };
  }
  return {
    conversation: value.conversation.filter(isMessage),
    transcript: value.transcript.filter(isTurn),
    ...(isInFlight(value.inFlight) ? { inFlight: value.inFlight } : {}),
  };
}

/**
 * Saves the tab's conversation. Returns false when the storage refuses it (quota): the page goes on, only a reload
 * would lose the newest part.
 *
 * @example
 * ```ts
 * saveChatSession(sessionStorage, { conversation, transcript, inFlight });
 * ```
 */
export function saveChatSession(storage: SessionStorageLike, session: ChatSession): boolean {
  try {
    if (session.conversation.length === 0 && session.transcript.length === 0 && !session.inFlight) {
      storage.removeItem(chatSessionKey);
    } else {
      storage.setItem(chatSessionKey, JSON.stringify(session));
    }
    return true;
  } catch {
    return false;
  }
}
