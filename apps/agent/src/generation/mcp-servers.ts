import { readFileSync } from 'node:fs';
import {
  connectMcpServer,
  type McpConnection,
  type McpConnectionEvent,
  type McpServerConfig,
  mcpToolSet,
  parseMcpServerConfig,
} from '@rxllm/mcp';
import type { ToolSet } from '@rxllm/tools';
import type { Logger } from 'pino';

/** An MCP server connection's deadline at start: one server that does not answer must not hold up the agent. */
const CONNECT_TIMEOUT_MS = 15_000;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The servers of one parsed `MCP_SERVERS` value: a list, `{ mcpServers: { name: … } }` or `{ name: … }`. */
function serverEntries(parsed: unknown): unknown[] {
  if (Array.isArray(parsed)) return parsed;
  if (typeof parsed !== 'object' || parsed === null) {
    throw new Error('expected a JSON list of servers or an object of servers by name');
  }
  const byName = 'mcpServers' in parsed ? (parsed as { mcpServers: unknown }).mcpServers : parsed;
  if (typeof byName !== 'object' || byName === null || Array.isArray(byName)) {
    throw new Error('"mcpServers" must be an object of servers by name');
  }
  return Object.entries(byName).map(([name, server]) =>
    typeof server === 'object' && server !== null ? { name, ...server } : server,
  );
}

/**
 * Reads `MCP_SERVERS`: inline JSON (it starts with `[` or `{`) or the path of a JSON file, holding a list of servers
 * (`{name, command, args?, env?, cwd?}` or `{name, url, headers?}`), an object of them by name, or the same under
 * `mcpServers` (the layout other MCP clients use). Throws an `Error` naming the server and the field, never a
 * value (headers and env may hold tokens).
 *
 * @example
 * ```ts
 * parseMcpServers('[{"name":"files","command":"node","args":["files-server.js"]}]');
 * parseMcpServers('/etc/rxllm/mcp.json'); // {"mcpServers":{"docs":{"url":"https://mcp.example/mcp"}}}
 * ```
 */
export function parseMcpServers(value: string): McpServerConfig[] {
  const inline = value.startsWith('[') || value.startsWith('{');
  let text = value;
  if (!inline) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (error) {
      throw new Error(`cannot read the file ${value} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(inline ? 'not valid JSON' : `the file ${value} is not valid JSON`);
  }
  const servers = serverEntries(parsed).map((entry) => parseMcpServerConfig(entry));
  const names = servers.map((server) => server.name);
  const twice = names.filter((name, index) => names.indexOf(name) !== index);
  if (twice.length > 0) throw new Error(`two servers are named ${twice[0]}`);
  return servers;
}

/** The agent's MCP servers: their tools for every generation, and one `close` for shutdown. */
export interface McpServers {
  /** The tools of the servers that serve now (`server__tool`); empty when none is configured or alive. */
  tools(): ToolSet;
  close(): Promise<void>;
}

function logEvent(logger: Logger, event: McpConnectionEvent): void {
  const fields = { mcpServer: event.server };
  if (event.type === 'tools-changed') {
    logger.info({ ...fields, tools: event.tools }, `MCP server ${event.server}: tools changed (${event.tools.length})`);
  } else if (event.type === 'tools-list-failed') {
    logger.warn(fields, `MCP server ${event.server}: ${event.message}`);
  } else if (event.type === 'failed') {
    logger.error(
      fields,
      `MCP server ${event.server} is gone: ${event.message}; its tools are off, the agent serves on`,
    );
  }
}

/**
 * Connects every configured MCP server at start, in parallel: a server that cannot be started or reached is logged
 * and left out (the agent serves without its tools), a server that dies later is logged and its tools go away, a
 * changed tool list is picked up for the next generation. A stdio server's stderr goes to the debug log.
 *
 * @example
 * ```ts
 * const mcp = await connectMcpServers(config.mcpServers, logger);
 * runTools({ provider, request, tools: { ...shipped, ...mcp.tools() } });
 * await mcp.close();
 * ```
 */
export async function connectMcpServers(configs: readonly McpServerConfig[], logger: Logger): Promise<McpServers> {
  const settled = await Promise.all(
    configs.map(async (config): Promise<McpConnection | undefined> => {
      try {
        const connection = await connectMcpServer(config, { connectTimeoutMs: CONNECT_TIMEOUT_MS, stderr: 'pipe' });
        connection.stderr?.on('data', (bytes: Buffer) => {
          logger.debug({ mcpServer: config.name }, `MCP server ${config.name} stderr: ${String(bytes).trimEnd()}`);
        });
        connection.events.subscribe((event) => logEvent(logger, event));
        const names = Object.keys(connection.tools);
        logger.info(
          { mcpServer: config.name, tools: names },
          `MCP server ${config.name}: ${names.length} tool${names.length === 1 ? '' : 's'}`,
        );
        return connection;
      } catch (error) {
        logger.error({ mcpServer: config.name }, `${describe(error)}; the agent serves without its tools`);
        return undefined;
      }
    }),
  );
  const connections = settled.filter((connection): connection is McpConnection => connection !== undefined);
  return {
    tools: () => mcpToolSet(connections),
    close: async () => {
      await Promise.all(connections.map((connection) => connection.close()));
    },
  };
}
