import type { LLMError } from '@rxllm/core';

/** One reconnection about to happen, for a progress line: `reconnecting (attempt 1/5) in 250 ms…`. */
export interface ReconnectAttempt {
  streamId: string;
  /** The last event id received: the agent replays everything after it. */
  after: number;
  /** 1-based. */
  attempt: number;
  attempts: number;
  delayMs: number;
  /** What broke the connection. */
  error: LLMError;
}

/** How hard to try picking a stream up again after its connection dropped. */
export interface ResumeOptions {
  /** Reconnections in a row without a new event before giving up (default 5). */
  attempts?: number;
  /** Wait before the first reconnection; doubled each time (default 250 ms). */
  initialDelayMs?: number;
  /** Longest wait between two reconnections (default 2000 ms). */
  maxDelayMs?: number;
  onReconnect?: (attempt: ReconnectAttempt) => void;
}

/** {@link ResumeOptions} with every default filled in. */
export interface ResolvedResumeOptions {
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  onReconnect?: (attempt: ReconnectAttempt) => void;
}

/**
 * The reconnection policy for a `resume` option: `undefined` when off, the defaults (5 attempts, 250 ms doubling to
 * 2 s) for `true`.
 *
 * @example
 * ```ts
 * resolveResumeOptions(true); // { attempts: 5, initialDelayMs: 250, maxDelayMs: 2000 }
 * resolveResumeOptions(false); // undefined
 * ```
 */
export function resolveResumeOptions(resume: boolean | ResumeOptions | undefined): ResolvedResumeOptions | undefined {
  if (resume === undefined || resume === false) return undefined;
  const given = resume === true ? {} : resume;
  return {
    attempts: given.attempts ?? 5,
    initialDelayMs: given.initialDelayMs ?? 250,
    maxDelayMs: given.maxDelayMs ?? 2000,
    ...(given.onReconnect ? { onReconnect: given.onReconnect } : {}),
  };
}

/**
 * The wait before reconnection number `failures + 1`: exponential from `initialDelayMs`, capped at `maxDelayMs`.
 *
 * @example
 * ```ts
 * const policy = resolveResumeOptions(true)!;
 * [0, 1, 2, 3, 4].map((failures) => reconnectDelayMs(policy, failures)); // [250, 500, 1000, 2000, 2000]
 * ```
 */
export function reconnectDelayMs(policy: ResolvedResumeOptions, failures: number): number {
  return Math.min(policy.initialDelayMs * 2 ** failures, policy.maxDelayMs);
}
