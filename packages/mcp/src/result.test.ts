import { describe, expect, it } from 'vitest';
import { toolOutput } from './result.js';

describe('toolOutput', () => {
  it('prefers the structured content', () => {
    expect(toolOutput({ content: [{ type: 'text', text: '{"a":1}' }], structuredContent: { a: 1 } })).toEqual({ a: 1 });
  });

  it('joins text blocks with a newline, and gives null for no content', () => {
    const content = [
      { type: 'text' as const, text: 'one' },
      { type: 'text' as const, text: 'two' },
    ];
    expect(toolOutput({ content })).toBe('one\ntwo');
    expect(toolOutput({ content: [] })).toBeNull();
  });

  it('maps mixed content to parts: images and audio as base64 sources, resources as sent', () => {
    const resource = {
      type: 'resource' as const,
      resource: { uri: 'file:///a.txt', text: 'A', mimeType: 'text/plain' },
    };
    const link = { type: 'resource_link' as const, uri: 'file:///b.png', name: 'b' };
    const output = toolOutput({
      content: [
        { type: 'text', text: 'see' },
        { type: 'image', data: 'aGk=', mimeType: 'image/png' },
        { type: 'audio', data: 'aGk=', mimeType: 'audio/wav' },
        resource,
        link,
      ],
    });
    expect(output).toEqual([
      { type: 'text', text: 'see' },
      { type: 'image', source: { type: 'base64', data: 'aGk=', mediaType: 'image/png' } },
      { type: 'audio', source: { type: 'base64', data: 'aGk=', mediaType: 'audio/wav' } },
      resource,
      link,
    ]);
  });

  it('gives the toolResult of a 2024-10-07 result', () => {
    expect(toolOutput({ content: [], toolResult: { legacy: true } })).toEqual({ legacy: true });
  });
});
