/** A promise with its `resolve` at hand, for "finished" signals that several callbacks may settle. */
export interface Deferred<TValue> {
  readonly promise: Promise<TValue>;
  /** Settles the promise; later calls are ignored (a promise settles once). */
  resolve(value: TValue): void;
}

/**
 * A promise and the function that resolves it.
 *
 * @example
 * ```ts
 * const finished = deferred<void>();
 * response.on('close', () => finished.resolve());
 * await finished.promise;
 * ```
 */
export function deferred<TValue = void>(): Deferred<TValue> {
  let resolve: (value: TValue) => void = () => undefined;
  const promise = new Promise<TValue>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}
