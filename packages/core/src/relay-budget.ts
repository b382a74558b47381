/**
 * Longest one relay ({@link fromAbortable}, {@link fromAbortableBatches}) runs at a stretch while other relays are
 * busy too, in milliseconds: a fast upstream's backlog then delays the other streams, timers and sockets by about
 * this much, not by the time it takes to relay all of it.
 */
export const RELAY_RUN_MS = 1;

/**
 * How many times longer (in time and in units) a relay's runs are while no other relay is busy: it then competes
 * only with timers and sockets (a `/healthz` waits at most about `RELAY_RUN_MS × RELAY_SOLO_FACTOR`), and a lone fast
 * stream does not pay a turn of the event loop every millisecond. Yielding often to a body read through Node 20's
 * built-in `fetch` (undici 6) is costly besides: once its consumer lags, each read copies the whole backlog.
 */
export const RELAY_SOLO_FACTOR = 8;

/**
 * Longest the relays that stepped aside run together in one turn of the event loop, in milliseconds, taking turns in
 * the order they asked; whoever is left waits for the next turn. Ten fast streams then cost the event loop about this
 * much per turn, not ten times {@link RELAY_RUN_MS}.
 */
export const RELAY_TURN_MS = 2;

/** What one run of a relay may use before it yields: units relayed (values, bytes) and time. */
export interface RelayBudgetOptions {
  /** Most units (values, bytes: the caller decides) one run relays before it yields, while other relays are busy. */
  maxPerRun: number;
  /**
   * Units a run may always relay (the caller's slice): past this, it also yields as soon as the relays' share of the
   * event loop's turn ({@link RELAY_TURN_MS}) is used up and another relay is waiting. A stream that gets a few values
   * at a time stays under it and never waits behind fast ones. Default: `maxPerRun`.
   */
  minPerRun?: number;
  /** Longest one run lasts while other relays are busy, in milliseconds; default {@link RELAY_RUN_MS}. */
  maxRunMs?: number;
  /** How many times longer runs are while no other relay is busy; default {@link RELAY_SOLO_FACTOR}. */
  soloFactor?: number;
}

/** The run budget of one relay (one subscription). */
export interface RelayBudget {
  /**
   * Counts `amount` units relayed; true once this run has used its budget (by units or by time), when the caller
   * should `await` {@link RelayBudget.yieldTurn} before relaying more. A run also ends at every turn of the event
   * loop, so a stream whose values arrive a few at a time never reaches its budget and never waits.
   */
  spend(amount: number): boolean;
  /**
   * Resolves when it is this relay's turn again: after the relays that were waiting before it, and never before the
   * event loop has run pending I/O and timers if no other relay is waiting. Starts a fresh run.
   */
  yieldTurn(): Promise<void>;
}

const schedule: (callback: () => void) => void =
  typeof setImmediate === 'function' ? (callback) => setImmediate(callback) : (callback) => setTimeout(callback, 0);

// Every relay in the process shares one turn counter, moved on by one `setImmediate` per turn in which anything was
// relayed (not one per batch): a run that began in an earlier turn is over, whatever it spent. The counter also
// tells how many relays were busy in this turn and the one before, so a lone relay can take longer runs.
let turn = 0;
let turnEndScheduled = false;
let busyThisTurn = 0;
let busyLastTurn = 0;
const endTurn = () => {
  turn += 1;
  turnEndScheduled = false;
  busyLastTurn = busyThisTurn;
  busyThisTurn = 0;
};
function currentTurn(): number {
  if (!turnEndScheduled) {
    turnEndScheduled = true;
    schedule(endTurn);
  }
  return turn;
}

// Relays that have used a run and wait for another, in the order they asked. A turn (one `setImmediate`) resumes the
// first; each one that asks again hands the turn on to the next, until RELAY_TURN_MS is used up.
const waiting: Array<() => void> = [];
let turnScheduled = false;
let turnStartedAt = Number.NEGATIVE_INFINITY;

function scheduleTurn(): void {
  if (turnScheduled) return;
  turnScheduled = true;
  schedule(startTurn);
}

function startTurn(): void {
  turnScheduled = false;
  turnStartedAt = performance.now();
  resumeNext();
}

function resumeNext(): void {
  const resume = waiting.shift();
  // If the resumed relay ends instead of asking again, the hand-over stops: the rest are served next turn.
  if (waiting.length > 0) scheduleTurn();
  resume?.();
}

/** Another relay is waiting or was busy in this turn or the last. */
function contended(): boolean {
  return waiting.length > 0 || busyThisTurn > 1 || busyLastTurn > 1;
}

/** The relays' share of this turn is used up and someone is waiting for it. */
function turnUsedUp(now: number): boolean {
  return waiting.length > 0 && now - turnStartedAt >= RELAY_TURN_MS;
}

function waitForTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    // Hand the turn to another waiting relay while it lasts; never straight back to the one asking.
    if (waiting.length > 1 && performance.now() - turnStartedAt < RELAY_TURN_MS) resumeNext();
    else scheduleTurn();
  });
}

/**
 * Resolves on a later turn of the event loop (`setImmediate`; `setTimeout(0)` where there is none), so I/O callbacks
 * and timers run first; a resolved promise or `queueMicrotask` would not let them.
 *
 * @example
 * ```ts
 * for (const [index, value] of values.entries()) {
 *   handle(value);
 *   if (index % 1000 === 999) await yieldToEventLoop();
 * }
 * ```
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => schedule(resolve));
}

/**
 * A budget for relaying a fast source without holding the event loop: the caller relays in slices, calls
 * {@link RelayBudget.spend} after each, and yields when it says so. A run is what one relay does at a stretch; it
 * ends after `maxPerRun` units or `maxRunMs` milliseconds (`soloFactor` times that while no other relay is busy),
 * whichever comes first, or at the end of the event loop's turn. Relays that yield take turns, all of them together
 * running about {@link RELAY_TURN_MS} per turn of the event loop, so a fast stream is served in order with the
 * others and never holds up timers and sockets for long.
 *
 * @example
 * ```ts
 * const budget = createRelayBudget({ maxPerRun: 512 });
 * for (let start = 0; start < values.length; start += 64) {
 *   const slice = values.slice(start, start + 64);
 *   for (const value of slice) subscriber.next(value);
 *   if (budget.spend(slice.length)) await budget.yieldTurn();
 * }
 * ```
 */
export function createRelayBudget(options: RelayBudgetOptions): RelayBudget {
  const maxRunMs = options.maxRunMs ?? RELAY_RUN_MS;
  const minPerRun = options.minPerRun ?? options.maxPerRun;
  const soloFactor = options.soloFactor ?? RELAY_SOLO_FACTOR;
  let runTurn = -1;
  let countedTurn = -1;
  let runStartedAt = 0;
  let spent = 0;
  return {
    spend(amount) {
      const now = performance.now();
      const seenTurn = currentTurn();
      if (seenTurn !== countedTurn) {
        countedTurn = seenTurn;
        busyThisTurn += 1;
      }
      if (seenTurn !== runTurn) {
        runTurn = seenTurn;
        runStartedAt = now;
        spent = 0;
      }
      spent += amount;
      const factor = contended() ? 1 : soloFactor;
      if (spent >= options.maxPerRun * factor || now - runStartedAt >= maxRunMs * factor) return true;
      return spent >= minPerRun && turnUsedUp(now);
    },
    async yieldTurn() {
      await waitForTurn();
      runTurn = -1;
    },
  };
}
