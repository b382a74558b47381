import { describe, expect, it } from 'vitest';
import {
  type ChatSession,
  chatSessionKey,
  loadChatSession,
  type SavedReply,
  saveChatSession,
  THUMBNAIL_STORAGE_CHARS,
} from './chat-session.js';
import type { TurnImage } from './message-content.js';
import type { ToolCallView } from './tool-calls.js';

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

const calculatorCall: ToolCallView = {
  step: 1,
  index: 0,
  id: 'call_1',
  name: 'calculator',
  arguments: '{"expression":"6 * 7"}',
  at: 0,
  status: 'done',
  output: '42',
  durationMs: 2,
  approval: { phase: 'sent', approved: true },
};

describe('chat session storage', () => {
  it('saves and loads the tool calls of a reply and of the in-flight reply, dropping broken ones', () => {
    const waiting: ToolCallView = {
      ...calculatorCall,
      id: 'call_2',
      status: 'awaiting-approval',
      approval: { phase: 'sending', approved: false },
    };
    const withTools: ChatSession = {
      conversation: [],
      transcript: [{ ...(session.transcript[1] as SavedReply), tools: [calculatorCall] }],
      inFlight: { ...session.inFlight!, tools: { step: 1, calls: [waiting] } },
    };
    const storage = memoryStorage();
    saveChatSession(storage, withTools);
    const loaded = loadChatSession(storage);
    expect(loaded.transcript).toEqual(withTools.transcript);
    // A decision that was on its way when the page went away is offered again.
    expect(loaded.inFlight?.tools).toEqual({ step: 1, calls: [{ ...waiting, approval: { phase: 'asked' } }] });

    const broken = JSON.parse(storage.values.get(chatSessionKey)!);
    broken.transcript[0].tools.push({ name: 'no fields' });
    broken.inFlight.tools = 'nonsense';
    const repaired = loadChatSession(memoryStorage({ [chatSessionKey]: JSON.stringify(broken) }));
    expect((repaired.transcript[0] as SavedReply).tools).toEqual([calculatorCall]);
    expect(repaired.inFlight).toBeDefined();
    expect(repaired.inFlight?.tools).toBeUndefined();
  });

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

  it('never saves image bytes: the conversation keeps [image: name], the transcript names and previews', () => {
    const bytes = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC';
    const cat: TurnImage = {
      name: 'cat.png',
      mediaType: 'image/png',
      bytes: 69,
      data: bytes,
      thumbnail: 'data:image/webp;base64,UklGRg==',
    };
    const storage = memoryStorage();
    // The page shares the image objects between the conversation and the transcript.
    saveChatSession(storage, {
      conversation: [{ role: 'user', content: 'What is this?', images: [cat] }],
      transcript: [{ role: 'user', text: 'What is this?', images: [cat] }],
    });
    const saved = storage.values.get(chatSessionKey)!;
    expect(saved).not.toContain(bytes);
    expect(cat.data).toBe(bytes);
    expect(loadChatSession(storage)).toEqual({
      conversation: [{ role: 'user', content: 'What is this?\n[image: cat.png]' }],
      transcript: [
        {
          role: 'user',
          text: 'What is this?',
          images: [
            { name: 'cat.png', mediaType: 'image/png', bytes: 69, thumbnail: 'data:image/webp;base64,UklGRg==' },
          ],
        },
      ],
    });
  });

  it('keeps previews for the newest images only, within THUMBNAIL_STORAGE_CHARS', () => {
    const preview = `data:image/webp;base64,${'A'.repeat(Math.floor(THUMBNAIL_STORAGE_CHARS / 2) - 30)}`;
    const image = (name: string): TurnImage => ({ name, mediaType: 'image/webp', bytes: 10, thumbnail: preview });
    const storage = memoryStorage();
    saveChatSession(storage, {
      conversation: [],
      transcript: [
        { role: 'user', text: 'oldest', images: [image('1.webp')] },
        { role: 'user', text: 'newer', images: [image('2.webp'), image('3.webp')] },
      ],
    });
    const images = loadChatSession(storage).transcript.flatMap((turn) => (turn.role === 'user' ? turn.images : []));
    expect(images.map((entry) => [entry?.name, entry?.thumbnail !== undefined])).toEqual([
      ['1.webp', false],
      ['2.webp', true],
      ['3.webp', true],
    ]);
  });

  it('drops malformed images of a saved question (and previews that are not image data URLs), not the question', () => {
    const stored = {
      conversation: [],
      transcript: [
        {
          role: 'user',
          text: 'kept',
          images: [
            { name: 'ok.png', mediaType: 'image/png', bytes: 3 },
            { name: 'svg.svg', mediaType: 'image/svg+xml', bytes: 3 },
            { name: 'remote.png', mediaType: 'image/png', bytes: 3, thumbnail: 'https://example.com/x.png' },
            { name: 'script.png', mediaType: 'image/png', bytes: 3, thumbnail: 'data:text/html;base64,PHNjcmlwdD4=' },
            { name: 'bytes.png', mediaType: 'image/png', bytes: 3, data: 'QUFB' },
            'nonsense',
          ],
        },
        { role: 'user', text: 'images not a list', images: 'x' },
      ],
    };
    expect(loadChatSession(memoryStorage({ [chatSessionKey]: JSON.stringify(stored) })).transcript).toEqual([
      { role: 'user', text: 'kept', images: [{ name: 'ok.png', mediaType: 'image/png', bytes: 3 }] },
      { role: 'user', text: 'images not a list' },
    ]);
  });
});
