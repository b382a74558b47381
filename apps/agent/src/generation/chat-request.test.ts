import { describe, expect, it } from 'vitest';
import { HttpError } from '../http/errors.js';
import { type ChatLimits, chatBodyParser } from './chat-request.js';

const parts = { maxContentParts: 3, maxAttachmentBytes: 64 };
const parseChatBody = (input: unknown, limits: ChatLimits) => chatBodyParser(limits)(input);

const twoMessages = {
  messages: [
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello' },
  ],
};

function rejection(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return 'accepted';
}

describe('parseChatBody', () => {
  it('reuses one schema per set of limits, and each call still gets its own limits', () => {
    const small = { maxMessageChars: 3, maxMessages: 1, ...parts };
    const large = { maxMessageChars: 100, maxMessages: 5, ...parts };
    for (let round = 0; round < 3; round += 1) {
      expect(rejection(() => parseChatBody(twoMessages, small))).toContain('at most 1 messages');
      expect(parseChatBody(twoMessages, large).messages).toHaveLength(2);
      expect(rejection(() => parseChatBody({ message: 'four' }, small))).toContain('at most 3 characters');
      expect(parseChatBody({ message: 'four' }, large).messages).toEqual([{ role: 'user', content: 'four' }]);
    }
  });

  it('rejects a bad body with an invalid-request error naming the field', () => {
    let caught: unknown;
    try {
      parseChatBody({ message: 'Hi', temperature: 3 }, { maxMessageChars: 100, maxMessages: 5, ...parts });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HttpError);
    expect((caught as HttpError).message).toBe('temperature: must be between 0 and 2');
    expect((caught as HttpError).kind).toBe('invalid-request');
    expect((caught as HttpError).status).toBe(400);
  });
});
