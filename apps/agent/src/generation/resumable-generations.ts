import { randomUUID } from 'node:crypto';
import { type AgentEvent, toJsonLine } from '@rxllm/protocol';
import {
  EventsExpiredError,
  type GenerationStore,
  isTerminalEvent,
  StoreFullError,
  StreamNotFoundError,
} from '@rxllm/store';
import type { Logger } from 'pino';
import { Observable, Subject, type Subscription } from 'rxjs';
import { HttpError } from '../http/errors.js';
import type { GenerationEvent } from './generate.js';

export interface ResumableGenerationsOptions {
  store: GenerationStore;
  /** Nobody attached (on any instance) for this long cancels the generation. */
  graceMs: number;
  /** How long an attachment counts without a refresh (the store's `watcherTtlMs`). */
  watcherTtlMs: number;
  logger: Logger;
}

/** A generation running on this instance whose events go to the store as they happen. */
export interface ResumableRun {
  readonly streamId: string;
  /**
   * The starting client's view: every event from the first, live. Subscribing starts the generation (subscribe
   * once); unsubscribing before the end only detaches: the generation runs on while anyone is attached.
   */
  readonly live: Observable<GenerationEvent>;
  /** Resolves when the generation has ended and its last event is stored. */
  readonly finished: Promise<void>;
  /** Ends the generation for everyone: aborts the upstream request and logs an `error` event with this kind. */
  stop(error: HttpError): void;
}

/** A client following a generation from the store (any instance's). */
export interface Follower {
  /** Stored events after `after`, live until the terminal event; a failure is one `error` event with `failure` set. */
  readonly events: Observable<GenerationEvent>;
  /**
   * Ends this client's view only (shutdown of this instance): one `error` event that reuses the last delivered id,
   * so the client's `Last-Event-ID` still points at the last real event and it can resume elsewhere.
   */
  stop(error: HttpError): void;
}

function storeFailure(error: unknown, streamId: string): HttpError {
  if (error instanceof StreamNotFoundError) {
    return new HttpError({ kind: 'not-found', status: 404, message: `stream ${streamId} is unknown or has expired` });
  }
  if (error instanceof EventsExpiredError) {
    return new HttpError({
      kind: 'not-found',
      status: 410,
      message: `the events of stream ${streamId} after that id are no longer kept`,
    });
  }
  if (error instanceof StoreFullError) {
    return new HttpError({ kind: 'overloaded', status: 503, message: 'too many generations are running' });
  }
  return new HttpError({ kind: 'overloaded', status: 503, message: 'the generation store is unavailable' });
}

function errorEvent(error: HttpError): AgentEvent {
  return { type: 'error', error: { kind: error.kind, message: error.message } };
}

/**
 * The resumable side of the agent: runs generations detached from the client that started them, logs every event
 * to a {@link GenerationStore} as `{id, type, data}` (`data` is the SSE `data:` JSON), lets any client follow a
 * generation from the store, and cancels a generation when asked from any instance or when nobody has been attached
 * for the grace period.
 *
 * @example
 * ```ts
 * const generations = new ResumableGenerations({ store: new MemoryGenerationStore(), graceMs: 30_000,
 *   watcherTtlMs: 30_000, logger });
 * const run = await generations.start(streamId, generate({ source, streamId }));
 * run.live.subscribe(({ id, event }) => send(id, event));
 * generations.follow(streamId, 3).events.subscribe(({ id, event }) => send(id, event));
 * ```
 */
export class ResumableGenerations {
  private readonly runs = new Map<string, ResumableRun>();
  private readonly stopListening: () => void;

  constructor(private readonly options: ResumableGenerationsOptions) {
    this.stopListening = options.store.onCancelRequest((streamId) => {
      this.runs.get(streamId)?.stop(new HttpError({ kind: 'aborted', message: 'cancelled by a client' }));
    });
  }

  /** Generations running on this instance. */
  get running(): number {
    return this.runs.size;
  }

  /** Creates the generation's log, then returns the run (not started until `live` is subscribed). */
  async start(streamId: string, events: Observable<GenerationEvent>): Promise<ResumableRun> {
    try {
      await this.options.store.create(streamId);
    } catch (error) {
      throw storeFailure(error, streamId);
    }
    const run = this.createRun(streamId, events);
    this.runs.set(streamId, run);
    void run.finished.finally(() => this.runs.delete(streamId));
    return run;
  }

  /**
   * Cancels a generation wherever it runs. Resolves true if it was running. A generation of this instance is
   * stopped at once; another instance's is asked through the store.
   */
  async cancel(streamId: string): Promise<boolean> {
    const local = this.runs.get(streamId);
    if (local) {
      local.stop(new HttpError({ kind: 'aborted', message: 'cancelled by a client' }));
      return true;
    }
    try {
      return await this.options.store.requestCancel(streamId);
    } catch (error) {
      throw storeFailure(error, streamId);
    }
  }

  /** True while the store knows the generation (running, or finished and not yet expired). */
  async exists(streamId: string): Promise<boolean> {
    try {
      return await this.options.store.exists(streamId);
    } catch (error) {
      throw storeFailure(error, streamId);
    }
  }

