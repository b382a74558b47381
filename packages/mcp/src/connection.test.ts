import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  type FixtureState,
  type HttpMcpServer,
  MCP_STDIO_FIXTURE,
  registerFixtureTools,
  startHttpMcpServer,
} from '@rxllm/testing/mcp';
import type { ToolExecuteContext } from '@rxllm/tools';
import { filter, firstValueFrom, type Observable, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { McpServerConfig } from './config.js';
import { connectMcpServer, type McpConnection, type McpConnectionEvent, mcpToolSet } from './connection.js';
import { McpConnectionError, McpToolError } from './errors.js';

const fixture = MCP_STDIO_FIXTURE;
const ENV_SECRET = 'MARKER-env-secret-7f3a91';
const HEADER_SECRET = 'MARKER-header-secret-2c84d0';

const open: McpConnection[] = [];
const servers: HttpMcpServer[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((connection) => connection.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function connect(config: McpServerConfig): Promise<McpConnection> {
  const connection = await connectMcpServer(config, { stderr: 'ignore' });
  open.push(connection);
  return connection;
}

const stdioConfig = { name: 'fx', command: process.execPath, args: [fixture], env: { FIXTURE_SECRET: ENV_SECRET } };

async function startHttp(state: FixtureState = { calls: 0, cancellations: 0 }, extra?: (server: McpServer) => void) {
  const server = await startHttpMcpServer(() => {
    const mcp = new McpServer({ name: 'fixture-http', version: '1.0.0' }, { capabilities: { tools: {} } });
    registerFixtureTools(mcp, state);
    extra?.(mcp);
    return mcp;
  });
  servers.push(server);
  return server;
}

const context = (signal = new AbortController().signal): ToolExecuteContext => ({
  signal,
  toolCallId: 'call_1',
  step: 1,
  messages: [],
});

function call(connection: McpConnection, name: string, input: Record<string, unknown> = {}, signal?: AbortSignal) {
  const entry = connection.tools[name];
  if (!entry) throw new Error(`no tool ${name} in ${Object.keys(connection.tools).join(', ')}`);
  return Promise.resolve(entry.execute(input, context(signal)));
}

const next = <TType extends McpConnectionEvent['type']>(events: Observable<McpConnectionEvent>, type: TType) =>
  firstValueFrom(
    events.pipe(filter((event): event is Extract<McpConnectionEvent, { type: TType }> => event.type === type)),
  );

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting: ${what}`);
}

describe('connectMcpServer over stdio (the fixture server as a child process)', () => {
  it('lists the tools namespaced by the server name, and calls them', async () => {
    const connection = await connect(stdioConfig);
    expect(connection.status).toBe('ready');
    expect(connection.name).toBe('fx');
    expect(typeof connection.pid).toBe('number');
    expect(Object.keys(connection.tools)).toContain('fx__echo');
    expect(Object.keys(connection.tools)).toContain('fx__files_read');
    expect(Object.keys(connection.tools)).toContain('fx__die');
    expect(await call(connection, 'fx__echo', { text: 'hi' })).toBe('hi');
    expect(await call(connection, 'fx__weather', { city: 'Oslo' })).toEqual({ city: 'Oslo', celsius: 4 });
    expect(await call(connection, 'fx__secret')).toBe(ENV_SECRET);
    await expect(call(connection, 'fx__fail')).rejects.toMatchObject({ reason: 'tool', server: 'fx' });
  });

  it('aborting a call sends notifications/cancelled: the slow handler is cancelled', async () => {
    const connection = await connect(stdioConfig);
    const controller = new AbortController();
    const slow = call(connection, 'fx__slow', {}, controller.signal).catch((caught: unknown) => caught);
    // Whenever the cancellation arrives (before or while the handler runs), the handler counts it.
    controller.abort(new DOMException('stopped', 'AbortError'));
    expect(await slow).toMatchObject({ name: 'AbortError' });
    await until(async () => (await call(connection, 'fx__cancellations')) === '1', 'the server saw the cancellation');
    expect(connection.status).toBe('ready');
  });

  it('follows notifications/tools/list_changed: tools and a tools-changed event', async () => {
    const connection = await connect(stdioConfig);
    expect(connection.tools).not.toHaveProperty('fx__extra');
    const added = next(connection.events, 'tools-changed');
    await call(connection, 'fx__add_tool');
    expect((await added).tools).toContain('fx__extra');
    expect(await call(connection, 'fx__extra')).toBe('extra');
    const removed = next(connection.events, 'tools-changed');
    await call(connection, 'fx__remove_tool');
    const event = await removed;
    expect(event).toMatchObject({ type: 'tools-changed', server: 'fx' });
    expect(event.tools).not.toContain('fx__extra');
    expect(connection.tools).not.toHaveProperty('fx__extra');
  });

  it('a killed child: a failed event, no tools, and a later call fails naming the server', async () => {
    const connection = await connect(stdioConfig);
    const echo = connection.tools.fx__echo;
    const events = connection.events.pipe(toArray());
    const all = firstValueFrom(events);
    process.kill(connection.pid as number, 'SIGKILL');
    const seen = await all;
    expect(seen).toEqual([{ type: 'failed', server: 'fx', message: 'the MCP server "fx" failed: its process exited' }]);
    expect(connection.status).toBe('failed');
    expect(connection.failure).toBe('its process exited');
    expect(connection.tools).toEqual({});
    const error = await Promise.resolve(echo?.execute({ text: 'x' }, context())).catch((caught: unknown) => caught);
    expect(McpToolError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      reason: 'unavailable',
      server: 'fx',
      message: 'the MCP server "fx" is not available (it failed: its process exited)',
    });
  });

  it('a child that dies during a call: the call fails at once with the clear error', async () => {
    const connection = await connect(stdioConfig);
    const failed = next(connection.events, 'failed');
    await expect(call(connection, 'fx__die')).rejects.toMatchObject({ reason: 'unavailable', server: 'fx' });
    await failed;
    expect(connection.status).toBe('failed');
  });

  it('close() is idempotent, emits closed once and leaves no child process', async () => {
    const connection = await connect(stdioConfig);
    const pid = connection.pid as number;
    const echo = connection.tools.fx__echo;
    const events = firstValueFrom(connection.events.pipe(toArray()));
    const first = connection.close();
    const second = connection.close();
    await Promise.all([first, second]);
    await connection.close();
    expect(await events).toEqual([
      { type: 'closed', server: 'fx', message: 'the connection was closed by the client' },
    ]);
    expect(connection.status).toBe('closed');
    await until(() => !alive(pid), 'the child to exit');
    expect(connection.tools).toEqual({});
    const error = await Promise.resolve(echo?.execute({ text: 'x' }, context())).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      reason: 'unavailable',
      message: 'the MCP server "fx" is not available (its connection was closed)',
    });
  });

  it('a command that cannot start, or exits at once, rejects with McpConnectionError without env values', async () => {
    const missing = await connectMcpServer({ ...stdioConfig, command: '/no/such/mcp-server' }).catch((e) => e);
    expect(McpConnectionError.isInstance(missing)).toBe(true);
    expect(missing.message).toMatch(/^could not connect to the MCP server "fx": /);
    const exits = await connectMcpServer({
      name: 'quits',
      command: process.execPath,
      args: ['-e', `process.exit(2)`],
      env: { TOKEN: ENV_SECRET },
    }).catch((e) => e);
    expect(McpConnectionError.isInstance(exits)).toBe(true);
    expect(exits.server).toBe('quits');
    for (const error of [missing, exits])
      expect(JSON.stringify([error.message, String(error)])).not.toContain(ENV_SECRET);
  });
});

describe('connectMcpServer over streamable HTTP (a real McpServer in process)', () => {
  it('sends the headers, lists the tools namespaced, calls them, and ends the session on close', async () => {
    const http = await startHttp();
    const connection = await connect({
      name: 'web',
      url: http.url,
      headers: { authorization: `Bearer ${HEADER_SECRET}` },
    });
    expect(connection.pid).toBeUndefined();
    expect(Object.keys(connection.tools)).toContain('web__weather');
    expect(await call(connection, 'web__weather', { city: 'Paris' })).toEqual({ city: 'Paris', celsius: 21 });
    expect(http.requests.every((request) => request.headers.authorization === `Bearer ${HEADER_SECRET}`)).toBe(true);
    await connection.close();
    expect(http.requests.map((request) => request.method)).toContain('DELETE');
  });

  it('follows list_changed sent on the standalone SSE stream', async () => {
    const http = await startHttp();
    const connection = await connect({ name: 'web', url: http.url });
    const added = next(connection.events, 'tools-changed');
    await call(connection, 'web__add_tool');
    expect((await added).tools).toContain('web__extra');
    expect(await call(connection, 'web__extra')).toBe('extra');
  });

  it('aborting a call cancels the request on the server', async () => {
    let serverSignal: AbortSignal | undefined;
    const http = await startHttp(undefined, (server) => {
      server.registerTool('wait', { inputSchema: {} }, (_args, extra) => {
        serverSignal = extra.signal;
        return new Promise((resolve) => extra.signal.addEventListener('abort', () => resolve({ content: [] })));
      });
    });
    const connection = await connect({ name: 'web', url: http.url });
    const controller = new AbortController();
    const waiting = call(connection, 'web__wait', {}, controller.signal).catch((caught: unknown) => caught);
    await until(() => serverSignal !== undefined, 'the handler to start');
    controller.abort(new DOMException('stopped', 'AbortError'));
    expect(await waiting).toMatchObject({ name: 'AbortError' });
    await until(() => serverSignal?.aborted === true, 'the handler signal to abort');
  });

  it('a server that goes away: a failed event, and a later call fails naming the server', async () => {
    const http = await startHttp();
    const connection = await connect({
      name: 'web',
      url: http.url,
      headers: { authorization: `Bearer ${HEADER_SECRET}` },
    });
    const echo = connection.tools.web__echo;
    const failed = next(connection.events, 'failed');
    await http.kill();
    const event = await failed;
    expect(event).toMatchObject({ type: 'failed', server: 'web' });
    expect(JSON.stringify(event)).not.toContain(HEADER_SECRET);
    expect(connection.status).toBe('failed');
    const error = await Promise.resolve(echo?.execute({ text: 'x' }, context())).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ reason: 'unavailable', server: 'web' });
    expect((error as Error).message).toMatch(/^the MCP server "web" is not available \(it failed: /);
  });

  it('a server that goes away during a call: the call fails at once naming the server', async () => {
    const state = { calls: 0, cancellations: 0 };
    const http = await startHttp(state);
    const connection = await connect({ name: 'web', url: http.url });
    const slow = call(connection, 'web__slow').catch((caught: unknown) => caught);
    await until(() => state.calls === 1, 'the slow handler to start');
    await http.kill();
    expect(await slow).toMatchObject({ reason: 'unavailable', server: 'web' });
    expect(connection.status).toBe('failed');
  });

  it('a refused connection: the error names the server and hides the header value the server echoed', async () => {
    const http = await startHttp();
    http.refuse(401, `unknown token: Bearer ${HEADER_SECRET}`);
    const url = `${http.url}?key=MARKER-query-secret-99`;
    const error = await connectMcpServer({
      name: 'web',
      url,
      headers: { authorization: `Bearer ${HEADER_SECRET}` },
    }).catch((caught: unknown) => caught);
    expect(McpConnectionError.isInstance(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toMatch(/^could not connect to the MCP server "web": /);
    expect(message).toContain('[redacted]');
    expect(message).not.toContain(HEADER_SECRET);
    expect(message).not.toContain('MARKER-query-secret-99');
  });
});

describe('configuration and tool sets', () => {
  it('refuses invalid configurations, naming fields and never values', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ name: 'a.b', command: 'x' }, /name: an MCP server name is/],
      [{ name: 'both', command: 'x', url: 'http://127.0.0.1/' }, /either a "command" \(stdio\) or a "url"/],
      [{ name: 'ftp', url: 'ftp://127.0.0.1/' }, /url: an MCP server url is an http: or https: URL/],
      [{ name: 'env', command: 'x', env: { TOKEN: 42 } }, /env\.TOKEN: /],
      [{ name: 'sep__arator', command: 'x' }, /holds the separator "__"/],
    ];
    for (const [config, expected] of cases) {
      const error = await connectMcpServer(config as McpServerConfig).catch((caught: unknown) => caught);
      expect(McpConnectionError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(expected);
      expect((error as Error).message).not.toContain('42');
    }
  });

  it('mcpToolSet merges the current tools of several connections and drops a closed one', async () => {
    const http = await startHttp();
    const [stdio, web] = await Promise.all([connect(stdioConfig), connect({ name: 'web', url: http.url })]);
    const merged = mcpToolSet([stdio, web]);
    expect(Object.keys(merged)).toEqual([...Object.keys(stdio.tools), ...Object.keys(web.tools)]);
    await web.close();
    expect(Object.keys(mcpToolSet([stdio, web]))).toEqual(Object.keys(stdio.tools));
  });
});
