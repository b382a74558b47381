import type { Server } from 'node:net';

/**
 * Starts `server` listening on 127.0.0.1 (`port` 0 picks a free port) and resolves with the port it got. Internal to
 * the kit: the mock upstream and the fault proxy listen the same way.
 *
 * @example
 * ```ts
 * const port = await listenOnLoopback(createServer(handler), 0);
 * ```
 */
export async function listenOnLoopback(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}
