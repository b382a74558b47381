import type { Stream } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { type Observable, Subject } from 'rxjs';
import { isStdioConfig, type McpServerConfig, parseMcpServerConfig, secretsOf } from './config.js';
import { McpConnectionError, McpToolError, messageOf } from './errors.js';
import { buildTools, type CallHooks, listAllTools, type McpToolSet, type McpToolsOptions } from './mcp-tools.js';
import { checkSeparator, DEFAULT_SEPARATOR } from './names.js';
import { redactor } from './redact.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
const DEFAULT_PING_TIMEOUT_MS = 5_000;
/** How long `close()` waits for an HTTP server to end its session before it lets go anyway. */
const TERMINATE_SESSION_MS = 2_000;
const CLIENT_INFO = { name: 'rxllm', version: '0.1.0' };

/**
 * Where a connection is: `connecting` only until `connectMcpServer` resolves; `ready` while the server serves;
 * `failed` once it died (its process exited, its connection broke, it stopped answering); `closed` after `close()`.
 *
 * @example
 * ```ts
 * if (connection.status !== 'ready') log.warn(`${connection.name}: ${connection.failure ?? 'closed'}`);
 * ```
 */
export type McpConnectionStatus = 'connecting' | 'ready' | 'failed' | 'closed';

/**
 * What a connection reports: its tool list changed (`tools` holds the new model-facing names), a re-listing
 * failed (the previous tools stay), the server died (`failed`), or `close()` was called (`closed`). After
 * `failed` or `closed` the stream completes. Messages never hold a header, an environment value or the URL.
 *
 * @example
 * ```ts
 * connection.events.subscribe((event) => {
 *   if (event.type === 'tools-changed') log.info(`${event.server}: ${event.tools.join(', ')}`);
 *   if (event.type === 'failed') log.error(`${event.server}: ${event.message}`);
 * });
 * ```
 */
export type McpConnectionEvent =
  | { type: 'tools-changed'; server: string; tools: string[] }
  | { type: 'tools-list-failed'; server: string; message: string }
  | { type: 'failed'; server: string; message: string }
  | { type: 'closed'; server: string; message: string };

/**
 * How {@link connectMcpServer} connects and names the tools (the namespace is the server's `name`).
 *
 * @example
 * ```ts
 * const options: ConnectMcpServerOptions = { connectTimeoutMs: 10_000, stderr: 'ignore', requestTimeoutMs: 120_000 };
 * ```
 */
export interface ConnectMcpServerOptions extends Omit<McpToolsOptions, 'namespace' | 'signal'> {
  /** What the client tells the server it is; `{ name: 'rxllm', version: '0.1.0' }` by default. */
  clientInfo?: { name: string; version: string };
  /** A stdio server's stderr: `inherit` (default), `ignore`, or `pipe` (read it from `connection.stderr`). */
  stderr?: 'inherit' | 'ignore' | 'pipe';
  /** Longest wait for the server to start and answer `initialize`, in milliseconds; default 30 000. */
  connectTimeoutMs?: number;
  /** Longest wait for the `ping` that checks a server after a transport error or a failed call; default 5 000. */
  pingTimeoutMs?: number;
  /** Aborts connecting. */
  signal?: AbortSignal;
}

/**
 * A live connection to one MCP server, for an app that serves for a long time: its current tools, its status and
 * its events. Tools of a connection that failed or was closed reject with an `unavailable` {@link McpToolError}
 * naming the server, and `tools` is then empty.
 *
 * @example
 * ```ts
 * const docs = await connectMcpServer({ name: 'docs', url: 'http://127.0.0.1:3001/mcp' });
 * runTools({ provider, request, tools: docs.tools });
 * await docs.close();
 * ```
 */
export interface McpConnection {
  /** The configured name, also the tools' namespace. */
  readonly name: string;
  readonly status: McpConnectionStatus;
  /** Why the connection failed, once it has. */
  readonly failure: string | undefined;
  /** The server's tools now, named `name__tool`; a new object after each change. */
  readonly tools: McpToolSet;
  readonly events: Observable<McpConnectionEvent>;
  /** The SDK client, for what this package does not wrap (prompts, resources). */
  readonly client: Client;
  /** The stdio child's process id while it runs; `undefined` for HTTP. */
  readonly pid: number | undefined;
  /** The stdio child's stderr with `stderr: 'pipe'` (read it, or the child may block), else `null`. */
  readonly stderr: Stream | null;
  /** Ends the connection: an HTTP session is terminated, a stdio child is stopped. Idempotent. */
  close(): Promise<void>;
}

