import { asyncScheduler, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { Chunk } from './chunk.js';
import { LLMError } from './errors.js';
import { subscribeUntilContent } from './subscribe-until-content.js';

const values: Record<string, Chunk> = {
  s: { type: 'start', provider: 'a', model: 'm' },
  t: { type: 'start', provider: 'b', model: 'm' },
  x: { type: 'text', text: 'Hi' },
};
const busy = new LLMError({ kind: 'overloaded', provider: 'a', message: 'busy' });
const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('subscribeUntilContent', () => {
  it('moves on before content after the pause, holding start chunks so that only the answering one shows', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const first = cold('s#', values, busy);
      const second = cold('t-x---|', values);
      const next = (_error: unknown, failures: number) => (failures === 1 ? { source: second, delayMs: 2 } : undefined);
      expectObservable(subscribeUntilContent(first, next, asyncScheduler)).toBe('-----(tx)|', values);
      expectSubscriptions(first.subscriptions).toBe('^!');
      expectSubscriptions(second.subscriptions).toBe('---^-----!');
    });
  });

  it('a source given as a function is asked when the pause is over; undefined passes the first failure on', () => {
    const askedAt: number[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const first = cold('s#', values, busy);
      const pick = (): Observable<Chunk> | undefined => {
        askedAt.push(asyncScheduler.now());
        return undefined;
      };
      expectObservable(subscribeUntilContent(first, () => ({ source: pick, delayMs: 2 }), asyncScheduler)).toBe(
        '---#',
        undefined,
        busy,
      );
    });
    expect(askedAt).toEqual([3]);
  });

  it('a failure after content is passed on without asking for another source', () => {
    let asked = 0;
    testScheduler().run(({ cold, expectObservable }) => {
      const first = cold('s-x---#', values, busy);
      const next = () => {
        asked += 1;
        return undefined;
      };
      expectObservable(subscribeUntilContent(first, next, asyncScheduler)).toBe('--(sx)#', values, busy);
    });
    expect(asked).toBe(0);
  });
});
