import { LLMError } from '@rxllm/core';
import type { SchedulerLike } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { createCircuitBreaker } from './create-circuit-breaker.js';

/** A clock whose `now()` the test moves by hand; the breaker never schedules. */
function manualClock() {
  let time = 0;
  const scheduler = {
    now: () => time,
    schedule: () => {
      throw new Error('the breaker must not schedule');
    },
  } as SchedulerLike;
  return {
    scheduler,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

const overloaded = new LLMError({ kind: 'overloaded', provider: 'openai', status: 500, message: 'server error' });
const rateLimited = (retryAfterMs?: number) =>
  new LLMError({ kind: 'rate-limit', provider: 'openai', status: 429, message: 'Rate limit reached', retryAfterMs });
const invalid = new LLMError({ kind: 'invalid-request', provider: 'openai', status: 400, message: 'bad request' });

describe('createCircuitBreaker', () => {
  it('opens after the threshold of consecutive failures, not before; a success resets the count', () => {
    const clock = manualClock();
    const breaker = createCircuitBreaker({ failureThreshold: 3, cooldownMs: 100, scheduler: clock.scheduler });
    expect(breaker.failure(overloaded)).toBe(true);
    expect(breaker.failure(overloaded)).toBe(true);
    breaker.success();
    breaker.failure(overloaded);
    breaker.failure(overloaded);
    expect(breaker.state).toBe('closed');
    expect(breaker.admit()).toBe(true);
    breaker.failure(overloaded);
    expect(breaker.state).toBe('open');
    expect(breaker.admit()).toBe(false);
    expect(breaker.canAdmit()).toBe(false);
    expect(breaker.reopensInMs).toBe(100);
  });

  it('errors isFailure does not count change nothing', () => {
    const clock = manualClock();
    const breaker = createCircuitBreaker({ failureThreshold: 1, scheduler: clock.scheduler });
    expect(breaker.failure(invalid)).toBe(false);
    expect(breaker.failure(new Error('not an LLMError'))).toBe(false);
    expect(breaker.state).toBe('closed');
    const custom = createCircuitBreaker({ failureThreshold: 1, isFailure: () => true, scheduler: clock.scheduler });
    expect(custom.failure(invalid)).toBe(true);
    expect(custom.state).toBe('open');
  });

  it('a 429 opens at once, for retryAfterMs when that is longer than the cooldown', () => {
    const clock = manualClock();
    const breaker = createCircuitBreaker({ failureThreshold: 3, cooldownMs: 100, scheduler: clock.scheduler });
    breaker.failure(rateLimited(250));
    expect(breaker.state).toBe('open');
    expect(breaker.reopensInMs).toBe(250);
    clock.advance(249);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    expect(breaker.state).toBe('half-open');

    const shortRetryAfter = createCircuitBreaker({ cooldownMs: 100, scheduler: clock.scheduler });
    shortRetryAfter.failure(rateLimited(10));
    expect(shortRetryAfter.reopensInMs).toBe(100);
    const noRetryAfter = createCircuitBreaker({ cooldownMs: 100, scheduler: clock.scheduler });
    noRetryAfter.failure(rateLimited());
    expect(noRetryAfter.reopensInMs).toBe(100);
  });

  it('half-open at exactly the cooldown admits exactly one trial; its success closes', () => {
    const clock = manualClock();
    const breaker = createCircuitBreaker({ failureThreshold: 1, cooldownMs: 100, scheduler: clock.scheduler });
    breaker.failure(overloaded);
    clock.advance(99);
    expect(breaker.admit()).toBe(false);
    clock.advance(1);
    expect(breaker.state).toBe('half-open');
    expect(breaker.reopensInMs).toBeUndefined();
    expect(breaker.canAdmit()).toBe(true);
    expect(breaker.admit()).toBe(true);
    expect(breaker.canAdmit()).toBe(false);
    expect(breaker.admit()).toBe(false);
    expect(breaker.admit()).toBe(false);
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.admit()).toBe(true);
    expect(breaker.admit()).toBe(true);
  });

  it("the trial's failure reopens for another cooldown (or a 429's longer retryAfterMs)", () => {
    const clock = manualClock();
    const breaker = createCircuitBreaker({ failureThreshold: 3, cooldownMs: 100, scheduler: clock.scheduler });
    breaker.failure(rateLimited());
    clock.advance(100);
    expect(breaker.admit()).toBe(true);
    clock.advance(7);
    breaker.failure(overloaded);
    expect(breaker.state).toBe('open');
    expect(breaker.reopensInMs).toBe(100);
    clock.advance(100);
    expect(breaker.admit()).toBe(true);
    breaker.failure(rateLimited(1_000));
    expect(breaker.reopensInMs).toBe(1_000);
  });

  it('a trial released without an outcome frees the slot for the next request', () => {
    const clock = manualClock();
    const breaker = createCircuitBreaker({ failureThreshold: 1, cooldownMs: 100, scheduler: clock.scheduler });
    breaker.failure(overloaded);
    clock.advance(100);
    expect(breaker.admit()).toBe(true);
    expect(breaker.admit()).toBe(false);
    breaker.release();
    expect(breaker.state).toBe('half-open');
    expect(breaker.admit()).toBe(true);
  });

  it('a failure reported while open restarts the cooldown from then; a late success is ignored', () => {
    const clock = manualClock();
    const breaker = createCircuitBreaker({ failureThreshold: 1, cooldownMs: 100, scheduler: clock.scheduler });
    breaker.failure(overloaded);
    clock.advance(60);
    breaker.failure(overloaded);
    expect(breaker.reopensInMs).toBe(100);
    breaker.success();
    expect(breaker.state).toBe('open');
    clock.advance(100);
    expect(breaker.state).toBe('half-open');
  });

  it('reads time from an RxJS TestScheduler in virtual time, with the documented defaults', () => {
    const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    testScheduler.run(({ flush }) => {
      const breaker = createCircuitBreaker({ scheduler: testScheduler });
      const states: string[] = [];
      for (let failure = 0; failure < 3; failure += 1) {
        states.push(breaker.state);
        breaker.failure(overloaded);
      }
      states.push(breaker.state);
      testScheduler.schedule(() => states.push(breaker.state), 29_999);
      testScheduler.schedule(() => states.push(breaker.state), 30_000);
      flush();
      expect(states).toEqual(['closed', 'closed', 'closed', 'open', 'open', 'half-open']);
    });
  });

  it('refuses a threshold below 1 and a negative cooldown', () => {
    expect(() => createCircuitBreaker({ failureThreshold: 0 })).toThrow(RangeError);
    expect(() => createCircuitBreaker({ failureThreshold: 1.5 })).toThrow(RangeError);
    expect(() => createCircuitBreaker({ cooldownMs: -1 })).toThrow(RangeError);
  });
});
