import { z } from 'zod';
import { McpConnectionError } from './errors.js';

/** A connection's name: it becomes the namespace of the server's tools. */
const name = z.string().regex(/^[a-zA-Z0-9_-]{1,32}$/, 'an MCP server name is 1 to 32 letters, digits, "_" or "-"');

const stdio = z.strictObject({
  name,
  command: z.string().min(1),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  cwd: z.string().min(1).optional(),
});

const http = z.strictObject({
  name,
  url: z.url({ protocol: /^https?$/, error: 'an MCP server url is an http: or https: URL' }),
  headers: z.record(z.string(), z.string()).optional(),
});

/**
 * An MCP server started as a child process and spoken to over its stdin and stdout. The child gets `env` on top
 * of the SDK's short list of inherited variables (`HOME`, `LOGNAME`, `PATH`, `SHELL`, `TERM`, `USER`), not this
 * process's whole environment.
 *
 * @example
 * ```ts
 * const files: McpStdioServerConfig = { name: 'files', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] };
 * ```
 */
export interface McpStdioServerConfig {
  /** The namespace of the server's tools: 1 to 32 of `[a-zA-Z0-9_-]`. */
  name: string;
  command: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/**
 * An MCP server reached over streamable HTTP. `headers` go with every request (an `Authorization` bearer token,
 * say) and never appear in an error or an event.
 *
 * @example
 * ```ts
 * const docs: McpHttpServerConfig = { name: 'docs', url: 'https://mcp.example.com/mcp', headers: { authorization: `Bearer ${token}` } };
 * ```
 */
export interface McpHttpServerConfig {
  /** The namespace of the server's tools: 1 to 32 of `[a-zA-Z0-9_-]`. */
  name: string;
  /** An `http:` or `https:` URL. */
  url: string;
  headers?: Record<string, string>;
}

/**
 * One MCP server to connect to: a stdio command or a streamable HTTP URL.
 *
 * @example
 * ```ts
 * const servers: McpServerConfig[] = [
 *   { name: 'files', command: 'node', args: ['files-server.js'], env: { ROOT: '/srv' } },
 *   { name: 'docs', url: 'http://127.0.0.1:3001/mcp' },
 * ];
 * ```
 */
export type McpServerConfig = McpStdioServerConfig | McpHttpServerConfig;

/** True for a stdio configuration. */
export const isStdioConfig = (config: McpServerConfig): config is McpStdioServerConfig => 'command' in config;

/** Every value of a configuration that must never be shown: header values, env values, the URL's credentials. */
export function secretsOf(config: McpServerConfig): string[] {
  if (isStdioConfig(config)) return Object.values(config.env ?? {});
  const url = new URL(config.url);
  const credentials = [url.username, url.password].flatMap((part) => [part, decoded(part)]);
  return [...Object.values(config.headers ?? {}), ...credentials, ...url.searchParams.values(), config.url];
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const issueText = (issue: z.core.$ZodIssue): string =>
  issue.path.length === 0 ? issue.message : `${issue.path.map(String).join('.')}: ${issue.message}`;

/**
 * Checks one MCP server's configuration (a parsed JSON value, say) and returns it typed: a stdio server has a
 * `command`, an HTTP server a `url`. Throws an {@link McpConnectionError} whose message names the fields that are
 * wrong, never their values.
 *
 * @example
 * ```ts
 * const servers = (JSON.parse(process.env.MCP_SERVERS ?? '[]') as unknown[]).map(parseMcpServerConfig);
 * parseMcpServerConfig({ name: 'docs', url: 'ftp://x' }); // throws: 'invalid MCP server configuration "docs": url: an MCP server url is …'
 * ```
 */
export function parseMcpServerConfig(value: unknown): McpServerConfig {
  const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  const server =
    typeof (record as { name?: unknown } | undefined)?.name === 'string'
      ? (record as { name: string }).name
      : undefined;
  const label = server === undefined ? '' : ` "${server}"`;
  const fail = (reason: string) =>
    new McpConnectionError({ message: `invalid MCP server configuration${label}: ${reason}`, server });
  if (record === undefined) throw fail('expected an object');
  const hasCommand = 'command' in record;
  if (hasCommand === 'url' in record) throw fail('give either a "command" (stdio) or a "url" (streamable HTTP)');
  const result = (hasCommand ? stdio : http).safeParse(record);
  if (!result.success) throw fail(result.error.issues.map(issueText).join('; '));
  return result.data;
}
