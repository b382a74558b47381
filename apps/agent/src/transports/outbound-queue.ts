import type { NumberedEvent } from '@rxllm/protocol';

/** The socket side of a transport: how much it holds unsent, and how to hand it bytes. */
export interface OutboundTarget {
  /** `res.writableLength` for SSE, `ws.bufferedAmount` for WebSocket. */
  bufferedBytes(): number;
  write(encoded: string): void;
}

export interface OutboundQueueOptions {
  encode(event: NumberedEvent): string;
  /**
   * Above this many buffered bytes the socket counts as busy: events wait here and text coalesces. Default: a
   * quarter of `maxBufferedBytes`, at most 64 KiB.
   */
  lowWaterBytes?: number;
  /** Socket buffer plus queue above this for longer than `graceMs` drops the client. Twice this drops at once. */
  maxBufferedBytes: number;
  graceMs: number;
  /** Called once when the client is dropped; the queue is cleared and accepts nothing more. */
  onSlowConsumer(): void;
  /** How often to retry while the socket is busy (there is no `drain` event for WebSocket). */
  pollMs?: number;
  now?: () => number;
}

const eventOverheadBytes = 64;

function sizeOf(event: NumberedEvent): number {
  const payload = event.event;
  if (payload.type === 'text' || payload.type === 'reasoning')
    return Buffer.byteLength(payload.text) + eventOverheadBytes;
  if (payload.type === 'tool-call') return Buffer.byteLength(payload.argumentsDelta) + eventOverheadBytes;
  return eventOverheadBytes * 4;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * A waiting event with its byte size kept beside it. Merged text stays a list of pieces until it is encoded:
 * re-measuring (and so flattening) the whole merged string on every merge made a backlog of n events cost O(n²).
 */
interface QueuedEvent {
  /** The first event merged here (or the only one); the merged event takes the latest `id`. */
  event: NumberedEvent;
  id: number;
  /** Set once text has merged into this event: `event.event.text` is then only the first piece. */
  pieces: string[] | undefined;
  bytes: number;
}

function materialize(queued: QueuedEvent): NumberedEvent {
  if (!queued.pieces) return queued.event;
  return { id: queued.id, event: { ...queued.event.event, text: queued.pieces.join('') } as NumberedEvent['event'] };
}

/**
 * Bounded, order-preserving output for one client. While the socket is busy, events queue here and consecutive
 * text (or reasoning) events merge into one (keeping the later `id`), so a slow reader gets fewer, larger events
 * instead of making the server buffer without bound. A client that stays over the cap is dropped.
 *
 * @example
 * ```ts
 * const queue = new OutboundQueue({ bufferedBytes: () => res.writableLength, write: (s) => res.write(s) }, {
 *   encode: encodeSseEvent, lowWaterBytes: 64 * 1024, maxBufferedBytes: 1 << 20, graceMs: 5000,
 *   onSlowConsumer: () => res.destroy(),
 * });
 * queue.push({ id: 1, event: { type: 'text', text: 'Hi' } });
 * ```
 */
export class OutboundQueue {
  private readonly queue: QueuedEvent[] = [];
  private queuedBytes = 0;
  private overSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private dropped = false;
  private idleWaiters: Array<() => void> = [];
  /** Events merged into another because the socket was busy (for tests and logs). */
  coalesced = 0;

  private readonly lowWaterBytes: number;

  constructor(
    private readonly target: OutboundTarget,
    private readonly options: OutboundQueueOptions,
  ) {
    this.lowWaterBytes = options.lowWaterBytes ?? Math.min(64 * 1024, Math.floor(options.maxBufferedBytes / 4));
  }

  get isDropped(): boolean {
    return this.dropped;
  }

  /** Bytes waiting in this queue (not yet handed to the socket). */
  get pendingBytes(): number {
    return this.queuedBytes;
  }

  push(event: NumberedEvent): void {
    if (this.dropped) return;
    if (this.queue.length === 0 && !this.isBusy()) {
      this.target.write(this.options.encode(event));
      return;
    }
    this.enqueue(event);
    this.flush();
  }

  /** Writes what the socket can take now. Call it on `drain`; a timer calls it too while anything waits. */
  flush(): void {
    if (this.dropped) return;
    while (this.queue.length > 0 && !this.isBusy()) {
      const next = this.queue.shift() as QueuedEvent;
      this.queuedBytes -= next.bytes;
      this.target.write(this.options.encode(materialize(next)));
    }
    if (this.checkOverCap()) return;
    if (this.queue.length === 0) {
      this.stopTimer();
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const waiter of waiters) waiter();
    } else {
      this.startTimer();
    }
  }

  /** Resolves when everything queued has been handed to the socket (or the client was dropped). */
  whenFlushed(): Promise<void> {
    if (this.queue.length === 0 || this.dropped) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops timers and forgets queued events. */
  dispose(): void {
    this.stopTimer();
    this.queue.length = 0;
    this.queuedBytes = 0;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private isBusy(): boolean {
    return this.target.bufferedBytes() > this.lowWaterBytes;
  }

  private enqueue(event: NumberedEvent): void {
    const last = this.queue[this.queue.length - 1];
    const payload = event.event;
    if (
      last &&
      (payload.type === 'text' || payload.type === 'reasoning') &&
      last.event.event.type === payload.type &&
      'text' in last.event.event
    ) {
      last.pieces ??= [last.event.event.text];
      const previousPiece = last.pieces[last.pieces.length - 1] as string;
      let added = Buffer.byteLength(payload.text);
      // Exactly what measuring the joined text would give: a surrogate pair split across two events is 3 + 3
      // bytes apart (each half is encoded as U+FFFD) but 4 bytes once joined.
      if (
        isHighSurrogate(previousPiece.charCodeAt(previousPiece.length - 1)) &&
        isLowSurrogate(payload.text.charCodeAt(0))
      )
        added -= 2;
      // An empty piece adds nothing, and leaving it out keeps the last piece's last character the merged text's.
      if (payload.text.length > 0) last.pieces.push(payload.text);
      last.id = event.id;
      last.bytes += added;
      this.queuedBytes += added;
      this.coalesced += 1;
      return;
    }
    const bytes = sizeOf(event);
    this.queue.push({ event, id: event.id, pieces: undefined, bytes });
    this.queuedBytes += bytes;
  }

  /** True when the client was dropped. */
  private checkOverCap(): boolean {
    const now = this.options.now ?? (() => performance.now());
    const total = this.target.bufferedBytes() + this.queuedBytes;
    if (total <= this.options.maxBufferedBytes) {
      this.overSince = undefined;
      return false;
    }
    this.overSince ??= now();
    if (total > this.options.maxBufferedBytes * 2 || now() - this.overSince >= this.options.graceMs) {
      this.dropped = true;
      this.dispose();
      this.options.onSlowConsumer();
      return true;
    }
    this.startTimer();
    return false;
  }

  private startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.flush(), this.options.pollMs ?? 20);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
