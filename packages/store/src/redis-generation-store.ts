import type { Redis } from 'ioredis';
import {
  defaultStoreOptions,
  EventsExpiredError,
  type GenerationStore,
  type GenerationStoreOptions,
  isTerminalEvent,
  type StoredEvent,
  StreamNotFoundError,
} from './generation-store.js';

export interface RedisGenerationStoreOptions extends GenerationStoreOptions {
  /** Key prefix, so several deployments can share a Redis. Default `rxllm:`. */
  prefix?: string;
  /** Most events kept per generation (`XADD MAXLEN ~`). Default 20,000. */
  maxEventsPerGeneration?: number;
  /** How long one blocking `XREAD` waits before checking that the generation still exists. Default 5 s. */
  blockMs?: number;
}

/**
 * A {@link GenerationStore} on Redis Streams: each generation is a stream (`XADD` with the event id as entry id
 * `0-<id>`, `XREAD BLOCK` to follow), with a TTL. Every instance that shares the Redis can resume, follow and cancel
 * every generation. Cancel requests travel over pub/sub.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const store = new RedisGenerationStore(new Redis(process.env.REDIS_URL!));
 * ```
 */
export class RedisGenerationStore implements GenerationStore {
  private readonly options: Required<RedisGenerationStoreOptions>;
  private subscriber: Redis | undefined;
  private readonly cancelHandlers = new Set<(streamId: string) => void>();
  private readonly messageHandlers = new Set<(streamId: string, message: string) => void>();
  private readonly readers = new Set<Redis>();

  constructor(
    private readonly redis: Redis,
    options: RedisGenerationStoreOptions = {},
  ) {
    this.options = {
      ...defaultStoreOptions,
      prefix: 'rxllm:',
      maxEventsPerGeneration: 20_000,
      blockMs: 5_000,
      ...options,
    };
  }

  private eventsKey(streamId: string): string {
    return `${this.options.prefix}gen:{${streamId}}:events`;
  }
  private metaKey(streamId: string): string {
    return `${this.options.prefix}gen:{${streamId}}:meta`;
  }
  private watchersKey(streamId: string): string {
    return `${this.options.prefix}gen:{${streamId}}:watchers`;
  }
  private get cancelChannel(): string {
    return `${this.options.prefix}cancel`;
  }
  private get messageChannel(): string {
    return `${this.options.prefix}run-messages`;
  }

  async create(streamId: string): Promise<void> {
    await this.redis
      .multi()
      .hset(this.metaKey(streamId), 'status', 'running')
      .pexpire(this.metaKey(streamId), this.options.runningTtlMs)
      .exec();
  }

  async append(streamId: string, event: StoredEvent): Promise<void> {
    const terminal = isTerminalEvent(event);
    const ttl = terminal ? this.options.finishedTtlMs : this.options.runningTtlMs;
    const events = this.eventsKey(streamId);
    const meta = this.metaKey(streamId);
    const pipeline = this.redis
      .multi()
      .xadd(
        events,
        'MAXLEN',
        '~',
        this.options.maxEventsPerGeneration,
        `0-${event.id}`,
        'type',
        event.type,
        'data',
        event.data,
      )
      .pexpire(events, ttl);
    if (terminal) pipeline.hset(meta, 'status', 'finished').pexpire(meta, ttl).pexpire(this.watchersKey(streamId), ttl);
    await pipeline.exec();
  }

