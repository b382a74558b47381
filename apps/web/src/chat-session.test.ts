import { describe, expect, it } from 'vitest';
import { type ChatSession, chatSessionKey, loadChatSession, saveChatSession } from './chat-session.js';

function memoryStorage(initial: Record<string, string> = {}) {
  const values = new Map(Object.entries(initial));
  return {
    values,
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => {
      values.set(key, value);
    },
    removeItem: (key: string) => {
      values.delete(key);
    },
  };
}

const session: ChatSession = {
  conversation: [
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: 'hello' },
    { role: 'user', content: 'a story' },
  ],
  transcript: [
    { role: 'user', text: 'hi' },
    {
      role: 'assistant',
      text: 'hello',
      reasoning: '',
      toolCalls: '',
      label: 'openai · gpt',
      metrics: '2 chunks',
      status: 'done',
    },
    { role: 'user', text: 'a story' },
  ],
  inFlight: {
    prompt: 'a story',
    streamId: '9a241c23-33d9-4fda-9072-22e97ee8f075',
    lastEventId: 12,
    text: 'Once upon',
    reasoning: '',
    toolCalls: [{ index: 0, name: 'lookup', arguments: '{"q"' }],
    label: 'openai · gpt',
    finishNote: '',
  },
};

describe('chat session storage', () => {
  it('saves and loads the conversation, the transcript and the in-flight reply', () => {
    const storage = memoryStorage();
    expect(saveChatSession(storage, session)).toBe(true);
    expect(loadChatSession(storage)).toEqual(session);
  });

  it('loads an empty session when nothing or garbage is stored, and drops malformed entries', () => {
    expect(loadChatSession(memoryStorage())).toEqual({ conversation: [], transcript: [] });
    expect(loadChatSession(memoryStorage({ [chatSessionKey]: '{not json' }))).toEqual({
      conversation: [],
      transcript: [],
    });
    const mixed = {
      conversation: [{ role: 'user', content: 'kept' }, { role: 'robot', content: 'dropped' }, 'dropped'],
      transcript: [
        { role: 'user', text: 'kept' },
        { role: 'assistant', text: 'no status' },
      ],
      inFlight: { prompt: 'p', lastEventId: 'not a number' },
    };
    expect(loadChatSession(memoryStorage({ [chatSessionKey]: JSON.stringify(mixed) }))).toEqual({
      conversation: [{ role: 'user', content: 'kept' }],
      transcript: [{ role: 'user', text: 'kept' }],
    });
  });

  it('removes the entry for an empty session and survives a full storage', () => {
    const storage = memoryStorage({ [chatSessionKey]: JSON.stringify(session) });
    expect(saveChatSession(storage, { conversation: [], transcript: [] })).toBe(true);
    expect(storage.values.has(chatSessionKey)).toBe(false);
    const full = {
      ...memoryStorage(),
      setItem: () => {
        throw new DOMException('quota', 'QuotaExceededError');
      },
    };
    expect(saveChatSession(full, session)).toBe(false);
  });
});
