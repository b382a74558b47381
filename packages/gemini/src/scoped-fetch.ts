/**
 * Runs `call` with `globalThis.fetch` set to `fetchImplementation` for the synchronous part of the call only, and
 * restores it before returning, so no other code ever sees the swap.
 *
 * Why: `@google/generative-ai` 0.24.1 (its final release) has no fetch option; it reads the global `fetch` once,
 * synchronously, when a request starts (a default parameter of its internal `makeModelRequest`, reached without an
 * `await` from `generateContentStream`). The provider's tests fail if a future build reads it later.
 *
 * @example
 * ```ts
 * const pending = withScopedFetch(myFetch, () => model.generateContentStream(body, { signal }));
 * ```
 */
export function withScopedFetch<TResult>(fetchImplementation: typeof fetch, call: () => TResult): TResult {
  const original = globalThis.fetch;
  globalThis.fetch = fetchImplementation;
  try {
    return call();
  } finally {
    globalThis.fetch = original;
  }
}
