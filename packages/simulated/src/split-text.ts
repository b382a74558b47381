/** How the simulated provider cuts its answer into chunks, e.g. `'word'` or `(text) => text.match(/.{1,4}/gsu) ?? []`. */
export type Chunking = 'word' | 'char' | 'line' | ((text: string) => string[]);

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Cuts text into the pieces a model would stream: `'word'` (a word with the whitespace after it, like tokens),
 * `'char'` (one user-perceived character, never half of one), `'line'` (a line with its newline), or a function.
 * The pieces always join back to the text.
 *
 * @example
 * ```ts
 * splitText('Hello big world', 'word'); // ['Hello ', 'big ', 'world']
 * splitText('👋🏽!', 'char'); // ['👋🏽', '!']
 * ```
 */
export function splitText(text: string, chunking: Chunking = 'word'): string[] {
  if (text === '') return [];
  if (typeof chunking === 'function') return chunking(text).filter((piece) => piece !== '');
  switch (chunking) {
    case 'char':
      return Array.from(graphemes.segment(text), (segment) => segment.segment);
    case 'line':
      return text.match(/[^\n]*\n|[^\n]+/g) ?? [text];
    default:
      // Leading whitespace rides on the first word, trailing whitespace on the word before it.
      return text.match(/\s*\S+\s*/g) ?? [text];
  }
}
