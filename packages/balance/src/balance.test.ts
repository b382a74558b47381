import { type Chunk, LLMError, type Provider } from '@rxllm/core';
import { createChunkTestScheduler, finish, start, text } from '@rxllm/testing/marbles';
import { NEVER, type Observable, of, Subject, type Subscription } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { balance } from './balance.js';
import type { Deployment } from './deployment.js';
import { type FakeProvider, fakeProvider, sequence } from './test-fake-provider.js';

const createTestScheduler = () => createChunkTestScheduler({ errors: 'llm-error-fields' });
const request = { messages: [{ role: 'user' as const, content: 'Hi' }] };

const values: Record<string, Chunk> = {
  s: start({ provider: 'a' }),
  t: start({ provider: 'b' }),
  a: text('from a'),
  b: text('from b'),
  c: text('from c'),
  f: finish(),
};
const overloaded = (provider: string) =>
  new LLMError({ kind: 'overloaded', provider, status: 500, message: `${provider}: server error` });
const rateLimited = (retryAfterMs: number) =>
  new LLMError({ kind: 'rate-limit', provider: 'a', status: 429, message: 'Rate limit reached', retryAfterMs });
const auth = new LLMError({ kind: 'auth', provider: 'a', status: 401, message: 'Incorrect API key' });
const dropped = new LLMError({ kind: 'network', provider: 'a', message: 'connection reset' });

const deployment = (id: string, provider: FakeProvider, weight?: number): Deployment =>
  weight === undefined ? { id, provider } : { id, provider, weight };
const answered = (): Observable<Chunk> => of(text('x'), finish());
/** Which fake provider each request went to, in order. */
const routeOf = (providers: FakeProvider[], before: number[]) =>
  providers.findIndex((provider, index) => provider.requests.length > before[index]!);

describe('balance: picking a deployment', () => {
  it('weighted: draws in proportion to weight with the injected random numbers', () => {
    const providers = [fakeProvider('a', answered()), fakeProvider('b', answered())];
    const provider = balance([deployment('a', providers[0]!, 1), deployment('b', providers[1]!, 3)], {
      random: sequence(0.1, 0.24, 0.25, 0.5, 0.99, 0),
    });
    const picks: string[] = [];
    for (let index = 0; index < 6; index += 1) {
      const before = providers.map((fake) => fake.requests.length);
      provider.stream(request).subscribe();
      picks.push(['a', 'b'][routeOf(providers, before)]!);
    }
    // random × total weight 4: 0.4 a, 0.96 a, 1.0 b, 2 b, 3.96 b, 0 a.
    expect(picks).toEqual(['a', 'a', 'b', 'b', 'b', 'a']);
  });

  it('least-in-flight: fewest open streams, ties by weight then order', () => {
    const providers = ['a', 'b', 'c'].map((name) => fakeProvider(name, NEVER));
    const provider = balance(
      providers.map((fake, index) => deployment(fake.name, fake, index === 1 ? 2 : 1)),
      { strategy: 'least-in-flight' },
    );
    const subscriptions: Subscription[] = [];
    const picks: string[] = [];
    const send = () => {
      const before = providers.map((fake) => fake.requests.length);
      subscriptions.push(provider.stream(request).subscribe());
      picks.push(providers[routeOf(providers, before)]!.name);
    };
    for (let index = 0; index < 4; index += 1) send();
    expect(picks).toEqual(['b', 'a', 'c', 'b']);
    expect(provider.stats().map((stats) => stats.inFlight)).toEqual([1, 2, 1]);
    subscriptions[2]!.unsubscribe(); // c
    send();
    expect(picks.at(-1)).toBe('c');
    for (const subscription of subscriptions) subscription.unsubscribe();
    expect(provider.stats().map((stats) => stats.inFlight)).toEqual([0, 0, 0]);
  });

  it('lowest-ttft: measures each deployment first, then sends to the lowest median time to first content', () => {
    const testScheduler = createTestScheduler();
    let provider: ReturnType<typeof balance> | undefined;
    testScheduler.run(({ cold, expectObservable }) => {
      const a = fakeProvider('a', cold('-----a|', values));
      const b = fakeProvider('b', cold('--b|', values));
      const c = fakeProvider('c', cold('--------c|', values));
      provider = balance([deployment('a', a), deployment('b', b), deployment('c', c)], {
        strategy: 'lowest-ttft',
        scheduler: testScheduler,
      });
      expectObservable(provider.stream(request), '^').toBe('5ms a|', values);
      expectObservable(provider.stream(request), '20ms ^').toBe('22ms b|', values);
      expectObservable(provider.stream(request), '40ms ^').toBe('48ms c|', values);
      expectObservable(provider.stream(request), '60ms ^').toBe('62ms b|', values);
      expectObservable(provider.stream(request), '80ms ^').toBe('82ms b|', values);
    });
    expect(provider!.stats().map(({ id, ttftMs, requests }) => ({ id, ttftMs, requests }))).toEqual([
      { id: 'a', ttftMs: 5, requests: 1 },
      { id: 'b', ttftMs: 2, requests: 3 },
      { id: 'c', ttftMs: 8, requests: 1 },
    ]);
  });

  it('lowest-ttft: concurrent first requests spread over the unmeasured deployments', () => {
    const providers = ['a', 'b'].map((name) => fakeProvider(name, NEVER));
    const provider = balance(
      providers.map((fake) => deployment(fake.name, fake)),
      { strategy: 'lowest-ttft' },
    );
    const first = provider.stream(request).subscribe();
    const second = provider.stream(request).subscribe();
    expect(providers.map((fake) => fake.requests.length)).toEqual([1, 1]);
    first.unsubscribe();
    second.unsubscribe();
  });

  it('the TTFT median is over the last ttftWindow samples', () => {
    const testScheduler = createTestScheduler();
    let provider: ReturnType<typeof balance> | undefined;
    testScheduler.run(({ cold, expectObservable }) => {
      const a = fakeProvider('a', cold('-------a|', values), cold('---a|', values), cold('-a|', values));
      provider = balance([deployment('a', a)], { scheduler: testScheduler, ttftWindow: 2 });
      expectObservable(provider.stream(request), '^').toBe('7ms a|', values);
      expectObservable(provider.stream(request), '10ms ^').toBe('13ms a|', values);
      expectObservable(provider.stream(request), '20ms ^').toBe('21ms a|', values);
    });
    // Samples 7, 3, 1: the window keeps 3 and 1.
    expect(provider!.stats()[0]!.ttftMs).toBe(2);
  });
});

