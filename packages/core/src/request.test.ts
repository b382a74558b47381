import { describe, expect, it } from 'vitest';
import { LLMError } from './errors.js';
import { type ContentPart, contentParts, messageText, systemPrompt, unsupportedPartError } from './request.js';

const image: ContentPart = { type: 'image', source: { type: 'base64', data: 'iVBORw0KGgo=', mediaType: 'image/png' } };

describe('request helpers', () => {
  it('systemPrompt joins request.system and system messages in order', () => {
    expect(
      systemPrompt({
        system: 'a',
        messages: [
          { role: 'system', content: 'b' },
          { role: 'user', content: 'x' },
          { role: 'system', content: '' },
        ],
      }),
    ).toBe('a\n\nb');
    expect(systemPrompt({ messages: [{ role: 'user', content: 'x' }] })).toBeUndefined();
  });

  it('contentParts and messageText read string and part contents alike', () => {
    expect(contentParts({ role: 'user', content: 'hi' })).toEqual([{ type: 'text', text: 'hi' }]);
    expect(contentParts({ role: 'user', content: '' })).toEqual([]);
    const parts: ContentPart[] = [{ type: 'text', text: 'What is ' }, image, { type: 'text', text: 'this?' }];
    expect(contentParts({ role: 'user', content: parts })).toBe(parts);
    expect(messageText({ role: 'user', content: parts })).toBe('What is this?');
    expect(messageText({ role: 'assistant', content: 'ok' })).toBe('ok');
  });

  it('unsupportedPartError is invalid-request naming provider, part and reason, never the bytes', () => {
    const error = unsupportedPartError('openai', image, 'no images here');
    expect(error).toBeInstanceOf(LLMError);
    expect(error.kind).toBe('invalid-request');
    expect(error.provider).toBe('openai');
    expect(error.message).toBe('openai cannot take an image part (base64, image/png): no images here');
    expect(error.message).not.toContain('iVBOR');
  });
});
