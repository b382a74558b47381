const toolMarker = Symbol.for('rxllm.McpToolError');
const connectionMarker = Symbol.for('rxllm.McpConnectionError');

/**
 * Why an MCP tool call failed: the tool itself said so (`isError: true`), the server is gone (`unavailable`), or
 * the request failed on the way (`protocol`: an MCP error response, a timeout, a broken transport).
 */
export type McpToolErrorReason = 'tool' | 'unavailable' | 'protocol';

/**
 * What an MCP tool's `execute` rejects with. `runTools` turns it into an `execution` error result, so the model
 * reads `message`; the message never holds a header or an environment value of the server's configuration.
 *
 * @example
 * ```ts
 * try {
 *   await tools.docs__search.execute({ query: 'x' }, context);
 * } catch (error) {
 *   if (McpToolError.isInstance(error) && error.reason === 'unavailable') console.log(`${error.server} is down`);
 * }
 * ```
 */
export class McpToolError extends Error {
  override readonly name = 'McpToolError';
  readonly reason: McpToolErrorReason;
  /** The connection's name, when the tool came from `connectMcpServer`. */
  readonly server: string | undefined;
  /** The tool's name on the MCP server. */
  readonly tool: string;
  /** Brand read by {@link McpToolError.isInstance}. */
  readonly [toolMarker] = true;

  constructor(options: {
    reason: McpToolErrorReason;
    message: string;
    tool: string;
    server?: string;
    cause?: unknown;
  }) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = options.reason;
    this.tool = options.tool;
    this.server = options.server;
  }

  /** True for an `McpToolError` from any copy of this package. */
  static isInstance(value: unknown): value is McpToolError {
    return typeof value === 'object' && value !== null && (value as { [toolMarker]?: unknown })[toolMarker] === true;
  }
}

/**
 * What `connectMcpServer` rejects with: an invalid configuration, or a server that could not be started, reached or
 * initialised. The message names the server and never holds a header, an environment value or the URL.
 *
 * @example
 * ```ts
 * const connection = await connectMcpServer(config).catch((error) => {
 *   if (McpConnectionError.isInstance(error)) log.warn(error.message); // 'could not connect to the MCP server "docs": …'
 *   return undefined;
 * });
 * ```
 */
export class McpConnectionError extends Error {
  override readonly name = 'McpConnectionError';
  /** The configured name of the server, when the configuration had one. */
  readonly server: string | undefined;
  /** Brand read by {@link McpConnectionError.isInstance}. */
  readonly [connectionMarker] = true;

  constructor(options: { message: string; server?: string; cause?: unknown }) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.server = options.server;
  }

  /** True for an `McpConnectionError` from any copy of this package. */
  static isInstance(value: unknown): value is McpConnectionError {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as { [connectionMarker]?: unknown })[connectionMarker] === true
    );
  }
}

/** The message of anything thrown. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
