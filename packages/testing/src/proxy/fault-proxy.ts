import { connect, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { listenOnLoopback } from '../listen-on-loopback.js';

/**
 * What the proxy does to a connection, e.g. `{ latencyMs: 20, splitBytes: 1, resetAfterBytes: 500 }`. Latency applies to both directions; the rest to the bytes flowing back to the
 * client (the response), which is where streaming breaks.
 */
export interface ProxyFaults {
  /** Delay added to every chunk, each way. */
  latencyMs?: number;
  /** Bandwidth cap on the response, in bytes per second. */
  bytesPerSecond?: number;
  /** Forward the response in writes of at most this many bytes (cuts inside events and UTF-8 characters). */
  splitBytes?: number;
  /** After this many response bytes, reset the client connection (TCP RST) and drop the upstream one. */
  resetAfterBytes?: number;
  /** After this many response bytes, forward nothing more and keep the client connection open until it goes away. */
  stallAfterBytes?: number;
  /** After this many response bytes, close the client connection cleanly (FIN) and drop the upstream one. */
  closeAfterBytes?: number;
}

/** How a proxied connection ended, e.g. `'reset'` when `resetAfterBytes` fired. */
export type ProxyCloseReason = 'client' | 'target' | 'reset' | 'close-after-bytes' | 'proxy-closed' | 'error';

/**
 * What the proxy recorded of one client connection.
 *
 * @example
 * ```ts
 * await proxy.connections[0]!.closed;
 * expect(proxy.connections[0]).toMatchObject({ closeReason: 'client', faultTriggered: true });
 * ```
 */
export interface ProxyConnection {
  /** 0-based order of arrival. */
  index: number;
  /** `performance.now()` when the client connected. */
  openedAt: number;
  /** `performance.now()` when the client side closed. */
  closedAt?: number;
  /** Who ended it first. */
  closeReason?: ProxyCloseReason;
  /** Bytes forwarded to the target and back to the client. */
  bytesToTarget: number;
  bytesToClient: number;
  /** Number of writes made to the client (shows `splitBytes` at work). */
  writesToClient: number;
  /** Whether a byte threshold (reset, stall, close) was reached. */
  faultTriggered: boolean;
  /** Resolves when the client side has closed. */
  closed: Promise<void>;
}

/** Where the proxy forwards and what it breaks, e.g. `{ target: mock.url, faults: { stallAfterBytes: 300 } }`. */
export interface FaultProxyOptions {
  /** Where to forward: `http://127.0.0.1:PORT` (path ignored), or `{ host, port }`. */
  target: string | { host?: string; port: number };
  /** Faults for every connection, or per connection by index (e.g. only the first one fails). */
  faults?: ProxyFaults | ((connectionIndex: number) => ProxyFaults);
  /** Port on 127.0.0.1; default 0 (a free port). */
  port?: number;
}

/** A running fault proxy; point a client at `url` instead of the target. Example: `new OpenAI({ baseURL: \`${proxy.url}/v1\` })`. */
export interface FaultProxy {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Every connection so far, in order. */
  readonly connections: readonly ProxyConnection[];
  /** Replace the faults for connections that arrive from now on. */
  setFaults(faults: ProxyFaults | ((connectionIndex: number) => ProxyFaults)): void;
  /** Stop listening and destroy every connection and pending timer. */
  close(): Promise<void>;
}

function targetOf(target: FaultProxyOptions['target']): { host: string; port: number } {
  if (typeof target !== 'string') return { host: target.host ?? '127.0.0.1', port: target.port };
  const url = new URL(target);
  return { host: url.hostname, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) };
}

/** The delays the proxy waits on, so that `close()` can cancel every one still pending. */
class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();

  sleep(milliseconds: number): Promise<void> {
    if (milliseconds <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, milliseconds);
      this.pending.add(timer);
    });
  }

  clear(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}

/** What one proxied connection needs from the proxy that accepted it. */
interface ConnectionContext {
  target: { host: string; port: number };
  faults: ProxyFaults;
  timers: Timers;
  /** Keeps a socket until it closes, for `close()` to destroy. */
  track: (socket: Socket) => void;
}

/** A fresh record for connection `index`, and the function that resolves its `closed`. */
function newRecord(index: number): { record: ProxyConnection; markClosed: () => void } {
  let markClosed: () => void = () => undefined;
  const record: ProxyConnection = {
    index,
    openedAt: performance.now(),
    bytesToTarget: 0,
    bytesToClient: 0,
    writesToClient: 0,
    faultTriggered: false,
    closed: new Promise<void>((resolve) => {
      markClosed = resolve;
    }),
  };
  return { record, markClosed };
}

/** Response bytes after which a fault fires (the lowest threshold set), and the largest write to the client. */
function responseLimits(faults: ProxyFaults): { threshold: number; pieceSize: number } {
  const threshold = Math.min(
    faults.resetAfterBytes ?? Number.POSITIVE_INFINITY,
    faults.stallAfterBytes ?? Number.POSITIVE_INFINITY,
    faults.closeAfterBytes ?? Number.POSITIVE_INFINITY,
  );
  const pieceSize =
    faults.splitBytes ??
    (faults.bytesPerSecond ? Math.max(1, Math.floor(faults.bytesPerSecond / 20)) : Number.POSITIVE_INFINITY);
  return { threshold, pieceSize };
}

/**
 * One client connection and the upstream connection opened for it. Requests go to the target with the latency
 * only; responses come back through every fault, and the record says what happened.
 */
class ProxiedConnection {
  private readonly upstream: Socket;
  private readonly faults: ProxyFaults;
  private readonly timers: Timers;
  private readonly threshold: number;
  private readonly pieceSize: number;
  private stalled = false;
  private finished = false;
  private upstreamEnded = false;
  // Response bytes go out in order, one chunk at a time, however long each one's faults take.
  private responseQueue = Promise.resolve();
  // Requests: only latency applies, in order, and the end follows the last delayed chunk.
  private requestQueue = Promise.resolve();

