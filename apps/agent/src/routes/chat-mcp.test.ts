import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AgentEvent } from '@rxllm/protocol';
import { hasToolResult, type MockScript, type RecordedRequest, toolResults } from '@rxllm/testing';
import { type HttpMcpServer, MCP_STDIO_FIXTURE, registerFixtureTools, startHttpMcpServer } from '@rxllm/testing/mcp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';
import { postJson, readSse, startTestAgent, type TestAgent } from '../test-helpers.js';

const ofType = <T extends AgentEvent['type']>(events: AgentEvent[], type: T) =>
  events.filter((event): event is Extract<AgentEvent, { type: T }> => event.type === type);
const textOf = (events: AgentEvent[]) =>
  ofType(events, 'text')
    .map((event) => event.text)
    .join('');

async function chatEvents(harness: TestAgent, message: string, signal?: AbortSignal): Promise<AgentEvent[]> {
  const response = await postJson(`${harness.agent.url}/chat`, { message }, {}, signal);
  expect(response.status).toBe(200);
  return (await readSse(response)).map((event) => event.data as AgentEvent);
}

/** The OpenAI request's last user message text, and the tool names it offers. */
function userText(request: RecordedRequest): string {
  const messages = ((request.body as { messages?: Array<{ role: string; content: unknown }> }).messages ?? []).filter(
    (message) => message.role === 'user',
  );
  const last = messages.at(-1)?.content;
  return typeof last === 'string' ? last : JSON.stringify(last);
}
const offered = (request: RecordedRequest) =>
  ((request.body as { tools?: Array<{ function: { name: string } }> }).tools ?? []).map((tool) => tool.function.name);

/**
 * The model: "call NAME ARGS" makes it call NAME with ARGS (JSON), in two fragments; once the request carries a
 * result, it answers `result: <content>`.
 */
function respond(request: RecordedRequest): MockScript {
  if (hasToolResult(request)) {
    return { events: [{ type: 'text', text: `result: ${JSON.stringify(toolResults(request)[0]?.content)}` }] };
  }
  const match = /^call (\S+) (.*)$/.exec(userText(request));
  if (!match) return { events: [{ type: 'text', text: 'no call' }] };
  const [, name = '', args = '{}'] = match;
  const half = Math.floor(args.length / 2);
  return {
    events: [{ type: 'tool-call', id: 'call_1', name, argumentFragments: [args.slice(0, half), args.slice(half)] }],
  };
}

describe('MCP_SERVERS: the tools of real MCP servers (stdio and streamable HTTP) in the agent', () => {
  let web: HttpMcpServer;
  let harness: TestAgent;
  beforeAll(async () => {
    web = await startHttpMcpServer(() => {
      const server = new McpServer({ name: 'fixture-http', version: '1.0.0' }, { capabilities: { tools: {} } });
      registerFixtureTools(server);
      return server;
    });
    const servers = [
      { name: 'fx', command: process.execPath, args: [MCP_STDIO_FIXTURE], env: { FIXTURE_SECRET: 'sk-mcp-env' } },
      { name: 'web', url: web.url, headers: { authorization: 'Bearer mcp-header-secret' } },
      { name: 'broken', command: join(tmpdir(), 'no-such-mcp-server') },
    ];
    harness = await startTestAgent({ LLM_PROVIDER: 'openai', MCP_SERVERS: JSON.stringify(servers) }, { respond });
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
    await web?.close();
    const log = harness.logs.join('');
    expect(log).not.toContain('mcp-header-secret');
    expect(log).not.toContain('sk-mcp-env');
  });

  it('lists both servers at start, namespaced, and reports the one that cannot start; the agent serves', async () => {
    const log = harness.logs.join('');
    expect(log).toMatch(/MCP server fx: \d+ tools/);
    expect(log).toMatch(/MCP server web: \d+ tools/);
    expect(log).toMatch(/could not connect to the MCP server \\"broken\\".*the agent serves without its tools/);
    expect((await fetch(`${harness.agent.url}/healthz`)).status).toBe(200);
    harness.upstream.reset();
    await chatEvents(harness, 'hello');
    const [sent] = await harness.upstream.waitForRequests(1);
    const names = offered(sent as RecordedRequest);
    expect(names).toEqual(expect.arrayContaining(['fx__echo', 'fx__sum', 'web__weather', 'web__files_read']));
    expect(names.some((name) => name.startsWith('broken'))).toBe(false);
  });

  it('runs a stdio tool and an HTTP tool: text and structured results go back to the model', async () => {
    const sum = await chatEvents(harness, 'call fx__sum {"a":2,"b":3}');
    expect(ofType(sum, 'tool-result')).toEqual([expect.objectContaining({ name: 'fx__sum', output: '5' })]);
    expect(textOf(sum)).toBe('result: "5"');
    const weather = await chatEvents(harness, 'call web__weather {"city":"Paris"}');
    expect(ofType(weather, 'tool-result')[0]).toMatchObject({ output: { city: 'Paris', celsius: 21 } });
    expect(textOf(weather)).toContain('celsius');
    const image = await chatEvents(harness, 'call web__chart {}');
    expect(JSON.stringify(ofType(image, 'tool-result')[0]?.output)).toContain('image/png');
  });

  it('arguments the server schema refuses are an invalid-arguments result, the server is not called', async () => {
    const events = await chatEvents(harness, 'call fx__sum {"a":"two","b":3}');
    expect(ofType(events, 'tool-result')[0]).toMatchObject({ error: { kind: 'invalid-arguments' } });
    expect(events.at(-1)?.type).toBe('done');
  });

  it('a client that leaves aborts the running MCP call: the server sees its request cancelled', async () => {
    const before = Number(ofType(await chatEvents(harness, 'call fx__cancellations {}'), 'tool-result')[0]?.output);
    const controller = new AbortController();
    const response = await postJson(
      `${harness.agent.url}/chat`,
      { message: 'call fx__slow {}' },
      {},
      controller.signal,
    );
    await readSse(response, (event) => (event.data as AgentEvent).type === 'tool-call-ready');
    controller.abort();
    await expect
      .poll(
        async () =>
          Number(ofType(await chatEvents(harness, 'call fx__cancellations {}'), 'tool-result')[0]?.output) - before,
        { timeout: 5_000 },
      )
      .toBe(1);
  });

  it('a changed tool list (list_changed) is picked up by the next generation', async () => {
    await chatEvents(harness, 'call web__add_tool {}');
    await expect.poll(() => harness.logs.join('')).toMatch(/MCP server web: tools changed/);
    harness.upstream.reset();
    await chatEvents(harness, 'hello');
    const [sent] = await harness.upstream.waitForRequests(1);
    expect(offered(sent as RecordedRequest)).toContain('web__extra');
  });

  it('a server that dies mid-call: the call fails with a clear error, its tools go, the agent serves on', async () => {
    const events = await chatEvents(harness, 'call fx__die {}');
    const [result] = ofType(events, 'tool-result');
    expect(result?.error?.kind).toBe('execution');
    expect(result?.error?.message).toContain('"fx"');
    expect(events.at(-1)?.type).toBe('done');
    await expect.poll(() => harness.logs.join('')).toMatch(/MCP server fx is gone/);
    harness.upstream.reset();
    const after = await chatEvents(harness, 'call web__echo {"text":"still here"}');
    expect(textOf(after)).toBe('result: "still here"');
    const [sent] = await harness.upstream.waitForRequests(1);
    expect(offered(sent as RecordedRequest).some((name) => name.startsWith('fx__'))).toBe(false);
  });
});

