import { describe, expect, it } from 'vitest';
import { type ConversationMessage, storedMessage, type TurnImage, toChatMessages } from './message-content.js';

/** `data: null` for an image whose bytes are gone (a reload). */
const image = (name: string, bytes: number, data: string | null = 'iVBORw0KGgo='): TurnImage => ({
  name,
  mediaType: 'image/png',
  bytes,
  ...(data === null ? {} : { data }),
  thumbnail: 'data:image/webp;base64,UklGRg==',
});

const part = (data: string) => ({ type: 'image', source: { type: 'base64', data, mediaType: 'image/png' } });

describe('toChatMessages', () => {
  it('leaves turns without images as strings', () => {
    const conversation: ConversationMessage[] = [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
      { role: 'user', content: 'again', images: [] },
    ];
    expect(toChatMessages(conversation)).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
      { role: 'user', content: 'again' },
    ]);
  });

  it('sends text first, then the images as base64 parts (no file name, no preview: the agent takes only its shape)', () => {
    const conversation: ConversationMessage[] = [
      { role: 'user', content: 'What is this?', images: [image('a.png', 8, 'QUFB'), image('b.png', 8, 'QkJC')] },
    ];
    expect(toChatMessages(conversation)).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'What is this?' }, part('QUFB'), part('QkJC')] },
    ]);
  });

  it('sends a message of images only, without an empty text part', () => {
    expect(toChatMessages([{ role: 'user', content: '', images: [image('a.png', 8, 'QUFB')] }])).toEqual([
      { role: 'user', content: [part('QUFB')] },
    ]);
  });

  it('re-sends the newest images within the budget; older ones (and ones without bytes) as [image: name]', () => {
    const conversation: ConversationMessage[] = [
      { role: 'user', content: 'first', images: [image('old.png', 60, 'T0xE')] },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: 'second', images: [image('middle.png', 30, 'TUlE'), image('tiny.png', 1, 'VElO')] },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: '', images: [image('new.png', 50, 'TkVX')] },
    ];
    expect(toChatMessages(conversation, 100)).toEqual([
      // 50 + 30 + 1 = 81: old.png would make 141; once one does not fit, no older image is sent either.
      { role: 'user', content: 'first\n[image: old.png]' },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: [{ type: 'text', text: 'second' }, part('TUlE'), part('VElO')] },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: [part('TkVX')] },
    ]);
    expect(toChatMessages([{ role: 'user', content: 'after a reload', images: [image('gone.png', 5, null)] }])).toEqual(
      [{ role: 'user', content: 'after a reload\n[image: gone.png]' }],
    );
  });

  it('mixes sent images and placeholders in one message when only some fit', () => {
    const conversation: ConversationMessage[] = [
      { role: 'user', content: 'two', images: [image('big.png', 90, 'QklH'), image('small.png', 20, 'U01B')] },
    ];
    expect(toChatMessages(conversation, 100)).toEqual([
      {
        role: 'user',
        content: [{ type: 'text', text: 'two' }, part('QklH'), { type: 'text', text: '[image: small.png]' }],
      },
    ]);
  });
});

describe('storedMessage', () => {
  it('saves text only: each image becomes [image: name], never its bytes', () => {
    const message: ConversationMessage = {
      role: 'user',
      content: 'Look',
      images: [image('cat.png', 8, 'Q0FU'), image('dog.png', 8, 'RE9H')],
    };
    const stored = storedMessage(message);
    expect(stored).toEqual({ role: 'user', content: 'Look\n[image: cat.png]\n[image: dog.png]' });
    expect(JSON.stringify(stored)).not.toContain('Q0FU');
    expect(storedMessage({ role: 'user', content: '', images: [image('cat.png', 8)] })).toEqual({
      role: 'user',
      content: '[image: cat.png]',
    });
    expect(storedMessage({ role: 'assistant', content: 'hello' })).toEqual({ role: 'assistant', content: 'hello' });
  });
});