function createTransport(config: McpServerConfig, options: ConnectMcpServerOptions): Transport {
  if (isStdioConfig(config)) {
    const { command, args, env, cwd } = config;
    return new StdioClientTransport({ command, args, env, cwd, stderr: options.stderr ?? 'inherit' });
  }
  return new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers: config.headers ?? {} } });
}

function bounded(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    promise.then(
      () => resolve(),
      () => resolve(),
    );
  });
}

class Connection implements McpConnection {
  readonly name: string;
  status: McpConnectionStatus = 'connecting';
  failure: string | undefined;
  tools: McpToolSet = {};
  private readonly subject = new Subject<McpConnectionEvent>();
  readonly events = this.subject.asObservable();
  private listing: Promise<void> | undefined;
  private listAgain = false;
  private probing = false;
  private shutdown: Promise<void> | undefined;
  private readonly hooks: CallHooks;

  constructor(
    config: McpServerConfig,
    readonly client: Client,
    private readonly transport: Transport,
    private readonly options: ConnectMcpServerOptions,
    private readonly redact: (text: string) => string,
  ) {
    this.name = config.name;
    this.hooks = {
      server: this.name,
      beforeCall: (tool) => {
        if (this.status !== 'ready') throw this.unavailable(tool);
      },
      callFailed: (tool, error) => this.callFailed(tool, error),
    };
    const gone = isStdioConfig(config) ? 'its process exited' : 'its connection was closed';
    client.onclose = () => this.fail(gone);
    client.onerror = (error) => this.probe(messageOf(error));
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.listChanged());
  }

  get pid(): number | undefined {
    return this.transport instanceof StdioClientTransport ? (this.transport.pid ?? undefined) : undefined;
  }

  get stderr(): Stream | null {
    return this.transport instanceof StdioClientTransport ? this.transport.stderr : null;
  }

  async start(signal: AbortSignal | undefined, timeout: number): Promise<void> {
    await this.client.connect(this.transport, signal === undefined ? { timeout } : { signal, timeout });
    if (this.client.getServerCapabilities()?.tools) await this.refresh();
    signal?.throwIfAborted();
    this.status = 'ready';
  }

  close(): Promise<void> {
    if (this.shutdown) return this.shutdown;
    if (this.status === 'ready') {
      this.subject.next({ type: 'closed', server: this.name, message: 'the connection was closed by the client' });
    }
    this.status = 'closed';
    this.tools = {};
    this.subject.complete();
    this.shutdown = this.terminate();
    return this.shutdown;
  }

  private async terminate(): Promise<void> {
    if (this.transport instanceof StreamableHTTPClientTransport && this.transport.sessionId !== undefined) {
      await bounded(this.transport.terminateSession(), TERMINATE_SESSION_MS);
    }
    await this.client.close().catch(() => undefined);
  }

  private fail(reason: string): void {
    if (this.status !== 'ready') return;
    this.status = 'failed';
    this.failure = this.redact(reason);
    this.tools = {};
    this.subject.next({
      type: 'failed',
      server: this.name,
      message: `the MCP server "${this.name}" failed: ${this.failure}`,
    });
    this.subject.complete();
    this.shutdown = this.client.close().catch(() => undefined);
  }

  /** After a transport error or a failed call: a server that does not answer a ping has died. */
  private probe(cause: string): void {
    if (this.probing || this.status !== 'ready') return;
    this.probing = true;
    this.client
      .ping({ timeout: this.options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS })
      .then(
        () => undefined,
        (error: unknown) => this.fail(`it stopped answering (${cause}; ping: ${messageOf(error)})`),
      )
      .finally(() => {
        this.probing = false;
      });
  }

  private unavailable(tool: string): McpToolError {
    const why = this.status === 'failed' ? `it failed: ${this.failure}` : 'its connection was closed';
    const message = `the MCP server "${this.name}" is not available (${why})`;
    return new McpToolError({ reason: 'unavailable', message, tool, server: this.name });
  }

  private callFailed(tool: string, error: unknown): Error {
    if (this.status !== 'ready') return this.unavailable(tool);
    this.probe(`a call of ${tool} failed`);
    const message = this.redact(`the MCP server "${this.name}" failed the call of ${tool}: ${messageOf(error)}`);
    return new McpToolError({ reason: 'protocol', message, tool, server: this.name });
  }

  private listChanged(): void {
    // During the first listing a change makes it list again; before it, the first listing is still to come.
    if (this.status !== 'ready' && this.listing === undefined) return;
    this.refresh().catch((error: unknown) => {
      if (this.status !== 'ready') return;
      const message = this.redact(`listing the tools of "${this.name}" failed: ${messageOf(error)}`);
      this.subject.next({ type: 'tools-list-failed', server: this.name, message });
      this.probe('a tools/list request failed');
    });
  }

  /** Lists the tools; a change notified while a listing runs makes it list once more after. */
  private refresh(): Promise<void> {
    if (this.listing) {
      this.listAgain = true;
      return this.listing;
    }
    this.listing = this.listUntilSettled().finally(() => {
      this.listing = undefined;
    });
    return this.listing;
  }

  private async listUntilSettled(): Promise<void> {
    do {
      this.listAgain = false;
      const definitions = await listAllTools(this.client);
      if (this.status !== 'ready' && this.status !== 'connecting') return;
      this.tools = buildTools(this.client, definitions, { ...this.options, namespace: this.name }, this.hooks);
      if (this.status === 'ready') {
        this.subject.next({ type: 'tools-changed', server: this.name, tools: Object.keys(this.tools) });
      }
    } while (this.listAgain);
  }
}

