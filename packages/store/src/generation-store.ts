/** One event of a generation's log, as the transports send it: `id` is its sequence number (1, 2, 3, …). */
export interface StoredEvent {
  id: number;
  /** The event name (`start`, `text`, …, `done`, `error`). */
  type: string;
  /** The event as JSON text, exactly as sent on the wire. */
  data: string;
}

/** Event types that end a generation. */
export const TERMINAL_EVENT_TYPES: ReadonlySet<string> = new Set(['done', 'error']);

export function isTerminalEvent(event: StoredEvent): boolean {
  return TERMINAL_EVENT_TYPES.has(event.type);
}

/** The stream id is unknown here: never created, or expired. */
export class StreamNotFoundError extends Error {
  override readonly name = 'StreamNotFoundError';
  constructor(streamId: string) {
    super(`stream ${streamId} was not found (it never existed or has expired)`);
  }
}

/** The events a reader asked for were dropped to keep the log bounded. */
export class EventsExpiredError extends Error {
  override readonly name = 'EventsExpiredError';
}

/** The store holds as many running generations as it may. */
export class StoreFullError extends Error {
  override readonly name = 'StoreFullError';
}

/**
 * Where generations are logged so that clients can resume them (after `Last-Event-ID`) and follow them live, possibly
 * from another server instance. Implementations: {@link MemoryGenerationStore} (one process) and
 * `RedisGenerationStore` (Redis Streams, shared by every instance on the same `REDIS_URL`).
 */
export interface GenerationStore {
  /** Starts the log of a new generation. */
  create(streamId: string): Promise<void>;
  /** Appends the next event. After a terminal event (`done`/`error`) the log is complete and starts to expire. */
  append(streamId: string, event: StoredEvent): Promise<void>;
  /**
   * Replays the events with `id > after`, then follows live, and ends after the terminal event. Throws
   * {@link StreamNotFoundError} for an unknown id. Aborting `signal` ends the iteration.
   */
  read(streamId: string, after: number, signal: AbortSignal): AsyncIterable<StoredEvent>;
  /** True while the log exists (running, or finished and not yet expired). */
  exists(streamId: string): Promise<boolean>;
  /** Asks whichever instance runs the generation to cancel it. Resolves false if no such running generation. */
  requestCancel(streamId: string): Promise<boolean>;
  /** Calls `handler` when any instance asks to cancel a generation. Returns the unsubscribe function. */
  onCancelRequest(handler: (streamId: string) => void): () => void;
  /**
   * Hands `message` (text, e.g. JSON: a decision on a tool call) to whichever instance runs the generation. Resolves
   * false if no such running generation. Delivery is at most once, to the instances listening now.
   */
  sendToRun(streamId: string, message: string): Promise<boolean>;
  /** Calls `handler` with every {@link GenerationStore.sendToRun} message, from any instance. Returns the unsubscribe. */
  onRunMessage(handler: (streamId: string, message: string) => void): () => void;
  /** Records that a client follows the generation (for the detach grace period); refresh before `watcherTtlMs`. */
  attach(streamId: string, watcherId: string): Promise<void>;
  detach(streamId: string, watcherId: string): Promise<void>;
  /** How many clients follow the generation, on every instance. */
  watchers(streamId: string): Promise<number>;
  close(): Promise<void>;
}

export interface GenerationStoreOptions {
  /** How long a finished generation stays resumable. Default 5 minutes. */
  finishedTtlMs?: number;
  /** How long a generation that never finishes is kept. Default 1 hour. */
  runningTtlMs?: number;
  /** How long an attachment counts without a refresh. Default 30 seconds. */
  watcherTtlMs?: number;
}

export const defaultStoreOptions: Required<GenerationStoreOptions> = {
  finishedTtlMs: 5 * 60_000,
  runningTtlMs: 60 * 60_000,
  watcherTtlMs: 30_000,
};
