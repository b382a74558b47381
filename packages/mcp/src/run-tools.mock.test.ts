import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { LoopChunk, ToolResultChunk } from '@rxllm/core';
import { createOpenAI } from '@rxllm/openai';
import {
  hasToolResult,
  type MockResponder,
  type MockUpstream,
  matchRequests,
  mockUpstream,
  toolResults,
} from '@rxllm/testing';
import {
  type FixtureState,
  type HttpMcpServer,
  MCP_STDIO_FIXTURE,
  registerFixtureTools,
  startHttpMcpServer,
} from '@rxllm/testing/mcp';
import { runTools } from '@rxllm/tools';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMcpServer, type McpConnection, mcpToolSet } from './connection.js';

// The whole path: the real openai SDK through @rxllm/openai against the wire-level mock, runTools, and real MCP
// servers (a stdio child and a streamable HTTP server in process).
const fixture = MCP_STDIO_FIXTURE;
const state: FixtureState = { calls: 0, cancellations: 0 };
let mock: MockUpstream;
let http: HttpMcpServer;
let connections: McpConnection[] = [];
let respond: MockResponder = () => undefined;
const question = { messages: [{ role: 'user' as const, content: 'Weather in Paris?' }] };

beforeAll(async () => {
  http = await startHttpMcpServer(() => {
    const server = new McpServer({ name: 'fixture-http', version: '1.0.0' }, { capabilities: { tools: {} } });
    registerFixtureTools(server, state);
    return server;
  });
  connections = await Promise.all([
    connectMcpServer({ name: 'fx', command: process.execPath, args: [fixture] }, { stderr: 'ignore' }),
    connectMcpServer({ name: 'web', url: http.url }),
  ]);
  mock = await mockUpstream({ respond: (request) => respond(request) });
});

afterAll(async () => {
  await Promise.all(connections.map((connection) => connection.close()));
  await mock?.close();
  await http?.close();
});

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting: ${what}`);
}

describe('runTools with MCP tools (openai SDK, mock upstream)', () => {
  it('the model calls MCP tools in step 1 and step 2 sees their results', async () => {
    mock.reset();
    respond = matchRequests(
      [{ when: (request) => hasToolResult(request), script: { events: [{ type: 'text', text: 'Paris: 21 °C.' }] } }],
      {
        events: [
          { type: 'tool-call', id: 'c1', name: 'web__weather', argumentFragments: ['{"city":', '"Paris"}'] },
          { type: 'tool-call', id: 'c2', name: 'fx__echo', argumentFragments: ['{"text":"hi"}'] },
          { type: 'tool-call', id: 'c3', name: 'web__sum', argumentFragments: ['{"a":1.5,"b":2}'] },
          { type: 'tool-call', id: 'c4', name: 'fx__fail', argumentFragments: ['{}'] },
        ],
      },
    );
    const provider = createOpenAI({ apiKey: 'MARKER-mcp-key-41b2', baseURL: mock.baseURLs.openai });
    const tools = mcpToolSet(connections);
    const chunks: LoopChunk[] = await lastValueFrom(runTools({ provider, request: question, tools }).pipe(toArray()));
    expect(mock.requests).toHaveLength(2);
    const body = (mock.requests[0]?.body ?? {}) as { tools?: Array<{ function: Record<string, unknown> }> };
    const offered = (body.tools ?? []).map((entry) => entry.function);
    expect(offered.map((entry) => entry.name)).toEqual(Object.keys(tools));
    expect(offered.find((entry) => entry.name === 'web__weather')).toMatchObject({
      description: 'The current weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    });

    // Results come as calls finish (a refused call at once); the ids give the order the model made them in.
    const results = chunks
      .filter((chunk): chunk is ToolResultChunk => chunk.type === 'tool-result' && !chunk.partial)
      .sort((a, b) => a.toolCallId.localeCompare(b.toolCallId));
    expect(results.map((result) => [result.name, result.output ?? result.error?.kind])).toEqual([
      ['web__weather', { city: 'Paris', celsius: 21 }],
      ['fx__echo', 'hi'],
      ['web__sum', 'invalid-arguments'],
      ['fx__fail', 'execution'],
    ]);
    expect(results[3]?.error?.message).toBe('fx__fail failed: the fuse was short');
    // The bad sum was refused before the server was called.
    expect(state.calls).toBe(0);

    const second = mock.requests[1];
    if (!second) throw new Error('no second step');
    // A structured output goes back as JSON, a text output as it is.
    const contents = toolResults(second).map(({ content }) => String(content));
    expect(contents[1]).toBe('hi');
    const sentBack = contents.map((content, index) => (index === 1 ? content : JSON.parse(content)));
    expect(sentBack[0]).toEqual({ city: 'Paris', celsius: 21 });
    expect(sentBack[2].error).toMatch(/arguments\/a must be integer/);
    expect(sentBack[3]).toEqual({ error: 'fx__fail failed: the fuse was short' });
    const text = chunks.flatMap((chunk) => (chunk.type === 'text' ? [chunk.text] : [])).join('');
    expect(text).toBe('Paris: 21 °C.');
  });

  it('unsubscribing the loop while an MCP call runs cancels it on the server', async () => {
    mock.reset();
    respond = () => ({ events: [{ type: 'tool-call', id: 'c1', name: 'web__slow', argumentFragments: ['{}'] }] });
    const provider = createOpenAI({ apiKey: 'MARKER-mcp-key-41b2', baseURL: mock.baseURLs.openai });
    const before = { ...state };
    const chunks: LoopChunk[] = [];
    const subscription = runTools({ provider, request: question, tools: mcpToolSet(connections) }).subscribe((chunk) =>
      chunks.push(chunk),
    );
    await until(() => state.calls > before.calls, 'the slow handler to start');
    expect(chunks.some((chunk) => chunk.type === 'tool-call-ready' && chunk.name === 'web__slow')).toBe(true);
    subscription.unsubscribe();
    await until(() => state.cancellations > before.cancellations, 'the server to see the cancellation');
    expect(state.cancellations).toBe(before.cancellations + 1);
    expect(chunks.some((chunk) => chunk.type === 'tool-result')).toBe(false);
  });
});