describe('balance: failover', () => {
  it('a counted failure before content moves to the next deployment; only its start shows', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const aStream = cold('s#', values, overloaded('a'));
      const bStream = cold('-t-b---|', values);
      const provider = balance(
        [deployment('a', fakeProvider('a', aStream)), deployment('b', fakeProvider('b', bStream))],
        {
          random: () => 0,
        },
      );
      expectObservable(provider.stream(request)).toBe('----(tb)|', values);
      expectSubscriptions(aStream.subscriptions).toBe('^!');
      expectSubscriptions(bStream.subscriptions).toBe('-^------!');
    });
  });

  it('does not fail over after content, on an error the breaker does not count, or with failover: false', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const bStream = cold('b|', values);
      const twoDeployments = (aStream: Observable<Chunk>, failover?: boolean) =>
        balance([deployment('a', fakeProvider('a', aStream)), deployment('b', fakeProvider('b', bStream))], {
          random: () => 0,
          ...(failover === undefined ? {} : { failover }),
        });
      expectObservable(twoDeployments(cold('s-a----#', values, dropped)).stream(request)).toBe(
        '--(sa)-#',
        values,
        dropped,
      );
      expectObservable(twoDeployments(cold('-#', values, auth)).stream(request)).toBe('-#', values, auth);
      expectObservable(twoDeployments(cold('s#', values, overloaded('a')), false).stream(request)).toBe(
        's#',
        values,
        overloaded('a'),
      );
      expectSubscriptions(bStream.subscriptions).toBe([]);
    });
  });

  it('tries each deployment at most once and passes on the last failure', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const streams = ['a', 'b', 'c'].map((name) => cold('-#', values, overloaded(name)));
      const provider = balance(
        streams.map((stream, index) => deployment(`d${index}`, fakeProvider(`p${index}`, stream))),
        { random: () => 0 },
      );
      expectObservable(provider.stream(request)).toBe('---#', values, overloaded('c'));
      expectSubscriptions(streams[0]!.subscriptions).toBe('^!');
      expectSubscriptions(streams[1]!.subscriptions).toBe('-^!');
      expectSubscriptions(streams[2]!.subscriptions).toBe('--^!');
    });
  });

  it('unsubscribing downstream unsubscribes whichever attempt is running', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const aStream = cold('-#', values, overloaded('a'));
      const bStream = cold('----b|', values);
      const provider = balance(
        [deployment('a', fakeProvider('a', aStream)), deployment('b', fakeProvider('b', bStream))],
        {
          random: () => 0,
        },
      );
      expectObservable(provider.stream(request), '^--!').toBe('---');
      expectSubscriptions(bStream.subscriptions).toBe('-^-!');
    });
  });
});