  constructor(
    private readonly client: Socket,
    readonly record: ProxyConnection,
    private readonly markClosed: () => void,
    context: ConnectionContext,
  ) {
    this.faults = context.faults;
    this.timers = context.timers;
    ({ threshold: this.threshold, pieceSize: this.pieceSize } = responseLimits(context.faults));
    this.upstream = connect(context.target);
    context.track(this.upstream);
    this.listen();
    // A threshold of 0 fires before any byte flows back.
    if (this.threshold <= 0) this.trigger();
  }

  private listen(): void {
    const { client, upstream } = this;
    client.on('error', () => this.endWith('error'));
    upstream.on('error', () => this.endWith('error'));
    client.once('close', () => this.onClientClose());
    upstream.once('close', () => this.onUpstreamClose());
    client.on('data', (chunk: Buffer) => this.onRequestData(chunk));
    client.on('end', () => {
      void this.requestQueue.then(() => upstream.end());
    });
    upstream.on('data', (chunk: Buffer) => this.onResponseData(chunk));
    upstream.on('end', () => {
      this.upstreamEnded = true;
      this.endFromTarget(() => client.end());
    });
  }

  private endWith(reason: ProxyCloseReason): void {
    this.record.closeReason ??= reason;
  }

  private onClientClose(): void {
    this.endWith('client');
    this.record.closedAt = performance.now();
    this.upstream.destroy();
    this.markClosed();
  }

  private onUpstreamClose(): void {
    // A clean end is handled by the 'end' listener; a stalled connection stays open for the client to give up on.
    if (this.upstreamEnded || this.stalled || this.finished) return;
    // The target dropped the line: forward what already arrived, then drop the client too.
    this.endFromTarget(() => this.client.destroy());
  }

  /** Once the queued response bytes are out, ends the client the given way, unless a fault ended it first. */
  private endFromTarget(end: () => void): void {
    void this.responseQueue.then(() => {
      if (this.finished) return;
      this.finished = true;
      this.endWith('target');
      end();
    });
  }

  private onRequestData(chunk: Buffer): void {
    this.client.pause();
    this.requestQueue = this.requestQueue
      .then(() => this.timers.sleep(this.faults.latencyMs ?? 0))
      .then(() => {
        if (this.upstream.destroyed) return;
        this.record.bytesToTarget += chunk.length;
        this.upstream.write(chunk);
        this.client.resume();
      });
  }

  private onResponseData(chunk: Buffer): void {
    this.upstream.pause();
    this.responseQueue = this.responseQueue
      .then(() => this.forward(chunk))
      .then(() => {
        if (!this.finished) this.upstream.resume();
      });
  }

  private async forward(chunk: Buffer): Promise<void> {
    const { client, faults, record } = this;
    await this.timers.sleep(faults.latencyMs ?? 0);
    let offset = 0;
    while (offset < chunk.length && !this.finished && !client.destroyed) {
      const room = this.threshold - record.bytesToClient;
      const size = Math.min(this.pieceSize, room, chunk.length - offset);
      const piece = chunk.subarray(offset, offset + size);
      if (faults.bytesPerSecond) await this.timers.sleep((piece.length * 1000) / faults.bytesPerSecond);
      if (client.destroyed) return;
      client.write(piece);
      record.bytesToClient += piece.length;
      record.writesToClient += 1;
      offset += size;
      if (record.bytesToClient >= this.threshold) this.trigger();
    }
  }

  private trigger(): void {
    const { client, faults, upstream } = this;
    this.record.faultTriggered = true;
    this.finished = true;
    if (this.threshold === faults.resetAfterBytes) {
      this.endWith('reset');
      client.resetAndDestroy();
      upstream.destroy();
    } else if (this.threshold === faults.closeAfterBytes) {
      this.endWith('close-after-bytes');
      client.end();
      upstream.destroy();
    } else {
      this.stalled = true;
      upstream.destroy();
    }
  }
}

/**
 * A TCP proxy on 127.0.0.1 that sits between a client and a server (typically `mockUpstream`) and misbehaves on
 * purpose: latency, a bandwidth cap, tiny writes, a reset, a stall or a clean close after N bytes. It records each
 * connection and when it closed, so a test can prove that a client gave up or that a stream recovered.
 *
 * @example
 * ```ts
 * const mock = await mockUpstream();
 * const proxy = await faultProxy({ target: mock.url, faults: { splitBytes: 1, resetAfterBytes: 400 } });
 * const client = new OpenAI({ apiKey: 'test', baseURL: `${proxy.url}/v1`, maxRetries: 0 });
 * ```
 */
export async function faultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = targetOf(options.target);
  let faultsFor = options.faults ?? {};
  const connections: ProxyConnection[] = [];
  const sockets = new Set<Socket>();
  const timers = new Timers();
  let closing = false;

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const handle = (client: Socket) => {
    track(client);
    const index = connections.length;
    const faults = typeof faultsFor === 'function' ? faultsFor(index) : faultsFor;
    const { record, markClosed } = newRecord(index);
    connections.push(record);
    new ProxiedConnection(client, record, markClosed, { target, faults, timers, track });
  };

  const server: Server = createServer((client) => {
    if (closing) {
      client.destroy();
      return;
    }
    handle(client);
  });
  const port = await listenOnLoopback(server, options.port ?? 0);

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections,
    setFaults: (faults) => {
      faultsFor = faults;
    },
    close: async () => {
      closing = true;
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const connection of connections) {
        if (connection.closeReason === undefined) connection.closeReason = 'proxy-closed';
      }
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
