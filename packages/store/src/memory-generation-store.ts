import {
  defaultStoreOptions,
  EventsExpiredError,
  type GenerationStore,
  type GenerationStoreOptions,
  isTerminalEvent,
  type StoredEvent,
  StoreFullError,
  StreamNotFoundError,
} from './generation-store.js';

export interface MemoryGenerationStoreOptions extends GenerationStoreOptions {
  /** Most generations kept at once; finished ones are evicted oldest first. Default 10,000. */
  maxGenerations?: number;
  /** Most events kept per generation; older ones are dropped (a resume from before them fails). Default 20,000. */
  maxEventsPerGeneration?: number;
  /** Clock, injectable for tests. */
  now?: () => number;
  /** How often expired generations are swept. Default 30 s; 0 disables the timer (sweeps still run on writes). */
  sweepIntervalMs?: number;
}

interface Generation {
  events: StoredEvent[];
  /** Id of the first event still kept, minus one. */
  droppedUpTo: number;
  finished: boolean;
  expiresAt: number;
  wake: Set<() => void>;
  watchers: Map<string, number>;
}

/**
 * A bounded, expiring {@link GenerationStore} in this process's memory: resume works on the instance that generated.
 *
 * @example
 * ```ts
 * const store = new MemoryGenerationStore({ finishedTtlMs: 60_000 });
 * await store.create(id);
 * await store.append(id, { id: 1, type: 'text', data: '{"type":"text","text":"Hi"}' });
 * for await (const event of store.read(id, 0, signal)) send(event);
 * ```
 */
export class MemoryGenerationStore implements GenerationStore {
  private readonly generations = new Map<string, Generation>();
  private readonly cancelHandlers = new Set<(streamId: string) => void>();
  private readonly messageHandlers = new Set<(streamId: string, message: string) => void>();
  private readonly options: Required<MemoryGenerationStoreOptions>;
  private readonly timer: NodeJS.Timeout | undefined;
  private lastSweepAt = Number.NEGATIVE_INFINITY;

  constructor(options: MemoryGenerationStoreOptions = {}) {
    this.options = {
      ...defaultStoreOptions,
      maxGenerations: 10_000,
      maxEventsPerGeneration: 20_000,
      now: Date.now,
      sweepIntervalMs: 30_000,
      ...options,
    };
    if (this.options.sweepIntervalMs > 0) {
      this.timer = setInterval(() => this.sweep(), this.options.sweepIntervalMs);
      this.timer.unref();
    }
  }

  /** Number of generations held (running and finished, not yet expired). */
  get size(): number {
    return this.generations.size;
  }

  /** Drops expired generations now. */
  sweep(): void {
    const now = this.options.now();
    this.lastSweepAt = now;
    for (const [streamId, generation] of this.generations) {
      if (generation.expiresAt <= now) this.remove(streamId, generation);
    }
  }

  async create(streamId: string): Promise<void> {
    // A full sweep walks every generation: at most once a second on the request path.
    if (this.options.now() - this.lastSweepAt >= 1000) this.sweep();
    if (this.generations.size >= this.options.maxGenerations) {
      for (const [id, generation] of this.generations) {
        if (generation.finished) {
          this.remove(id, generation);
          break;
        }
      }
      if (this.generations.size >= this.options.maxGenerations) {
        throw new StoreFullError(`the store already holds ${this.options.maxGenerations} running generations`);
      }
    }
    this.generations.set(streamId, {
      events: [],
      droppedUpTo: 0,
      finished: false,
      expiresAt: this.options.now() + this.options.runningTtlMs,
      wake: new Set(),
      watchers: new Map(),
    });
  }

  async append(streamId: string, event: StoredEvent): Promise<void> {
    const generation = this.generations.get(streamId);
    if (!generation || generation.finished) return;
    generation.events.push(event);
    if (generation.events.length > this.options.maxEventsPerGeneration) {
      const dropped = generation.events.shift();
      if (dropped) generation.droppedUpTo = dropped.id;
    }
    if (isTerminalEvent(event)) {
      generation.finished = true;
      generation.expiresAt = this.options.now() + this.options.finishedTtlMs;
    }
    for (const wake of generation.wake) wake();
  }

  async *read(streamId: string, after: number, signal: AbortSignal): AsyncIterable<StoredEvent> {
    const generation = this.generations.get(streamId);
    if (!generation) throw new StreamNotFoundError(streamId);
    if (after < generation.droppedUpTo) {
      throw new EventsExpiredError(`events after ${after} of stream ${streamId} are no longer kept`);
    }
    let cursor = after;
    while (!signal.aborted) {
      // Events are in id order; find the first one after the cursor from the end (readers are usually near it).
      const { events } = generation;
      let start = events.length;
      while (start > 0 && (events[start - 1] as StoredEvent).id > cursor) start -= 1;
      for (let index = start; index < events.length; index++) {
        const event = events[index] as StoredEvent;
        if (event.id > cursor + 1) {
          throw new EventsExpiredError(`events after ${cursor} of stream ${streamId} are no longer kept`);
        }
        cursor = event.id;
        yield event;
        if (isTerminalEvent(event)) return;
      }
      if (generation.finished || !this.generations.has(streamId)) return;
      await new Promise<void>((resolve) => {
        const wake = () => {
          generation.wake.delete(wake);
          signal.removeEventListener('abort', wake);
          resolve();
        };
        generation.wake.add(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
  }

  async exists(streamId: string): Promise<boolean> {
    const generation = this.generations.get(streamId);
    return generation !== undefined && generation.expiresAt > this.options.now();
  }

  async requestCancel(streamId: string): Promise<boolean> {
    const generation = this.generations.get(streamId);
    if (!generation || generation.finished) return false;
    for (const handler of this.cancelHandlers) handler(streamId);
    return true;
  }

  onCancelRequest(handler: (streamId: string) => void): () => void {
    this.cancelHandlers.add(handler);
    return () => this.cancelHandlers.delete(handler);
  }

  async sendToRun(streamId: string, message: string): Promise<boolean> {
    const generation = this.generations.get(streamId);
    if (!generation || generation.finished) return false;
    for (const handler of this.messageHandlers) handler(streamId, message);
    return true;
  }

  onRunMessage(handler: (streamId: string, message: string) => void): () => void {
    this.messageHandlers.add(handler);
    return () => this.messageHandlers.delete(handler);
  }

  async attach(streamId: string, watcherId: string): Promise<void> {
    this.generations.get(streamId)?.watchers.set(watcherId, this.options.now() + this.options.watcherTtlMs);
  }

  async detach(streamId: string, watcherId: string): Promise<void> {
    this.generations.get(streamId)?.watchers.delete(watcherId);
  }

  async watchers(streamId: string): Promise<number> {
    const generation = this.generations.get(streamId);
    if (!generation) return 0;
    const now = this.options.now();
    let count = 0;
    for (const [watcherId, expiresAt] of generation.watchers) {
      if (expiresAt > now) count += 1;
      else generation.watchers.delete(watcherId);
    }
    return count;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const [streamId, generation] of this.generations) this.remove(streamId, generation);
    this.cancelHandlers.clear();
    this.messageHandlers.clear();
  }

  private remove(streamId: string, generation: Generation): void {
    this.generations.delete(streamId);
    for (const wake of generation.wake) wake();
  }
}
