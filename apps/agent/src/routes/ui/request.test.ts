import { describe, expect, it } from 'vitest';
import { approvalSigner } from './approval-signature.js';
import { uiChatParser } from './request.js';

const limits = { maxMessageChars: 50, maxMessages: 10, maxContentParts: 4, maxAttachmentBytes: 1024 };
const signer = approvalSigner('k'.repeat(32));
const parse = uiChatParser(limits, signer);
const user = (text: string) => ({ id: 'u', role: 'user', parts: [{ type: 'text', text }] });

describe('uiChatParser', () => {
  it('system text, user text; reasoning, sources and data parts carry nothing; unknown part fields are kept out', () => {
    const request = parse({
      id: 'c1',
      messages: [
        { id: 's', role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] },
        {
          id: 'u',
          role: 'user',
          parts: [
            { type: 'text', text: 'Hi', providerMetadata: {} },
            { type: 'data-x', data: 1 },
          ],
        },
        {
          id: 'a',
          role: 'assistant',
          parts: [
            { type: 'reasoning', text: 'hm' },
            { type: 'text', text: 'Hello' },
          ],
        },
        user('Again'),
      ],
    });
    expect(request.chatId).toBe('c1');
    expect(request.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
      { role: 'user', content: 'Again' },
    ]);
    expect(request.continuation).toBeUndefined();
  });

  it('leaves out calls without a result; an answered approval counts only in the last message', () => {
    const waiting = {
      type: 'tool-clock',
      toolCallId: 'c1',
      state: 'approval-responded',
      input: {},
      approval: { id: 'approval-c1', approved: true },
    };
    const request = parse({
      messages: [
        user('Time?'),
        { id: 'a1', role: 'assistant', parts: [{ type: 'step-start' }, waiting, { type: 'text', text: 'Hm.' }] },
        user('Never mind'),
      ],
    });
    expect(request.messages).toEqual([
      { role: 'user', content: 'Time?' },
      { role: 'assistant', content: 'Hm.' },
      { role: 'user', content: 'Never mind' },
    ]);
    expect(request.continuation).toBeUndefined();
  });

  it('a signed, answered approval in the last message is a continuation with its decision', () => {
    const input = { city: 'Paris' };
    const signature = signer.sign({ approvalId: 'approval-c9', toolCallId: 'c9', toolName: 'weather', input });
    const request = parse({
      messages: [
        user('Weather?'),
        {
          id: 'msg_1',
          role: 'assistant',
          parts: [
            { type: 'step-start' },
            {
              type: 'dynamic-tool',
              toolName: 'weather',
              toolCallId: 'c9',
              state: 'approval-responded',
              input,
              approval: { id: 'approval-c9', approved: false, reason: 'no', signature },
            },
          ],
        },
      ],
    });
    expect(request.continuation).toEqual({
      messageId: 'msg_1',
      calls: [{ id: 'c9', name: 'weather', arguments: '{"city":"Paris"}' }],
      decisions: [{ toolCallId: 'c9', approved: false, reason: 'no' }],
    });
  });

  it.each([
    [{ messages: [user('x'.repeat(51))] }, 'messages.0.parts: must be at most 50 characters'],
    [
      { messages: [{ id: 's', role: 'system', parts: [{ type: 'text', text: 'only a system prompt' }] }] },
      'need at least one',
    ],
    [
      {
        messages: [
          { id: 'a', role: 'assistant', parts: [{ type: 'tool-', toolCallId: 'c', state: 'output-available' }] },
        ],
      },
      'messages.0.parts.0.type: does not name a tool',
    ],
    [
      { messages: [{ id: 'a', role: 'assistant', parts: [{ type: 'tool-x', toolCallId: 'c', state: 'done' }] }] },
      'messages.0.parts.0.state',
    ],
    [
      { messages: [{ id: 'u', role: 'user', parts: [{ type: 'text', text: 7 }] }] },
      'messages.0.parts.0.text: must be a string',
    ],
    [{ messages: [user('Hi')], trigger: 'resume-stream' }, 'trigger: must be submit-message or regenerate-message'],
  ])('refuses %#', (body, message) => {
    expect(() => parse(body)).toThrow(message);
  });
});
