import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PartialJsonParser, PartialJsonSyntaxError } from './partial-json-parser.js';

/** Feeds the pieces and returns the snapshot after every piece that changed something, then the final value. */
function snapshots(pieces: readonly string[]): { partials: unknown[]; final: unknown; done: boolean } {
  const parser = new PartialJsonParser();
  const partials: unknown[] = [];
  for (const piece of pieces) {
    parser.write(piece);
    if (parser.started && parser.changed) partials.push(parser.snapshot());
  }
  const done = parser.end();
  return { partials, final: parser.snapshot(), done };
}

/** `partial` shows nothing that `later` does not: keys kept, arrays only grow, strings only extend. */
function isPrefixConsistent(partial: unknown, later: unknown): boolean {
  if (typeof partial === 'string') return typeof later === 'string' && later.startsWith(partial);
  if (typeof partial === 'number') return typeof later === 'number';
  if (partial === null || typeof partial === 'boolean') return partial === later;
  if (Array.isArray(partial)) {
    if (!Array.isArray(later) || later.length < partial.length) return false;
    return partial.every((item, index) => isPrefixConsistent(item, later[index]));
  }
  if (typeof partial !== 'object' || typeof later !== 'object' || later === null || Array.isArray(later)) return false;
  const laterRecord = later as Record<string, unknown>;
  return Object.entries(partial as Record<string, unknown>).every(
    ([key, value]) => Object.hasOwn(laterRecord, key) && isPrefixConsistent(value, laterRecord[key]),
  );
}

/** Cuts a text at the given (sorted, deduplicated) offsets. */
function cut(text: string, offsets: readonly number[]): string[] {
  const points = [...new Set(offsets.map((offset) => offset % (text.length + 1)))].sort((a, b) => a - b);
  const result: string[] = [];
  let previous = 0;
  for (const point of [...points, text.length]) {
    result.push(text.slice(previous, point));
    previous = point;
  }
  return result;
}

describe('PartialJsonParser', () => {
  it('shows a growing object: strings from their first character, keys with their first value piece', () => {
    const { partials, final, done } = snapshots(['{"na', 'me":"Ad', 'a","age":', '3', '6,"ok":tr', 'ue}']);
    expect(partials).toEqual([
      {},
      { name: 'Ad' },
      { name: 'Ada' },
      { name: 'Ada', age: 3 },
      { name: 'Ada', age: 36 },
      { name: 'Ada', age: 36, ok: true },
    ]);
    expect(final).toEqual({ name: 'Ada', age: 36, ok: true });
    expect(done).toBe(true);
  });

  it('skips a snapshot when a piece changes nothing visible (inside a key, whitespace, a half literal)', () => {
    const parser = new PartialJsonParser();
    parser.write('{"a":1,');
    parser.snapshot();
    parser.write(' "lon');
    expect(parser.changed).toBe(false);
    parser.write('g": nu');
    expect(parser.changed).toBe(false);
    parser.write('ll');
    expect(parser.changed).toBe(true);
    expect(parser.snapshot()).toEqual({ a: 1, long: null });
  });

  it('never shows a number that is not valid yet, and keeps the last valid one', () => {
    const { partials } = snapshots(['[-', '1', '.', '5', 'e', '2', ']']);
    expect(partials).toEqual([[], [-1], [-1.5], [-150]]);
  });

  it('decodes escapes split across pieces, surrogate pairs included, without showing half an escape', () => {
    const { partials, final } = snapshots(['["a\\', 'n\\u00', 'e9\\ud83d', '\\ude00"]']);
    expect(partials).toEqual([['a'], ['a\n'], ['a\né\ud83d'], ['a\né😀']]);
    expect(final).toEqual(JSON.parse('["a\\n\\u00e9\\ud83d\\ude00"]'));
  });

  it('snapshots are immutable and share the subtrees that did not change', () => {
    const parser = new PartialJsonParser();
    parser.write('{"done":{"x":[1,2]},"open":{"s":"a');
    const first = parser.snapshot() as Record<string, Record<string, unknown>>;
    parser.write('b","t":[3');
    const second = parser.snapshot() as Record<string, Record<string, unknown>>;
    expect(first).toEqual({ done: { x: [1, 2] }, open: { s: 'a' } });
    expect(second).toEqual({ done: { x: [1, 2] }, open: { s: 'ab', t: [3] } });
    expect(second).not.toBe(first);
    expect(second.done).toBe(first.done);
    expect(second.open).not.toBe(first.open);
  });

  it('ignores what follows the root value (a closing fence, a sign-off)', () => {
    const parser = new PartialJsonParser();
    parser.write('{"a":[]}\n```\nHope this helps! {"not": "this"}');
    expect(parser.done).toBe(true);
    expect(parser.snapshot()).toEqual({ a: [] });
  });

  it('keeps __proto__ as an own key, as JSON.parse does', () => {
    const { final } = snapshots(['{"__proto__":{"polluted":true}}']);
    expect(final).toEqual(JSON.parse('{"__proto__":{"polluted":true}}'));
    expect(Object.getPrototypeOf(final)).toBe(Object.prototype);
  });

  it('completes a number at the root only at the end of the text', () => {
    const parser = new PartialJsonParser();
    parser.write('4');
    parser.write('2');
    expect(parser.done).toBe(false);
    expect(parser.snapshot()).toBe(42);
    expect(parser.end()).toBe(true);
  });

  it.each([
    ['{"a" 1}', 5],
    ['{"a":1,}', 7],
    ['[1,]', 3],
    ['{a:1}', 1],
    ['["\\x"]', 3],
    ['[01]', 3],
    ['[tru e]', 4],
    ['["a\nb"]', 3],
  ])('rejects %j with the position of the first bad character', (text, position) => {
    const parser = new PartialJsonParser();
    let caught: unknown;
    try {
      for (const character of text) parser.write(character);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PartialJsonSyntaxError);
    expect((caught as PartialJsonSyntaxError).position).toBe(position);
  });

  it('property: for any JSON value and chunking, partials are prefix-consistent and the final equals JSON.parse', () => {
    const value = fc.jsonValue({ maxDepth: 4 });
    const offsets = fc.array(fc.nat(), { maxLength: 40 });
    fc.assert(
      fc.property(value, offsets, fc.boolean(), (json, cuts, pretty) => {
        const text = JSON.stringify(json, null, pretty ? 2 : undefined);
        const { partials, final, done } = snapshots(cut(text, cuts));
        const expected = JSON.parse(text);
        expect(done).toBe(true);
        expect(final).toEqual(expected);
        for (const [index, partial] of partials.entries()) {
          expect(isPrefixConsistent(partial, expected)).toBe(true);
          const next = partials[index + 1];
          if (next !== undefined) expect(isPrefixConsistent(partial, next)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('property: a text cut short is never done, and its snapshot is prefix-consistent with the whole', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.array(fc.jsonValue({ maxDepth: 3 })), fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }))),
        fc.nat(),
        (json, at) => {
          const text = JSON.stringify(json);
          const prefix = text.slice(0, at % text.length);
          const parser = new PartialJsonParser();
          parser.write(prefix);
          expect(parser.end()).toBe(false);
          const partial = parser.snapshot();
          if (partial !== undefined) expect(isPrefixConsistent(partial, JSON.parse(text))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
