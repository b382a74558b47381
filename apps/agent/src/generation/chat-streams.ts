import type { Redis } from 'ioredis';

/** The newest stream of one chat, for the UI message stream's resume request (`GET /api/chat/:chatId/stream`). */
export interface ChatStream {
  streamId: string;
  /** The assistant message the stream writes. */
  messageId: string;
}

/** Chat id → its newest stream, in this process or in Redis (several agents behind one address). */
export interface ChatStreams {
  set(chatId: string, stream: ChatStream): Promise<void>;
  get(chatId: string): Promise<ChatStream | undefined>;
}

/** How long a chat remembers its newest stream: as long as a generation that never finishes is kept. */
export const CHAT_STREAM_TTL_MS = 60 * 60_000;

function parse(text: string | null): ChatStream | undefined {
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as Partial<ChatStream>;
    return typeof value.streamId === 'string' && typeof value.messageId === 'string'
      ? { streamId: value.streamId, messageId: value.messageId }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Chat streams in this process: at most `maxChats` (the oldest goes first), each for `ttlMs`.
 *
 * @example
 * ```ts
 * const chats = memoryChatStreams(10_000);
 * await chats.set('chat-1', { streamId, messageId: `msg_${streamId}` });
 * ```
 */
export function memoryChatStreams(maxChats: number, ttlMs = CHAT_STREAM_TTL_MS, now = Date.now): ChatStreams {
  const chats = new Map<string, { stream: ChatStream; expiresAt: number }>();
  return {
    async set(chatId, stream) {
      chats.delete(chatId);
      chats.set(chatId, { stream, expiresAt: now() + ttlMs });
      for (const oldest of chats.keys()) {
        if (chats.size <= maxChats) break;
        chats.delete(oldest);
      }
    },
    async get(chatId) {
      const entry = chats.get(chatId);
      if (!entry) return undefined;
      if (entry.expiresAt > now()) return entry.stream;
      chats.delete(chatId);
      return undefined;
    },
  };
}

/**
 * Chat streams in Redis, one key per chat (`<prefix>chat:<chatId>`) that expires after `ttlMs`.
 *
 * @example
 * ```ts
 * const chats = redisChatStreams(redis);
 * await chats.get('chat-1'); // { streamId, messageId } or undefined
 * ```
 */
export function redisChatStreams(redis: Redis, ttlMs = CHAT_STREAM_TTL_MS, prefix = 'rxllm:'): ChatStreams {
  const key = (chatId: string) => `${prefix}chat:${chatId}`;
  return {
    async set(chatId, stream) {
      await redis.set(key(chatId), JSON.stringify(stream), 'PX', ttlMs);
    },
    get: async (chatId) => parse(await redis.get(key(chatId))),
  };
}
