import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, Tool as McpToolDefinition } from '@modelcontextprotocol/sdk/types.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';
import type { Tool, ToolExecuteContext } from '@rxllm/tools';
import { McpToolError, messageOf } from './errors.js';
import { checkSeparator, DEFAULT_SEPARATOR, modelToolNames } from './names.js';
import { argumentsCheck, defaultValidator, offeredSchema } from './parameters.js';
import { type McpToolOutput, resultText, toolOutput } from './result.js';

/** Most `tools/list` pages followed before the listing is given up (a server that never stops paging). */
const MAX_PAGES = 1000;

/**
 * How {@link mcpTools} names and calls a server's tools.
 *
 * @example
 * ```ts
 * const options: McpToolsOptions = { namespace: 'docs', requestTimeoutMs: 120_000, needsApproval: (tool) => tool.annotations?.destructiveHint === true };
 * ```
 */
export interface McpToolsOptions {
  /** Put before every tool name, with `separator`: `docs__search`. None by default. */
  namespace?: string;
  /** Between the namespace and the tool name; default `__` (letters, digits, `_` and `-` only). */
  separator?: string;
  /** The MCP request timeout of each call, in milliseconds; the SDK's default (60 s) when not given. */
  requestTimeoutMs?: number;
  /** Whether calls wait for approval in `runTools`: for every tool, or as a predicate over the server's listing. */
  needsApproval?: boolean | ((definition: McpToolDefinition) => boolean);
  /** Checks arguments against the tools' JSON Schemas; a fresh SDK `AjvJsonSchemaValidator` by default. */
  validator?: jsonSchemaValidator;
  /** Aborts the listing. */
  signal?: AbortSignal;
}

/**
 * A tool of an MCP server, as `runTools` takes it, with what the server said about it.
 *
 * @example
 * ```ts
 * const search: McpTool = tools.docs__search;
 * search.mcpName; // 'search'
 * search.definition.annotations?.readOnlyHint; // true
 * ```
 */
export interface McpTool extends Tool<Record<string, unknown>, McpToolOutput> {
  /** The tool's name on the server (the model-facing name is its key in the tool set). */
  readonly mcpName: string;
  /** The tool as the server listed it. */
  readonly definition: McpToolDefinition;
  /** False when the validator could not compile the tool's `inputSchema`: any JSON object is then sent. */
  readonly validated: boolean;
}

/**
 * MCP tools by model-facing name; a `ToolSet` for `runTools`.
 *
 * @example
 * ```ts
 * const tools: McpToolSet = await mcpTools(client, { namespace: 'docs' });
 * runTools({ provider, request, tools });
 * ```
 */
export type McpToolSet = Record<string, McpTool>;

/** What a connection adds to every call: a check before it, and what a failed call turns into. */
export interface CallHooks {
  server?: string;
  beforeCall?: (tool: string) => void;
  /** Turns a failed request (not a tool error) into the error the call rejects with. */
  callFailed?: (tool: string, error: unknown) => Error;
}

/**
 * Every tool a connected client's server lists, following `nextCursor` through all pages. A tool listed twice keeps
 * its first entry; tools that can only run as tasks (`execution.taskSupport: 'required'`) are left out.
 */
export async function listAllTools(
  client: Client,
  options: { signal?: AbortSignal; timeout?: number } = {},
): Promise<McpToolDefinition[]> {
  const tools = new Map<string, McpToolDefinition>();
  const requestOptions = {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
  };
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const result = await client.listTools(cursor === undefined ? undefined : { cursor }, requestOptions);
    for (const entry of result.tools) if (!tools.has(entry.name)) tools.set(entry.name, entry);
    if (result.nextCursor === undefined || result.nextCursor === cursor) {
      return [...tools.values()].filter((entry) => entry.execution?.taskSupport !== 'required');
    }
    cursor = result.nextCursor;
  }
  throw new Error(`the server's tool list went on for more than ${MAX_PAGES} pages`);
}

type RawResult = Awaited<ReturnType<Client['callTool']>>;

/** A result of the current protocol; the other kind is the 2024-10-07 `toolResult`. */
const hasContent = (raw: RawResult): raw is CallToolResult => Array.isArray(raw.content);

