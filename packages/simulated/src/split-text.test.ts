import { describe, expect, it } from 'vitest';
import { splitText } from './split-text.js';

describe('splitText', () => {
  const sample = '  Hello big\nworld 👋🏽 é!\n';

  it('cuts words with their trailing whitespace', () => {
    expect(splitText('Hello big world', 'word')).toEqual(['Hello ', 'big ', 'world']);
    expect(splitText(sample)).toEqual(['  Hello ', 'big\n', 'world ', '👋🏽 ', 'é!\n']);
  });

  it('cuts characters without splitting a grapheme', () => {
    expect(splitText('a👋🏽é', 'char')).toEqual(['a', '👋🏽', 'é']);
  });

  it('cuts lines keeping the newline', () => {
    expect(splitText('one\ntwo\n\nthree', 'line')).toEqual(['one\n', 'two\n', '\n', 'three']);
  });

  it('uses a custom function and drops empty pieces', () => {
    expect(splitText('abcdef', (value) => ['', value.slice(0, 3), value.slice(3)])).toEqual(['abc', 'def']);
  });

  it.each(['word', 'char', 'line'] as const)('%s pieces join back to the text', (chunking) => {
    expect(splitText(sample, chunking).join('')).toBe(sample);
    expect(splitText('', chunking)).toEqual([]);
    expect(splitText('   ', chunking).join('')).toBe('   ');
  });
});
