import type { Redis } from 'ioredis';

/** What a key has spent in the current UTC day and month, in US dollars. */
export interface Spent {
  day: number;
  month: number;
}

/** Spend per named key: this process's memory, or Redis so that every agent on it counts the same budget. */
export interface SpendStore {
  spent(name: string): Promise<Spent>;
  add(name: string, usd: number): Promise<void>;
}

/** The UTC day and month a moment falls in: `2026-12-04`, `2026-12`. */
function periods(now: number): { day: string; month: string } {
  const iso = new Date(now).toISOString();
  return { day: iso.slice(0, 10), month: iso.slice(0, 7) };
}

/**
 * Spend in this process: a day's and a month's total per key, reset when the UTC day or month turns.
 *
 * @example
 * ```ts
 * const spend = memorySpendStore();
 * await spend.add('team-a', 0.02);
 * await spend.spent('team-a'); // { day: 0.02, month: 0.02 }
 * ```
 */
export function memorySpendStore(now: () => number = Date.now): SpendStore {
  const totals = new Map<string, { day: string; dayUsd: number; month: string; monthUsd: number }>();
  const current = (name: string) => {
    const { day, month } = periods(now());
    const entry = totals.get(name);
    const fresh = {
      day,
      month,
      dayUsd: entry?.day === day ? entry.dayUsd : 0,
      monthUsd: entry?.month === month ? entry.monthUsd : 0,
    };
    totals.set(name, fresh);
    return fresh;
  };
  return {
    async spent(name) {
      const entry = current(name);
      return { day: entry.dayUsd, month: entry.monthUsd };
    },
    async add(name, usd) {
      const entry = current(name);
      entry.dayUsd += usd;
      entry.monthUsd += usd;
    },
  };
}

const DAY_MS = 86_400_000;

/**
 * Spend in Redis: `<prefix>spend:<name>:<day>` and `:<month>` counters (`INCRBYFLOAT`), expiring after their period.
 *
 * @example
 * ```ts
 * const spend = redisSpendStore(redis);
 * await spend.spent('team-a'); // the same on every agent on this Redis
 * ```
 */
export function redisSpendStore(redis: Redis, now: () => number = Date.now, prefix = 'rxllm:'): SpendStore {
  const keys = (name: string) => {
    const { day, month } = periods(now());
    return { day: `${prefix}spend:${name}:${day}`, month: `${prefix}spend:${name}:${month}` };
  };
  return {
    async spent(name) {
      const { day, month } = keys(name);
      const [dayUsd, monthUsd] = await redis.mget(day, month);
      return { day: Number(dayUsd ?? 0), month: Number(monthUsd ?? 0) };
    },
    async add(name, usd) {
      const { day, month } = keys(name);
      await redis
        .multi()
        .incrbyfloat(day, usd)
        .pexpire(day, 2 * DAY_MS)
        .incrbyfloat(month, usd)
        .pexpire(month, 32 * DAY_MS)
        .exec();
    },
  };
}