  /** Replays the events with `id > after`, then follows live. Counts as attached while subscribed. */
  follow(streamId: string, after: number): Follower {
    const { store } = this.options;
    const stops = new Set<(error: HttpError) => void>();
    const events = new Observable<GenerationEvent>((subscriber) => {
      const controller = new AbortController();
      let lastId = after;
      const detach = this.attach(streamId);
      const stop = (error: HttpError) => {
        if (subscriber.closed) return;
        controller.abort();
        subscriber.next({ id: lastId, event: errorEvent(error), failure: error });
        subscriber.complete();
      };
      stops.add(stop);
      void (async () => {
        try {
          for await (const stored of store.read(streamId, after, controller.signal)) {
            if (subscriber.closed) return;
            lastId = stored.id;
            subscriber.next({ id: stored.id, event: JSON.parse(stored.data) as AgentEvent });
            if (isTerminalEvent(stored)) break;
          }
          if (!subscriber.closed) subscriber.complete();
        } catch (error) {
          if (subscriber.closed || controller.signal.aborted) return;
          stop(storeFailure(error, streamId));
        }
      })();
      return () => {
        stops.delete(stop);
        controller.abort();
        detach();
      };
    });
    return {
      events,
      stop: (error) => {
        for (const stop of [...stops]) stop(error);
      },
    };
  }

  /** Stops every local generation (shutdown) and stops listening for cancel requests. */
  async close(error: HttpError): Promise<void> {
    const runs = [...this.runs.values()];
    for (const run of runs) run.stop(error);
    await Promise.allSettled(runs.map((run) => run.finished));
    this.stopListening();
  }

  /** Registers one watcher of a generation in the store, refreshed until the returned detach is called. */
  private attach(streamId: string): () => void {
    const { store, logger } = this.options;
    const watcherId = randomUUID();
    const refresh = () =>
      store.attach(streamId, watcherId).catch((error: unknown) => {
        logger.warn({ streamId, err: error }, 'Could not record a watcher');
      });
    void refresh();
    const timer = setInterval(refresh, Math.max(10, Math.floor(this.options.watcherTtlMs / 3)));
    timer.unref();
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      clearInterval(timer);
      void store.detach(streamId, watcherId).catch(() => undefined);
    };
  }

  private createRun(streamId: string, events: Observable<GenerationEvent>): ResumableRun {
    const { store, logger, graceMs } = this.options;
    const subject = new Subject<GenerationEvent>();
    let subscription: Subscription | undefined;
    let started = false;
    let ended = false;
    let lastId = 0;
    let detachStarter: (() => void) | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    // Appends go one after another so the log keeps the generation's order whatever the store's latency.
    let appended: Promise<void> = Promise.resolve();
    let appendFailed = false;
    let resolveFinished: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      resolveFinished = resolve;
    });

    const persist = (id: number, event: AgentEvent) => {
      const stored = { id, type: event.type, data: toJsonLine(event) };
      appended = appended.then(() =>
        store.append(streamId, stored).catch((error: unknown) => {
          // Attached clients of this instance keep streaming; only resuming and following elsewhere are lost.
          if (!appendFailed) logger.warn({ streamId, err: error }, 'Could not store an event: resuming will fail');
          appendFailed = true;
        }),
      );
    };

    const emit = (numbered: GenerationEvent) => {
      if (ended) return;
      lastId = numbered.id;
      persist(numbered.id, numbered.event);
      const terminal = numbered.event.type === 'done' || numbered.event.type === 'error';
      if (terminal) {
        ended = true;
        if (graceTimer) clearInterval(graceTimer);
        detachStarter?.();
      }
      subject.next(numbered);
      if (terminal) {
        subject.complete();
        void appended.then(resolveFinished);
      }
    };

    const stop = (error: HttpError) => {
      if (ended) return;
      subscription?.unsubscribe();
      // A run stopped before anyone subscribed must not start later.
      started = true;
      emit({ id: lastId + 1, event: errorEvent(error) });
    };

    const watchForAbandonment = () => {
      // Followers on any instance count: poll the store's watcher count until someone attaches or grace passes.
      let unattendedSince = performance.now();
      let checking = false;
      graceTimer = setInterval(
        () => {
          if (ended || checking) return;
          checking = true;
          store
            .watchers(streamId)
            .catch(() => 0)
            .then((count) => {
              checking = false;
              if (ended) return;
              if (count > 0) {
                unattendedSince = performance.now();
                return;
              }
              if (performance.now() - unattendedSince >= graceMs) {
                logger.info({ streamId, graceMs }, 'Nobody attached for the grace period: cancelling the generation');
                stop(new HttpError({ kind: 'aborted', message: `nobody was attached for ${graceMs} ms: cancelled` }));
              }
            });
        },
        Math.min(1_000, Math.max(20, Math.floor(graceMs / 5))),
      );
      graceTimer.unref();
    };

    const live = new Observable<GenerationEvent>((subscriber) => {
      const inner = subject.subscribe(subscriber);
      if (!started) {
        started = true;
        detachStarter = this.attach(streamId);
        subscription = events.subscribe({ next: emit });
        if (ended) subscription.unsubscribe();
      }
      return () => {
        inner.unsubscribe();
        if (ended) return;
        logger.info({ streamId, graceMs }, 'Client detached: the generation runs on for the grace period');
        detachStarter?.();
        if (graceMs === 0) stop(new HttpError({ kind: 'aborted', message: 'nobody is attached: cancelled' }));
        else watchForAbandonment();
      };
    });

    return { streamId, live, finished, stop };
  }
}
