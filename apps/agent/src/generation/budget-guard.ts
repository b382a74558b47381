import { isContentChunk } from '@rxllm/core';
import { defer, from, Observable, switchMap } from 'rxjs';
import type { AgentKey } from '../http/agent-keys.js';
import { HttpError } from '../http/errors.js';
import type { PriceTable } from '../observability/cost.js';
import { costFields, UsageTally } from './generate.js';
import type { GenerationItem } from './object-events.js';
import type { SpendStore, Spent } from './spend.js';

/** The budgets a key has and what is left of each, given what it spent. */
function remaining(
  key: AgentKey,
  spent: Spent,
): { left: number; period: 'daily' | 'monthly'; budget: number } | undefined {
  const limits = [
    ...(key.dailyBudgetUsd === undefined
      ? []
      : [{ period: 'daily' as const, budget: key.dailyBudgetUsd, used: spent.day }]),
    ...(key.monthlyBudgetUsd === undefined
      ? []
      : [{ period: 'monthly' as const, budget: key.monthlyBudgetUsd, used: spent.month }]),
  ];
  if (limits.length === 0) return undefined;
  return limits
    .map(({ period, budget, used }) => ({ period, budget, left: budget - used }))
    .reduce((tightest, next) => (next.left < tightest.left ? next : tightest));
}

const exceeded = (key: AgentKey, period: string, budget: number, during: boolean) =>
  new HttpError({
    kind: 'budget-exceeded',
    message: during
      ? `this stream crossed the ${period} budget of key "${key.name}" ($${budget}) and was stopped`
      : `key "${key.name}" has spent its ${period} budget ($${budget}); it renews with the next UTC ${period === 'daily' ? 'day' : 'month'}`,
    headers: { 'x-should-retry': 'false' },
  });

/**
 * A generation held to its key's daily and monthly budgets: before it starts, a key that has spent a budget is
 * refused (`budget-exceeded`, before any upstream request); while it streams, its cost so far (from the usage, else
 * estimated from what was streamed) is added to what the key spent when it began, and once that crosses a budget
 * the stream ends with `budget-exceeded` (unsubscribing aborts the upstream request). A key without budgets passes.
 * Spend that several streams of one key run up at once is counted as each ends, so together they may overshoot by
 * what is in flight.
 *
 * @example
 * ```ts
 * const guarded = withBudget(source, { key, spend, prices, inputChars: 1200 });
 * ```
 */
export function withBudget(
  source: Observable<GenerationItem>,
  options: { key: AgentKey | undefined; spend: SpendStore; prices: PriceTable; inputChars: number },
): Observable<GenerationItem> {
  const { key, spend } = options;
  if (!key || (key.dailyBudgetUsd === undefined && key.monthlyBudgetUsd === undefined)) return source;
  return defer(() => from(spend.spent(key.name))).pipe(
    switchMap((spent) => {
      const before = remaining(key, spent);
      if (before && before.left <= 0) throw exceeded(key, before.period, before.budget, false);
      return new Observable<GenerationItem>((subscriber) => {
        const tally = new UsageTally();
        let chars = 0;
        const subscription = source.subscribe({
          next: (chunk) => {
            tally.see(chunk);
            if (chunk.type !== 'object' && isContentChunk(chunk) && chunk.type !== 'tool-call')
              chars += chunk.text.length;
            subscriber.next(chunk);
            const cost = costFields({ prices: options.prices, inputChars: options.inputChars }, tally, chars).costUsd;
            if (before && typeof cost === 'number' && cost >= before.left) {
              subscriber.error(exceeded(key, before.period, before.budget, true));
            }
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        });
        return subscription;
      });
    }),
  );
}