describe('balance: in-flight count and stats', () => {
  it('counts a stream in flight until it completes, errors or is unsubscribed', () => {
    const subjects: Subject<Chunk>[] = [];
    const held: Provider = {
      name: 'a',
      defaultModel: 'a-default',
      stream: () => {
        const subject = new Subject<Chunk>();
        subjects.push(subject);
        return subject;
      },
    };
    // A TestScheduler outside run() is a clock stopped at 0.
    const provider = balance([{ id: 'a', provider: held }], { scheduler: createTestScheduler() });
    const inFlight = () => provider.stats()[0]!.inFlight;
    const errors: unknown[] = [];

    provider.stream(request).subscribe();
    expect(inFlight()).toBe(1);
    subjects[0]!.next(text('Hi'));
    subjects[0]!.complete();
    expect(inFlight()).toBe(0);

    provider.stream(request).subscribe({ error: (error) => errors.push(error) });
    expect(inFlight()).toBe(1);
    subjects[1]!.error(auth);
    expect(inFlight()).toBe(0);
    expect(errors).toEqual([auth]);

    const subscription = provider.stream(request).subscribe();
    expect(inFlight()).toBe(1);
    subscription.unsubscribe();
    expect(inFlight()).toBe(0);
    expect(subjects[2]!.observed).toBe(false);
    // The unsubscribe and the uncounted auth error are neither success nor failure.
    expect(provider.stats()).toEqual([{ id: 'a', state: 'closed', inFlight: 0, ttftMs: 0, requests: 3, failures: 0 }]);
  });

  it('is cold, names itself after its deployments, takes the first default model, and sets each model', () => {
    const a = fakeProvider('openai', answered());
    const b = fakeProvider('openai', answered());
    const provider = balance(
      [
        { id: 'eu', provider: a, model: 'gpt-eu' },
        { id: 'us', provider: b },
      ],
      { random: sequence(0, 0.9) },
    );
    const stream = provider.stream({ ...request, model: 'gpt-4.1' });
    expect(a.requests).toHaveLength(0);
    expect(provider.stats().map((stats) => stats.requests)).toEqual([0, 0]);
    stream.subscribe();
    stream.subscribe();
    expect(a.requests.map((sent) => sent.model)).toEqual(['gpt-eu']);
    expect(b.requests.map((sent) => sent.model)).toEqual(['gpt-4.1']);
    expect(provider.name).toBe('balance(eu,us)');
    expect(provider.defaultModel).toBe('gpt-eu');
    expect(balance([{ id: 'us', provider: b }]).defaultModel).toBe('openai-default');
  });

  it('refuses no deployments, a repeated id, a weight that is not > 0, and a bad ttftWindow', () => {
    const fake = fakeProvider('a');
    expect(() => balance([])).toThrow(RangeError);
    expect(() => balance([deployment('a', fake), deployment('a', fake)])).toThrow(/used twice/);
    expect(() => balance([deployment('a', fake, 0)])).toThrow(/weight/);
    expect(() => balance([deployment('a', fake, Number.NaN)])).toThrow(/weight/);
    expect(() => balance([deployment('a', fake)], { ttftWindow: 0 })).toThrow(/ttftWindow/);
  });
});