  async *read(streamId: string, after: number, signal: AbortSignal): AsyncIterable<StoredEvent> {
    if (!(await this.exists(streamId))) throw new StreamNotFoundError(streamId);
    // A blocking XREAD holds its connection, so each follower gets its own.
    const reader = this.connection();
    this.readers.add(reader);
    const onAbort = () => reader.disconnect();
    signal.addEventListener('abort', onAbort, { once: true });
    let cursor = after;
    try {
      while (!signal.aborted) {
        const result = (await reader.xread(
          'COUNT',
          1000,
          'BLOCK',
          this.options.blockMs,
          'STREAMS',
          this.eventsKey(streamId),
          `0-${cursor}`,
        )) as Array<[string, Array<[string, string[]]>]> | null;
        if (!result) {
          const status = await this.redis.hget(this.metaKey(streamId), 'status');
          if (status !== 'running') return;
          continue;
        }
        for (const [entryId, fields] of result[0]?.[1] ?? []) {
          const id = Number(entryId.slice(entryId.indexOf('-') + 1));
          // Trimmed by MAXLEN (at the start), or an append lost while Redis was away (anywhere): never a silent gap.
          if (id > cursor + 1) {
            throw new EventsExpiredError(`events after ${cursor} of stream ${streamId} are no longer kept`);
          }
          cursor = id;
          const event = { id, type: fieldValue(fields, 'type'), data: fieldValue(fields, 'data') };
          yield event;
          if (isTerminalEvent(event)) return;
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.readers.delete(reader);
      reader.disconnect();
    }
  }

  /**
   * A new connection like the main one. It queues commands until it is connected even if the main client fails fast
   * (`enableOfflineQueue: false`), and it has an error listener so a lost Redis is not an unhandled error event.
   */
  private connection(): Redis {
    const connection = this.redis.duplicate({ enableOfflineQueue: true });
    connection.on('error', () => undefined);
    return connection;
  }

  async exists(streamId: string): Promise<boolean> {
    return (await this.redis.exists(this.metaKey(streamId))) === 1;
  }

  async requestCancel(streamId: string): Promise<boolean> {
    if (!(await this.isRunning(streamId))) return false;
    await this.redis.publish(this.cancelChannel, streamId);
    return true;
  }

  onCancelRequest(handler: (streamId: string) => void): () => void {
    this.cancelHandlers.add(handler);
    this.listen();
    return () => this.cancelHandlers.delete(handler);
  }

  async sendToRun(streamId: string, message: string): Promise<boolean> {
    if (!(await this.isRunning(streamId))) return false;
    await this.redis.publish(this.messageChannel, JSON.stringify([streamId, message]));
    return true;
  }

  onRunMessage(handler: (streamId: string, message: string) => void): () => void {
    this.messageHandlers.add(handler);
    this.listen();
    return () => this.messageHandlers.delete(handler);
  }

  /** Resolves once the subscription is active (so a cancel or message published after it is not missed). */
  async ready(): Promise<void> {
    if (!this.subscriber) return;
    await this.subscriber.subscribe(this.cancelChannel, this.messageChannel);
  }

  private async isRunning(streamId: string): Promise<boolean> {
    return (await this.redis.hget(this.metaKey(streamId), 'status')) === 'running';
  }

  /** One subscriber connection for both channels, made on the first handler. */
  private listen(): void {
    if (this.subscriber) return;
    const subscriber = this.connection();
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, payload: string) => {
      if (channel === this.cancelChannel) {
        for (const each of this.cancelHandlers) each(payload);
        return;
      }
      if (channel !== this.messageChannel) return;
      const parsed = parseRunMessage(payload);
      if (!parsed) return;
      for (const each of this.messageHandlers) each(parsed[0], parsed[1]);
    });
    subscriber.subscribe(this.cancelChannel, this.messageChannel).catch(() => undefined);
  }

  async attach(streamId: string, watcherId: string): Promise<void> {
    const key = this.watchersKey(streamId);
    await this.redis
      .multi()
      .zadd(key, Date.now() + this.options.watcherTtlMs, watcherId)
      .pexpire(key, this.options.runningTtlMs)
      .exec();
  }

  async detach(streamId: string, watcherId: string): Promise<void> {
    await this.redis.zrem(this.watchersKey(streamId), watcherId);
  }

  async watchers(streamId: string): Promise<number> {
    return this.redis.zcount(this.watchersKey(streamId), Date.now(), '+inf');
  }

  async close(): Promise<void> {
    for (const reader of this.readers) reader.disconnect();
    this.readers.clear();
    this.subscriber?.disconnect();
    this.subscriber = undefined;
    this.cancelHandlers.clear();
    this.messageHandlers.clear();
  }
}

/** `[streamId, message]` as published by `sendToRun`; anything else on the channel is ignored. */
function parseRunMessage(payload: string): [string, string] | undefined {
  try {
    const parsed: unknown = JSON.parse(payload);
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      return [parsed[0], parsed[1]];
    }
  } catch {
    // Not ours.
  }
  return undefined;
}

function fieldValue(fields: string[], name: string): string {
  for (let index = 0; index < fields.length - 1; index += 2) {
    if (fields[index] === name) return fields[index + 1] as string;
  }
  return '';
}
