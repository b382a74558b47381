import { isImageMediaType } from '@rxllm/core';
import { type ConversationMessage, storedMessage, type TurnImage } from './message-content.js';
import { parseToolCalls, type ToolCallView, type ToolTimeline } from './tool-calls.js';

/** The `sessionStorage` key of the tab's conversation. */
export const chatSessionKey = 'rxllm.chat';

/**
 * Characters of image previews saved with the transcript (the newest first); older images are saved by name only.
 * A tab's storage holds about 5 MiB, and the in-flight reply must always fit beside the conversation.
 */
export const THUMBNAIL_STORAGE_CHARS = 512 * 1024;

/** A finished (or stopped, failed, interrupted) reply, as it is shown. */
export interface SavedReply {
  role: 'assistant';
  text: string;
  reasoning: string;
  /** The tool calls the agent did not run, as shown (`tool call: name(arguments)` lines). */
  toolCalls: string;
  /** The tool calls the agent ran (its tool loop), each shown as a card where it happened in `text`. */
  tools?: ToolCallView[];
  /** `provider · model`. */
  label: string;
  /** The metrics line under the reply. */
  metrics: string;
  status: 'done' | 'stopped' | 'interrupted' | 'failed';
  error?: { kind: string; message: string };
}

/** A question as it is shown: its text and its images (never their bytes once saved). */
export interface SavedQuestion {
  role: 'user';
  text: string;
  images?: TurnImage[];
}

/** One entry of what the page shows, in order. */
export type SavedTurn = SavedQuestion | SavedReply;

/** A reply that was streaming when the page went away: what was shown, and where its stream stood. */
export interface InFlightReply {
  prompt: string;
  /** Unknown when the page went away before the agent answered. */
  streamId?: string;
  lastEventId: number;
  text: string;
  reasoning: string;
  toolCalls: Array<{ index: number; name: string; arguments: string }>;
  /** The tool loop's calls so far and the step it is in (absent in what an older page saved). */
  tools?: ToolTimeline;
  label: string;
  finishNote: string;
}

/** Everything the page keeps per tab, so a reload shows the same conversation and picks up a streaming reply. */
export interface ChatSession {
  /** What is sent to the agent with the next question; saved as text, `[image: name]` standing for each image. */
  conversation: ConversationMessage[];
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

function isMessage(value: unknown): value is ConversationMessage {
  return (
    isObject(value) &&
    (value.role === 'user' || value.role === 'assistant' || value.role === 'system') &&
    isString(value.content)
  );
}

const thumbnailPattern = /^data:image\/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+=*$/;

function isSavedImage(value: unknown): value is TurnImage {
  return (
    isObject(value) &&
    isString(value.name) &&
    isImageMediaType(value.mediaType) &&
    typeof value.bytes === 'number' &&
    value.data === undefined &&
    (value.thumbnail === undefined || (isString(value.thumbnail) && thumbnailPattern.test(value.thumbnail)))
  );
}

/** A saved question with its well-formed images (a broken image entry is dropped, not the question). */
function toQuestion(value: Record<string, unknown>): SavedQuestion | undefined {
  if (!isString(value.text)) return undefined;
  const images = Array.isArray(value.images) ? value.images.filter(isSavedImage) : [];
  return { role: 'user', text: value.text, ...(images.length > 0 ? { images } : {}) };
}

function isReply(value: Record<string, unknown>): value is Record<string, unknown> & SavedReply {
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

/** A saved reply with its well-formed tool calls (a broken one is dropped, not the reply). */
function toReply(value: Record<string, unknown>): SavedReply | undefined {
  if (!isReply(value)) return undefined;
  const { tools, ...reply } = value;
  const calls = parseToolCalls(tools);
  return calls.length > 0 ? { ...reply, tools: calls } : reply;
}

function toTurn(value: unknown): SavedTurn | undefined {
  if (!isObject(value)) return undefined;
  return value.role === 'user' ? toQuestion(value) : toReply(value);
}

function toTimeline(value: unknown): ToolTimeline | undefined {
  if (!isObject(value) || typeof value.step !== 'number') return undefined;
  return { step: value.step, calls: parseToolCalls(value.calls) };
}

function toInFlight(value: unknown): InFlightReply | undefined {
  if (!isInFlight(value)) return undefined;
  const { tools, ...inFlight } = value;
  const timeline = toTimeline(tools);
  return timeline ? { ...inFlight, tools: timeline } : inFlight;
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
  const inFlight = toInFlight(value.inFlight);
  return {
    conversation: value.conversation.filter(isMessage),
    transcript: value.transcript.map(toTurn).filter((turn) => turn !== undefined),
    ...(inFlight ? { inFlight } : {}),
  };
}

/** Images without their bytes, previews kept for the newest images only, so the tab's storage never fills up. */
function storedTranscript(transcript: readonly SavedTurn[]): SavedTurn[] {
  let budget = THUMBNAIL_STORAGE_CHARS;
  const stored: SavedTurn[] = [];
  for (let index = transcript.length - 1; index >= 0; index -= 1) {
    const turn = transcript[index] as SavedTurn;
    if (turn.role !== 'user' || !turn.images) {
      stored.push(turn);
      continue;
    }
    const images = turn.images.map(({ name, mediaType, bytes, thumbnail }): TurnImage => {
      const kept = thumbnail !== undefined && thumbnail.length <= budget;
      if (kept) budget -= thumbnail.length;
      return { name, mediaType, bytes, ...(kept ? { thumbnail } : {}) };
    });
    stored.push({ ...turn, images });
  }
  return stored.reverse();
}

/**
 * Saves the tab's conversation, never an image's bytes: the conversation with `[image: name]` for each image, the
 * transcript with the images' names and, within {@link THUMBNAIL_STORAGE_CHARS}, their small previews. Returns false when the storage refuses it (quota): the page goes on, only a reload
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
      const stored = {
        conversation: session.conversation.map(storedMessage),
        transcript: storedTranscript(session.transcript),
        ...(session.inFlight ? { inFlight: session.inFlight } : {}),
      };
      storage.setItem(chatSessionKey, JSON.stringify(stored));
    }
    return true;
  } catch {
    return false;
  }
}