describe('balance: circuit breakers', () => {
  const twoDeployments = (testScheduler: TestScheduler, a: FakeProvider, b: FakeProvider, breaker = {}) =>
    balance([deployment('a', a), deployment('b', b)], { random: () => 0, scheduler: testScheduler, breaker });

  it('repeated 5xx open the breaker and stop traffic; after the cooldown one trial goes through and closes it', () => {
    const testScheduler = createTestScheduler();
    let provider: ReturnType<typeof balance> | undefined;
    let a: FakeProvider | undefined;
    testScheduler.run(({ cold, expectObservable }) => {
      const failing = cold('-#', values, overloaded('a'));
      a = fakeProvider('a', failing, failing, cold('-----a|', values));
      const b = fakeProvider('b', cold('-b|', values));
      provider = twoDeployments(testScheduler, a, b, { failureThreshold: 2, cooldownMs: 100 });
      expectObservable(provider.stream(request), '^').toBe('--b|', values);
      expectObservable(provider.stream(request), '10ms ^').toBe('12ms b|', values); // opens until 111
      expectObservable(provider.stream(request), '20ms ^').toBe('21ms b|', values);
      expectObservable(provider.stream(request), '30ms ^').toBe('31ms b|', values);
      expectObservable(provider.stream(request), '120ms ^').toBe('125ms a|', values); // the trial
      expectObservable(provider.stream(request), '121ms ^').toBe('122ms b|', values); // trial in flight
      expectObservable(provider.stream(request), '130ms ^').toBe('135ms a|', values); // closed again
    });
    expect(a!.requests).toHaveLength(4);
    expect(provider!.stats()).toEqual([
      { id: 'a', state: 'closed', inFlight: 0, ttftMs: 5, requests: 4, failures: 2 },
      { id: 'b', state: 'closed', inFlight: 0, ttftMs: 1, requests: 5, failures: 0 },
    ]);
  });

  it('a 429 opens the breaker at once for its retryAfterMs', () => {
    const testScheduler = createTestScheduler();
    let provider: ReturnType<typeof balance> | undefined;
    testScheduler.run(({ cold, expectObservable }) => {
      const a = fakeProvider('a', cold('-#', values, rateLimited(500)), cold('-a|', values));
      const b = fakeProvider('b', cold('-b|', values));
      provider = twoDeployments(testScheduler, a, b, { failureThreshold: 3, cooldownMs: 100 });
      expectObservable(provider.stream(request), '^').toBe('--b|', values);
      testScheduler.schedule(() => expect(provider!.stats()[0]!.state).toBe('open'), 2);
      expectObservable(provider.stream(request), '300ms ^').toBe('301ms b|', values);
      expectObservable(provider.stream(request), '501ms ^').toBe('502ms a|', values);
    });
    expect(provider!.stats()[0]).toMatchObject({ state: 'closed', requests: 2, failures: 1 });
  });

  it('an unsubscribed trial gives its slot back', () => {
    const testScheduler = createTestScheduler();
    testScheduler.run(({ cold, expectObservable }) => {
      const a = fakeProvider('a', cold('-#', values, overloaded('a')), cold('-', values), cold('-a|', values));
      const b = fakeProvider('b', cold('-b|', values));
      const provider = twoDeployments(testScheduler, a, b, {
        failureThreshold: 1,
        cooldownMs: 10,
      });
      expectObservable(provider.stream(request), '^').toBe('--b|', values);
      expectObservable(provider.stream(request), '11ms ^ 4ms !').toBe('');
      expectObservable(provider.stream(request), '20ms ^').toBe('21ms a|', values);
    });
  });

  it('no deployment admitting fails with a retryable overloaded error saying when the first breaker reopens', () => {
    const testScheduler = createTestScheduler();
    const caught: unknown[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const a = fakeProvider('a', cold('-#', values, overloaded('a')));
      const b = fakeProvider('b', cold('---#', values, overloaded('b')));
      const provider = twoDeployments(testScheduler, a, b, { failureThreshold: 1, cooldownMs: 100 });
      expectObservable(provider.stream(request)).toBe('----#', values, overloaded('b'));
      const message =
        'No deployment admits a request: all 2 deployments have their circuit breakers open; the first reopens in 51 ms';
      expectObservable(provider.stream(request), '50ms ^').toBe('50ms #', values, {
        kind: 'overloaded',
        provider: 'balance(a,b)',
        message,
        retryable: true,
        details: { deployments: 2 },
      });
      testScheduler.schedule(() => provider.stream(request).subscribe({ error: (error) => caught.push(error) }), 50);
    });
    expect(caught[0]).toMatchObject({ kind: 'overloaded', retryable: true, retryAfterMs: 51 });
    expect(LLMError.isInstance(caught[0])).toBe(true);
  });

  it('a single deployment whose trial is in flight: the error says so, without retryAfterMs', () => {
    const testScheduler = createTestScheduler();
    const caught: unknown[] = [];
    testScheduler.run(({ cold }) => {
      const a = fakeProvider('a', cold('-#', values, overloaded('a')), cold('-', values));
      const provider = balance([deployment('a', a)], {
        scheduler: testScheduler,
        breaker: { failureThreshold: 1, cooldownMs: 10 },
      });
      provider.stream(request).subscribe({ error: () => undefined });
      testScheduler.schedule(() => provider.stream(request).subscribe(), 11);
      testScheduler.schedule(() => provider.stream(request).subscribe({ error: (error) => caught.push(error) }), 12);
    });
    expect(caught).toHaveLength(1);
    expect(caught[0]).toMatchObject({
      kind: 'overloaded',
      message:
        'No deployment admits a request: the only deployment has its circuit breaker open or a trial request in flight',
      retryAfterMs: undefined,
    });
  });
});