describe('MCP_SERVERS configuration', () => {
  const stdio = { command: 'node', args: ['server.js'] };

  it('takes a list, an object by name, the mcpServers layout, or a JSON file', () => {
    expect(loadConfig({}).mcpServers).toEqual([]);
    expect(loadConfig({ MCP_SERVERS: JSON.stringify([{ name: 'a', ...stdio }]) }).mcpServers).toEqual([
      { name: 'a', ...stdio },
    ]);
    expect(
      loadConfig({ MCP_SERVERS: JSON.stringify({ a: stdio, b: { url: 'http://127.0.0.1:1/mcp' } }) }).mcpServers,
    ).toEqual([
      { name: 'a', ...stdio },
      { name: 'b', url: 'http://127.0.0.1:1/mcp' },
    ]);
    const file = join(mkdtempSync(join(tmpdir(), 'rxllm-mcp-')), 'mcp.json');
    writeFileSync(file, JSON.stringify({ mcpServers: { a: stdio } }));
    expect(loadConfig({ MCP_SERVERS: file }).mcpServers).toEqual([{ name: 'a', ...stdio }]);
  });

  it('refuses what is not a server list, naming the server and the field, never a header or env value', () => {
    const refused = (value: string) => {
      try {
        loadConfig({ MCP_SERVERS: value });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error(`accepted ${value}`);
    };
    expect(refused('[{"name":"a"')).toMatch(/MCP_SERVERS: not valid JSON/);
    expect(refused(join(tmpdir(), 'no-such-mcp.json'))).toMatch(/MCP_SERVERS: cannot read the file .*ENOENT/);
    const numberFile = join(mkdtempSync(join(tmpdir(), 'rxllm-mcp-')), 'mcp.json');
    writeFileSync(numberFile, '42');
    expect(refused(numberFile)).toMatch(/MCP_SERVERS: expected a JSON list/);
    expect(refused('{"mcpServers":[]}')).toMatch(/"mcpServers" must be an object/);
    expect(
      refused(JSON.stringify([{ name: 'a', url: 'ftp://x', headers: { authorization: 'Bearer hdr-secret' } }])),
    ).toMatch(/"a".*url/);
    expect(
      refused(JSON.stringify([{ name: 'a', url: 'ftp://x', headers: { authorization: 'Bearer hdr-secret' } }])),
    ).not.toContain('hdr-secret');
    expect(refused(JSON.stringify({ a: { ...stdio, env: { TOKEN: 5 } } }))).toMatch(/"a".*env/);
    expect(
      refused(
        JSON.stringify([
          { name: 'a', ...stdio },
          { name: 'a', url: 'http://h/mcp' },
        ]),
      ),
    ).toMatch(/two servers are named a/);
    expect(refused(JSON.stringify([{ name: 'a.b', ...stdio }]))).toMatch(/name/);
  });
});
