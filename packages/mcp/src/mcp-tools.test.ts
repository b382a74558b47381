import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import {
  type FixtureState,
  type HttpMcpServer,
  PIXEL_PNG,
  registerFixtureTools,
  type Serving,
  startHttpMcpServer,
} from '@rxllm/testing/mcp';
import type { ToolExecuteContext } from '@rxllm/tools';
import { afterEach, describe, expect, it } from 'vitest';
import { safeParse } from 'zod/v4/core';
import { McpToolError } from './errors.js';
import { mcpTools } from './mcp-tools.js';

let http: HttpMcpServer | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.close();
  await http?.close();
  client = undefined;
  http = undefined;
});

async function connect(create: () => Serving): Promise<Client> {
  http = await startHttpMcpServer(create);
  client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
  return client;
}

function fixtureServer(state: FixtureState, extra?: (server: McpServer) => void) {
  return () => {
    const server = new McpServer({ name: 'fixture-http', version: '1.0.0' }, { capabilities: { tools: {} } });
    registerFixtureTools(server, state);
    extra?.(server);
    return server;
  };
}

const context = (signal = new AbortController().signal): ToolExecuteContext => ({
  signal,
  toolCallId: 'call_1',
  step: 1,
  messages: [],
});

describe('mcpTools over streamable HTTP (a real McpServer in process)', () => {
  it('lists every tool, namespaced, with the server JSON Schema and description', async () => {
    const tools = await mcpTools(await connect(fixtureServer({ calls: 0, cancellations: 0 })), { namespace: 'fx' });
    expect(Object.keys(tools)).toEqual([
      'fx__echo',
      'fx__weather',
      'fx__chart',
      'fx__lines',
      'fx__fail',
      'fx__sum',
      'fx__files_read',
      'fx__slow',
      'fx__cancellations',
      'fx__add_tool',
      'fx__remove_tool',
    ]);
    const echo = tools.fx__echo;
    expect(echo?.mcpName).toBe('echo');
    expect(echo?.description).toBe('Echoes the text');
    expect(echo?.inputSchema).toMatchObject({
      type: 'object',
      properties: { text: { type: 'string' } },
      required: ['text'],
    });
    expect(echo?.inputSchema).not.toHaveProperty('$schema');
    expect(tools.fx__files_read?.mcpName).toBe('files.read');
    expect(echo?.validated).toBe(true);
    expect(echo?.asksApproval).toBe(false);
  });

  it('maps text, joined text, structured, mixed (image, link) results', async () => {
    const tools = await mcpTools(await connect(fixtureServer({ calls: 0, cancellations: 0 })));
    expect(await tools.echo?.execute({ text: 'héllo' }, context())).toBe('héllo');
    expect(await tools.lines?.execute({}, context())).toBe('first\nsecond');
    expect(await tools.weather?.execute({ city: 'Paris' }, context())).toEqual({ city: 'Paris', celsius: 21 });
    expect(await tools.chart?.execute({}, context())).toEqual([
      { type: 'text', text: 'The chart:' },
      { type: 'image', source: { type: 'base64', data: PIXEL_PNG, mediaType: 'image/png' } },
      { type: 'resource_link', uri: 'file:///charts/1.png', name: 'chart-1' },
    ]);
  });

  it('rejects with the text of an isError result', async () => {
    const tools = await mcpTools(await connect(fixtureServer({ calls: 0, cancellations: 0 })));
    const error = await Promise.resolve(tools.fail?.execute({}, context())).catch((caught: unknown) => caught);
    expect(McpToolError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'tool', tool: 'fail', message: 'the fuse was short' });
  });

  it('checks arguments against the JSON Schema: a bad call never reaches the server', async () => {
    const state = { calls: 0, cancellations: 0 };
    const tools = await mcpTools(await connect(fixtureServer(state)));
    const sum = tools.sum;
    if (!sum) throw new Error('no sum tool');
    const bad = safeParse(sum.parameters, { a: 1.5, b: 'two' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((issue) => issue.message).join(' ')).toMatch(/arguments\/a must be integer/);
    expect(safeParse(sum.parameters, { b: 2 }).success).toBe(false);
    expect(safeParse(sum.parameters, 'not an object').success).toBe(false);
    expect(state.calls).toBe(0);
    const good = safeParse(sum.parameters, { a: 1, b: 2 });
    expect(good.success).toBe(true);
    expect(await sum.execute(good.data as Record<string, unknown>, context())).toBe('3');
    expect(state.calls).toBe(1);
  });

  it('aborting the signal cancels the MCP request: the server handler sees its signal aborted', async () => {
    let serverSignal: AbortSignal | undefined;
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const create = fixtureServer({ calls: 0, cancellations: 0 }, (server) => {
      server.registerTool('wait', { inputSchema: {} }, (_args, extra) => {
        serverSignal = extra.signal;
        started();
        return new Promise((resolve) => {
          extra.signal.addEventListener('abort', () => resolve({ content: [] }));
        });
      });
    });
    const tools = await mcpTools(await connect(create));
    const controller = new AbortController();
    const call = Promise.resolve(tools.wait?.execute({}, context(controller.signal))).catch(
      (caught: unknown) => caught,
    );
    await running;
    expect(serverSignal?.aborted).toBe(false);
    controller.abort(new DOMException('the tool loop was stopped', 'AbortError'));
    expect(await call).toMatchObject({ name: 'AbortError' });
    const signal = serverSignal;
    if (!signal) throw new Error('the handler did not run');
    if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve));
    expect(signal.aborted).toBe(true);
  });

  it('follows nextCursor through every page, and keeps a schema zod could not convert', async () => {
    const pages: Tool[][] = [
      [{ name: 'one', inputSchema: { type: 'object', properties: { n: { not: { type: 'string' } } } } }],
      [
        {
          name: 'two',
          inputSchema: {
            type: 'object',
            properties: { id: { $ref: '#/definitions/id' } },
            definitions: { id: { type: 'integer' } },
          },
        },
      ],
      [
        { name: 'three', inputSchema: { type: 'object', properties: { broken: { type: 'strin' } } } },
        { name: 'task-only', inputSchema: { type: 'object' }, execution: { taskSupport: 'required' } },
      ],
    ];
    const calls: string[] = [];
    const create = () => {
      const server = new Server({ name: 'paged', version: '1.0.0' }, { capabilities: { tools: {} } });
      server.setRequestHandler(ListToolsRequestSchema, (request) => {
        const page = Number(request.params?.cursor ?? 0);
        return { tools: pages[page] ?? [], ...(page < pages.length - 1 ? { nextCursor: String(page + 1) } : {}) };
      });
      server.setRequestHandler(CallToolRequestSchema, (request) => {
        calls.push(request.params.name);
        return { content: [{ type: 'text', text: 'ok' }] };
      });
      return server;
    };
    const tools = await mcpTools(await connect(create), { namespace: 'paged', needsApproval: true });
    expect(Object.keys(tools)).toEqual(['paged__one', 'paged__two', 'paged__three']);
    const one = tools.paged__one;
    const two = tools.paged__two;
    if (!one || !two) throw new Error('missing tools');
    expect(safeParse(one.parameters, { n: 1 }).success).toBe(true);
    expect(safeParse(one.parameters, { n: 'x' }).success).toBe(false);
    expect(safeParse(two.parameters, { id: 7 }).success).toBe(true);
    expect(safeParse(two.parameters, { id: 'seven' }).success).toBe(false);
    expect(tools.paged__three?.validated).toBe(false);
    expect(safeParse(tools.paged__three?.parameters ?? two.parameters, { broken: 1 }).success).toBe(true);
    expect(one.asksApproval).toBe(true);
    expect(await one.execute({ n: 1 }, context())).toBe('ok');
    expect(calls).toEqual(['one']);
  });
});
