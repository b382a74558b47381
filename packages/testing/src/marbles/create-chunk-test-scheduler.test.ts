import { LLMError, type LLMErrorOptions } from '@rxllm/core';
import { map, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { chunkValues, finish, text } from './chunk-factories.js';
import { type ChunkTestSchedulerOptions, createChunkTestScheduler } from './create-chunk-test-scheduler.js';

const rateLimit: LLMErrorOptions = { kind: 'rate-limit', provider: 'openai', message: 'slow down' };

/** Runs `cold('a#')` failing with `actual` against the expectation `a#` failing with `expected`. */
const compareErrors = (actual: unknown, expected: unknown, options?: ChunkTestSchedulerOptions) =>
  createChunkTestScheduler(options).run(({ cold, expectObservable }) => {
    const values = chunkValues(text('a'));
    expectObservable(cold('a#', values, actual)).toBe('a#', values, expected);
  });

describe('createChunkTestScheduler', () => {
  it('runs marbles in virtual time', () => {
    createChunkTestScheduler().run(({ cold, expectObservable }) => {
      const input = chunkValues(text('hi'), text('there'), finish());
      const upper = (chunk: (typeof input)[string]) => (chunk.type === 'text' ? text(chunk.text.toUpperCase()) : chunk);
      const output = chunkValues(text('HI'), text('THERE'), finish());
      expectObservable(cold('a 10ms b-c|', input).pipe(map(upper))).toBe('a 10ms b-c|', output);
    });
  });

  it('fails the test when the marbles differ (its assertion is vitest toEqual)', () => {
    expect(() =>
      createChunkTestScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('a|', chunkValues(text('a')))).toBe('a|', chunkValues(text('b')));
      }),
    ).toThrow();
  });

  describe("errors: 'to-equal' (the default)", () => {
    it('passes for equal LLMErrors', () => {
      expect(() => compareErrors(new LLMError(rateLimit), new LLMError(rateLimit))).not.toThrow();
    });

    it.each([
      ['status', { status: 429 }],
      ['retryAfterMs', { retryAfterMs: 5 }],
      ['requestId', { requestId: 'req-1' }],
    ] as const)('fails for LLMErrors that differ only in %s', (_field, extra) => {
      expect(() => compareErrors(new LLMError({ ...rateLimit, ...extra }), new LLMError(rateLimit))).toThrow();
      expect(() =>
        compareErrors(new LLMError({ ...rateLimit, ...extra }), new LLMError(rateLimit), { errors: 'to-equal' }),
      ).toThrow();
    });

    it('fails for an LLMError against a plain object of its fields', () => {
      const error = new LLMError(rateLimit);
      expect(() => compareErrors(error, { ...rateLimit, retryable: true })).toThrow();
    });
  });

  describe("errors: 'llm-error-fields'", () => {
    const options = { errors: 'llm-error-fields' } as const;

    it('passes for an LLMError against a plain object of kind, message, provider and retryable', () => {
      const error = new LLMError({ ...rateLimit, status: 429, retryAfterMs: 5, requestId: 'req-1' });
      expect(() => compareErrors(error, { ...rateLimit, retryable: true }, options)).not.toThrow();
    });

    it('passes for LLMErrors that differ only in status, retryAfterMs, requestId or cause', () => {
      const actual = new LLMError({
        ...rateLimit,
        status: 429,
        retryAfterMs: 5,
        requestId: 'a',
        cause: new Error('x'),
      });
      expect(() => compareErrors(actual, new LLMError(rateLimit), options)).not.toThrow();
    });

    it.each([
      ['kind', { kind: 'overloaded' }],
      ['message', { message: 'slower' }],
      ['provider', { provider: 'anthropic' }],
      ['retryable', { retryable: false }],
      ['details', { details: { clock: 'idle' } }],
    ] as const)('fails for LLMErrors that differ in %s', (_field, change) => {
      expect(() =>
        compareErrors(new LLMError({ ...rateLimit, ...change }), new LLMError(rateLimit), options),
      ).toThrow();
      expect(() =>
        compareErrors(new LLMError(rateLimit), new LLMError({ ...rateLimit, ...change }), options),
      ).toThrow();
    });

    it('compares details when both have them', () => {
      const idle = new LLMError({ ...rateLimit, details: { clock: 'idle' } });
      const total = new LLMError({ ...rateLimit, details: { clock: 'total' } });
      expect(() =>
        compareErrors(idle, new LLMError({ ...rateLimit, details: { clock: 'idle' } }), options),
      ).not.toThrow();
      expect(() => compareErrors(idle, total, options)).toThrow();
    });

    it('compares other errors with toEqual', () => {
      expect(() => compareErrors(new Error('boom'), new Error('boom'), options)).not.toThrow();
      expect(() => compareErrors(new Error('boom'), new Error('bang'), options)).toThrow();
      expect(() => compareErrors(new LLMError(rateLimit), new Error('slow down'), options)).toThrow();
    });

    it('still compares values, timing and subscriptions', () => {
      expect(() =>
        createChunkTestScheduler(options).run(({ cold, expectObservable }) => {
          expectObservable(cold('a|', chunkValues(text('a')))).toBe('a|', chunkValues(text('b')));
        }),
      ).toThrow();
      expect(() =>
        createChunkTestScheduler(options).run(({ cold, expectObservable }) => {
          expectObservable(cold('-a|', chunkValues(text('a')))).toBe('a|', chunkValues(text('a')));
        }),
      ).toThrow();
      createChunkTestScheduler(options).run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('a-#', chunkValues(text('a')), new LLMError(rateLimit));
        expectObservable(source).toBe('a-#', chunkValues(text('a')), { ...rateLimit, retryable: true });
        expectSubscriptions(source.subscriptions).toBe('^-!');
      });
      expect(() =>
        createChunkTestScheduler(options).run(({ cold, expectSubscriptions }) => {
          const source = cold('a-|');
          expectSubscriptions(source.subscriptions).toBe('^-!');
        }),
      ).toThrow();
    });

    it('compares a thrown LLMError from throwError', () => {
      const error = new LLMError({ kind: 'timeout', provider: 'openai', message: 'No first chunk within 10 ms' });
      createChunkTestScheduler(options).run(({ expectObservable }) => {
        expectObservable(throwError(() => error)).toBe('#', undefined, {
          kind: 'timeout',
          message: 'No first chunk within 10 ms',
          provider: 'openai',
          retryable: true,
        });
      });
    });
  });
});