/**
 * Connects to one MCP server (a stdio command or a streamable HTTP URL, see {@link McpServerConfig}), lists its
 * tools, and keeps them current: on `notifications/tools/list_changed` it lists again and emits `tools-changed`.
 * A server that dies (its process exits, its connection breaks and a ping goes unanswered) makes the connection
 * `failed`: a `failed` event, no tools, and calls that reject with an `unavailable` {@link McpToolError} naming
 * the server. Rejects with an {@link McpConnectionError} when the configuration is invalid or the server cannot be
 * started, reached or initialised; errors and events never hold a header, an environment value or the URL.
 *
 * @example
 * ```ts
 * const files = await connectMcpServer({ name: 'files', command: 'node', args: ['files-server.js'] });
 * files.events.subscribe((event) => console.log(event.type, event));
 * files.tools; // { files__read_file: …, files__list_directory: … }
 * runTools({ provider, request, tools: files.tools }).subscribe(render);
 * await files.close(); // stops the child process
 * ```
 */
export async function connectMcpServer(
  config: McpServerConfig,
  options: ConnectMcpServerOptions = {},
): Promise<McpConnection> {
  const checked = parseMcpServerConfig(config);
  const separator = options.separator ?? DEFAULT_SEPARATOR;
  checkSeparator(separator);
  if (checked.name.includes(separator)) {
    const message = `the MCP server name "${checked.name}" holds the separator "${separator}"`;
    throw new McpConnectionError({ message, server: checked.name });
  }
  const redact = redactor(secretsOf(checked));
  const client = new Client(options.clientInfo ?? CLIENT_INFO);
  const connection = new Connection(checked, client, createTransport(checked, options), options, redact);
  try {
    await connection.start(options.signal, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  } catch (error) {
    await connection.close();
    const message = redact(`could not connect to the MCP server "${checked.name}": ${messageOf(error)}`);
    throw new McpConnectionError({ message, server: checked.name });
  }
  return connection;
}

/**
 * The current tools of several connections in one tool set, in the order given; a name two connections share
 * (only possible when one server's name is another's plus the separator and a tool name) keeps the first.
 * Connections that failed or were closed add nothing.
 *
 * @example
 * ```ts
 * runTools({ provider, request, tools: { ...localTools, ...mcpToolSet(connections) } });
 * ```
 */
export function mcpToolSet(connections: Iterable<McpConnection>): McpToolSet {
  const tools: McpToolSet = {};
  for (const connection of connections) {
    for (const [name, entry] of Object.entries(connection.tools)) if (!Object.hasOwn(tools, name)) tools[name] = entry;
  }
  return tools;
}