const errorText = (result: CallToolResult): string => resultText(result) || 'the tool reported an error';

function callOptions(signal: AbortSignal, requestTimeoutMs: number | undefined) {
  return requestTimeoutMs === undefined ? { signal } : { signal, timeout: requestTimeoutMs };
}

/** The `execute` of one MCP tool: the call with the loop's signal, the result mapped, failures made clear. */
function executor(client: Client, name: string, options: McpToolsOptions, hooks: CallHooks) {
  return async (input: Record<string, unknown>, { signal }: ToolExecuteContext): Promise<McpToolOutput> => {
    hooks.beforeCall?.(name);
    let raw: RawResult;
    try {
      raw = await client.callTool({ name, arguments: input }, undefined, callOptions(signal, options.requestTimeoutMs));
    } catch (error) {
      // A stopped loop: the SDK has sent notifications/cancelled; the reason is the loop's.
      if (signal.aborted) throw signal.reason;
      if (hooks.callFailed) throw hooks.callFailed(name, error);
      const message = `the call of ${name} failed: ${messageOf(error)}`;
      throw new McpToolError({ reason: 'protocol', message, tool: name, cause: error });
    }
    const result: CallToolResult & { toolResult?: unknown } = hasContent(raw)
      ? raw
      : { content: [], toolResult: raw.toolResult };
    if (result.isError)
      throw new McpToolError({ reason: 'tool', message: errorText(result), tool: name, server: hooks.server });
    return toolOutput(result);
  };
}

/** Turns a server's listing into tools, named by {@link modelToolNames}. */
export function buildTools(
  client: Client,
  definitions: readonly McpToolDefinition[],
  options: McpToolsOptions,
  hooks: CallHooks = {},
): McpToolSet {
  const separator = options.separator ?? DEFAULT_SEPARATOR;
  checkSeparator(separator);
  const validator = options.validator ?? defaultValidator();
  const names = modelToolNames(
    definitions.map((entry) => entry.name),
    options.namespace,
    separator,
  );
  const tools: McpToolSet = {};
  for (const definition of definitions) {
    const inputSchema = offeredSchema(definition.inputSchema);
    const check = argumentsCheck(inputSchema, validator);
    const approval = options.needsApproval ?? false;
    const asksApproval = typeof approval === 'function' ? approval(definition) : approval;
    tools[names.get(definition.name) ?? definition.name] = {
      description: definition.description ?? definition.annotations?.title ?? definition.title,
      parameters: check.schema,
      inputSchema,
      timeoutMs: undefined,
      asksApproval,
      execute: executor(client, definition.name, options, hooks),
      needsApproval: () => asksApproval,
      mcpName: definition.name,
      definition,
      validated: check.validated,
    };
  }
  return tools;
}

/**
 * The tools of a connected MCP `Client` as `@rxllm/tools` tools: every tool the server lists (all pages), named
 * `namespace__tool` when a namespace is given (see the README for the naming rule), offered with the server's
 * JSON Schema and checked against it before the server is called. `execute` calls `tools/call` with the loop's
 * `AbortSignal` (unsubscribing the loop sends `notifications/cancelled`), resolves to the structured content, the
 * text or the content parts, and rejects with an {@link McpToolError} when the tool returns `isError: true`.
 * The tools are a snapshot: list again when the server says its list changed (or use `connectMcpServer`).
 *
 * @example
 * ```ts
 * import { Client } from '@modelcontextprotocol/sdk/client/index.js';
 * import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
 *
 * const client = new Client({ name: 'my-app', version: '1.0.0' });
 * await client.connect(new StdioClientTransport({ command: 'npx', args: ['-y', 'some-mcp-server'] }));
 * const tools = await mcpTools(client, { namespace: 'files' }); // { files__read_file: …, files__list_directory: … }
 * runTools({ provider, request, tools }).subscribe(console.log);
 * ```
 */
export async function mcpTools(client: Client, options: McpToolsOptions = {}): Promise<McpToolSet> {
  checkSeparator(options.separator ?? DEFAULT_SEPARATOR);
  const listing = options.signal === undefined ? {} : { signal: options.signal };
  return buildTools(client, await listAllTools(client, listing), options);
}
