import { describe, expect, it } from 'vitest';
import { createRelayBudget, yieldToEventLoop } from './relay-budget.js';

/** A flag that a `setImmediate` scheduled now sets: it shows whether the event loop had a turn since. */
function macrotaskMarker(): { readonly ran: boolean } {
  const marker = { ran: false };
  setImmediate(() => {
    marker.ran = true;
  });
  return marker;
}

describe('createRelayBudget', () => {
  it('is spent by units within a run; a new turn of the event loop starts a fresh run', async () => {
    const budget = createRelayBudget({ maxPerRun: 10, maxRunMs: Number.POSITIVE_INFINITY, soloFactor: 1 });
    expect(budget.spend(6)).toBe(false);
    expect(budget.spend(3)).toBe(false);
    expect(budget.spend(1)).toBe(true);
    await yieldToEventLoop();
    // A stream whose values trickle in, a few per turn, never reaches its budget.
    expect(budget.spend(6)).toBe(false);
    await yieldToEventLoop();
    expect(budget.spend(6)).toBe(false);
    expect(budget.spend(6)).toBe(true);
  });

  it('is spent by time: a run that has lasted maxRunMs is over, whatever it relayed', () => {
    const budget = createRelayBudget({ maxPerRun: Number.POSITIVE_INFINITY, maxRunMs: 0, soloFactor: 1 });
    expect(budget.spend(1)).toBe(true);
  });

  it('yieldTurn lets the event loop run (a setImmediate queued before resumes first) and starts a fresh run', async () => {
    const budget = createRelayBudget({ maxPerRun: 4, maxRunMs: Number.POSITIVE_INFINITY, soloFactor: 1 });
    expect(budget.spend(4)).toBe(true);
    const marker = macrotaskMarker();
    await budget.yieldTurn();
    expect(marker.ran).toBe(true);
    expect(budget.spend(3)).toBe(false);
  });

  it('alone, a run is soloFactor times longer; with another relay busy in the same turn, it is not', async () => {
    const options = { maxPerRun: 10, maxRunMs: Number.POSITIVE_INFINITY, soloFactor: 4 };
    // Out of the turn in which earlier tests' relays were busy.
    await yieldToEventLoop();
    const alone = createRelayBudget(options);
    expect(alone.spend(39)).toBe(false);
    expect(alone.spend(1)).toBe(true);
    // A fresh turn, with the last turn's count of busy relays gone.
    await yieldToEventLoop();
    await yieldToEventLoop();
    const first = createRelayBudget(options);
    const second = createRelayBudget(options);
    expect(first.spend(1)).toBe(false);
    expect(second.spend(1)).toBe(false);
    expect(first.spend(9)).toBe(true);
  });

  it('relays that yield take turns in the order they asked', async () => {
    const order: string[] = [];
    const relay = async (name: string) => {
      const budget = createRelayBudget({ maxPerRun: 1, maxRunMs: Number.POSITIVE_INFINITY });
      for (let round = 0; round < 3; round += 1) {
        order.push(`${name}${round}`);
        if (budget.spend(1)) await budget.yieldTurn();
      }
    };
    await Promise.all([relay('a'), relay('b'), relay('c')]);
    expect(order).toEqual(['a0', 'b0', 'c0', 'a1', 'b1', 'c1', 'a2', 'b2', 'c2']);
  });
});

describe('yieldToEventLoop', () => {
  it('resolves after I/O callbacks and timers had their turn, unlike a resolved promise', async () => {
    const marker = macrotaskMarker();
    await Promise.resolve();
    expect(marker.ran).toBe(false);
    await yieldToEventLoop();
    expect(marker.ran).toBe(true);
  });
});
