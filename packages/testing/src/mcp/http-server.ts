import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

/** Anything that serves MCP on a transport: the SDK's `McpServer` or its low-level `Server`. */
export interface Serving {
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
}

export interface HttpMcpServer {
  /** `http://127.0.0.1:PORT/mcp` */
  url: string;
  /** Every request's method and headers, in order. */
  requests: Array<{ method: string | undefined; headers: IncomingHttpHeaders }>;
  /** The servers made so far, one per session. */
  servers: Serving[];
  /** Answers every later request with this status and body, as a broken or unwelcoming server would. */
  refuse(status: number, body: string): void;
  /** Drops every connection and stops listening: the server is gone. */
  kill(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A streamable HTTP MCP server on 127.0.0.1 (a random port), in the test process: each session gets its own server
 * from `create`, on the SDK's StreamableHTTPServerTransport.
 *
 * @example
 * ```ts
 * const server = await startHttpMcpServer(() => {
 *   const mcp = new McpServer({ name: 'fixture-http', version: '1.0.0' }, { capabilities: { tools: {} } });
 *   registerFixtureTools(mcp);
 *   return mcp;
 * });
 * await connectMcpServer({ name: 'fx', url: server.url });
 * ```
 */
export async function startHttpMcpServer(create: () => Serving): Promise<HttpMcpServer> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const servers: Serving[] = [];
  const requests: HttpMcpServer['requests'] = [];
  let refusal: { status: number; body: string } | undefined;
  const http = createServer((request, response) => {
    requests.push({ method: request.method, headers: request.headers });
    if (refusal) {
      response.writeHead(refusal.status, { 'content-type': 'text/plain' }).end(refusal.body);
      return;
    }
    const sessionId = request.headers['mcp-session-id'];
    const known = typeof sessionId === 'string' ? transports.get(sessionId) : undefined;
    if (known) {
      void known.handleRequest(request, response);
      return;
    }
    if (sessionId !== undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('no such session');
      return;
    }
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        transports.set(id, transport);
      },
    });
    const server = create();
    servers.push(server);
    void server.connect(transport).then(() => transport.handleRequest(request, response));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const stop = async () => {
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  };
  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    requests,
    servers,
    refuse: (status, body) => {
      refusal = { status, body };
    },
    kill: () => {
      stopped ??= stop();
      return stopped;
    },
    close: async () => {
      await Promise.all(servers.map((server) => server.close().catch(() => undefined)));
      stopped ??= stop();
      await stopped;
    },
  };
}
