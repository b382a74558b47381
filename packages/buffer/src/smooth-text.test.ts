import type { Chunk } from '@rxllm/core';
import { LLMError } from '@rxllm/core';
import { createChunkTestScheduler } from '@rxllm/testing/marbles';
import { tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type SmoothTextOptions, smoothText } from './smooth-text.js';

const createTestScheduler = () => createChunkTestScheduler({ errors: 'llm-error-fields' });

const text = (value: string): Chunk => ({ type: 'text', text: value });
const failure = new LLMError({ kind: 'network', provider: 'openai', message: 'connection reset' });

/** Feeds one chunk per frame, completes long after, and returns the emitted texts. */
function piecesOf(chunks: Chunk[], options: SmoothTextOptions): string[] {
  const pieces: string[] = [];
  createTestScheduler().run(({ cold, flush }) => {
    const values = Object.fromEntries(chunks.map((chunk, index) => [String.fromCharCode(97 + index), chunk]));
    cold(`${Object.keys(values).join('')} 999ms |`, values)
      .pipe(smoothText(options))
      .subscribe((chunk) => {
        if (chunk.type === 'text') pieces.push(chunk.text);
      });
    flush();
  });
  return pieces;
}

const hasLoneSurrogate = (value: string) =>
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);

describe('smoothText', () => {
  it('re-chunks text into words, one per delayMs, and flushes the unfinished word at completion', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a------|', { a: text('Once upon a time') });
      expectObservable(source.pipe(smoothText({ delayMs: 2 }))).toBe('w-x-y--(z|)', {
        w: text('Once '),
        x: text('upon '),
        y: text('a '),
        z: text('time'),
      });
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
  });

  it('cuts Japanese and Chinese text between words, also when a word is split across chunks', () => {
    expect(piecesOf([text('今日は天'), text('気がいいですね。')], { delayMs: 1 })).toEqual([
      '今日',
      'は',
      '天気',
      'が',
      'いい',
      'です',
      'ね。',
    ]);
    expect(piecesOf([text('你好世界，'), text('我们来学习中文')], { delayMs: 1 })).toEqual([
      '你好',
      '世界，',
      '我们',
      '来',
      '学习',
      '中文',
    ]);
  });

  it('never splits a surrogate pair or a grapheme, even when forced to cut an over-long piece', () => {
    const family = '👩‍👩‍👧';
    const input = `${family.repeat(6)}😀${family}`;
    const forced = piecesOf([text(input.slice(0, 7)), text(input.slice(7))], {
      delayMs: 1,
      maxBufferedChars: 10,
      chunking: 'line',
    });
    expect(forced.join('')).toBe(input);
    for (const piece of forced) {
      expect(hasLoneSurrogate(piece)).toBe(false);
      expect(piece.replaceAll(family, '').replaceAll('😀', '')).toBe('');
    }
    // A code-unit RegExp would cut "😀" in half; the piece is extended to the whole pair.
    expect(piecesOf([text('😀😀x')], { delayMs: 1, chunking: /./ })).toEqual(['😀', '😀', 'x']);
  });

  it('supports line chunking, a RegExp and a custom Intl.Segmenter', () => {
    expect(piecesOf([text('one\ntwo\n\nthr'), text('ee')], { chunking: 'line' })).toEqual([
      'one\n',
      'two\n\n',
      'three',
    ]);
    expect(piecesOf([text('a,b,c')], { chunking: /,/ })).toEqual(['a,', 'b,', 'c']);
    const sentences = new Intl.Segmenter('en', { granularity: 'sentence' });
    expect(piecesOf([text('Hi there. How are you? Fine')], { chunking: sentences })).toEqual([
      'Hi there. ',
      'How are you? ',
      'Fine',
    ]);
  });

  it('keeps non-text chunks in order, right after the text before them', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const reasoning: Chunk = { type: 'reasoning', text: 'hmm' };
      const source = cold('ar------|', { a: text('one two three'), r: reasoning });
      expectObservable(source.pipe(smoothText({ delayMs: 2 }))).toBe('w-x-(yr)|', {
        w: text('one '),
        x: text('two '),
        y: text('three'),
        r: reasoning,
      });
    });
  });

  it('a chunk arriving exactly at a pacing tick is paced the same way from a cold or a hot source', () => {
    createTestScheduler().run(({ cold, hot, expectObservable }) => {
      const values = { a: text('one two '), b: text('three ') };
      const expected = { x: text('one '), y: text('two '), z: text('three ') };
      expectObservable(cold('a-b--|', values).pipe(smoothText({ delayMs: 2 }))).toBe('x-y--(z|)', expected);
      expectObservable(hot('a-b--|', values).pipe(smoothText({ delayMs: 2 }))).toBe('x-y--(z|)', expected);
    });
  });

  it('catches up instead of growing: held text never exceeds maxBufferedChars', () => {
    const maxBufferedChars = 40;
    let received = 0;
    let emitted = 0;
    let worst = 0;
    createTestScheduler().run(({ cold, flush }) => {
      // 200 words of 5 chars arrive 1 per frame, but only one can leave every 10 frames.
      const marbles = `${'a'.repeat(200)}|`;
      cold(marbles, { a: text('word ') })
        .pipe(
          tap((chunk) => {
            // What is held once the previous chunk has been fully handled.
            worst = Math.max(worst, received - emitted);
            received += chunk.type === 'text' ? chunk.text.length : 0;
          }),
          smoothText({ delayMs: 10, maxBufferedChars }),
        )
        .subscribe((chunk) => {
          emitted += chunk.type === 'text' ? chunk.text.length : 0;
          worst = Math.max(worst, received - emitted);
        });
      flush();
    });
    expect(emitted).toBe(1000);
    expect(worst).toBeLessThanOrEqual(maxBufferedChars);
  });

  it('flushes held text before an error', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a-#', { a: text('one two three') }, failure);
      expectObservable(source.pipe(smoothText({ delayMs: 5 }))).toBe(
        'w-(x#)',
        { w: text('one '), x: text('two three') },
        failure,
      );
    });
  });

  it('unsubscribing downstream unsubscribes upstream and stops pacing', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-------|', { a: text('one two three four') });
      expectObservable(source.pipe(smoothText({ delayMs: 2 })), '^--!').toBe('w-x', {
        w: text('one '),
        x: text('two '),
      });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });
});
