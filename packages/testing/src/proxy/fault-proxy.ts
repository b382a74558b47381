import { connect, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

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
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;

  const sleep = (milliseconds: number) =>
    milliseconds <= 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            resolve();
          }, milliseconds);
          timers.add(timer);
        });

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const handle = (client: Socket) => {
    track(client);
    const index = connections.length;
    const faults = typeof faultsFor === 'function' ? faultsFor(index) : faultsFor;
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
    connections.push(record);
    const endWith = (reason: ProxyCloseReason) => {
      record.closeReason ??= reason;
    };
    const upstream = connect(target);
    track(upstream);
    let stalled = false;
    let finished = false;
    // Response bytes go out in order, one chunk at a time, however long each one's faults take.
    let responseQueue = Promise.resolve();

    client.on('error', () => endWith('error'));
    upstream.on('error', () => endWith('error'));
    client.once('close', () => {
      endWith('client');
      record.closedAt = performance.now();
      upstream.destroy();
      markClosed();
    });
    let upstreamEnded = false;
    upstream.once('close', () => {
      // A clean end is handled by the 'end' listener; a stalled connection stays open for the client to give up on.
      if (upstreamEnded || stalled || finished) return;
      // The target dropped the line: forward what already arrived, then drop the client too.
      void responseQueue.then(() => {
        if (finished) return;
        finished = true;
        endWith('target');
        client.destroy();
      });
    });

    // Requests: only latency applies, in order, and the end follows the last delayed chunk.
    let requestQueue = Promise.resolve();
    client.on('data', (chunk: Buffer) => {
      client.pause();
      requestQueue = requestQueue
        .then(() => sleep(faults.latencyMs ?? 0))
        .then(() => {
          if (upstream.destroyed) return;
          record.bytesToTarget += chunk.length;
          upstream.write(chunk);
          client.resume();
        });
    });
    client.on('end', () => {
      void requestQueue.then(() => upstream.end());
    });

    const threshold = Math.min(
      faults.resetAfterBytes ?? Number.POSITIVE_INFINITY,
      faults.stallAfterBytes ?? Number.POSITIVE_INFINITY,
      faults.closeAfterBytes ?? Number.POSITIVE_INFINITY,
    );
    const pieceSize =
      faults.splitBytes ??
      (faults.bytesPerSecond ? Math.max(1, Math.floor(faults.bytesPerSecond / 20)) : Number.POSITIVE_INFINITY);

    const trigger = () => {
      record.faultTriggered = true;
      finished = true;
      if (threshold === faults.resetAfterBytes) {
        endWith('reset');
        client.resetAndDestroy();
        upstream.destroy();
      } else if (threshold === faults.closeAfterBytes) {
        endWith('close-after-bytes');
        client.end();
        upstream.destroy();
      } else {
        stalled = true;
        upstream.destroy();
      }
    };

    const forward = async (chunk: Buffer) => {
      await sleep(faults.latencyMs ?? 0);
      let offset = 0;
      while (offset < chunk.length && !finished && !client.destroyed) {
        const room = threshold - record.bytesToClient;
        const size = Math.min(pieceSize, room, chunk.length - offset);
        const piece = chunk.subarray(offset, offset + size);
        if (faults.bytesPerSecond) await sleep((piece.length * 1000) / faults.bytesPerSecond);
        if (client.destroyed) return;
        client.write(piece);
        record.bytesToClient += piece.length;
        record.writesToClient += 1;
        offset += size;
        if (record.bytesToClient >= threshold) trigger();
      }
    };

    upstream.on('data', (chunk: Buffer) => {
      upstream.pause();
      responseQueue = responseQueue
        .then(() => forward(chunk))
        .then(() => {
          if (!finished) upstream.resume();
        });
    });
    upstream.on('end', () => {
      upstreamEnded = true;
      void responseQueue.then(() => {
        if (finished) return;
        finished = true;
        endWith('target');
        client.end();
      });
    });
    // A threshold of 0 fires before any byte flows back.
    if (threshold <= 0) trigger();
  };

  const server: Server = createServer((client) => {
    if (closing) {
      client.destroy();
      return;
    }
    handle(client);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host: '127.0.0.1', backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections,
    setFaults: (faults) => {
      faultsFor = faults;
    },
    close: async () => {
      closing = true;
      for (const timer of timers) clearTimeout(timer);
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
