// The tools of the test MCP servers (stdio and streamable HTTP), registered on a real McpServer of the SDK.
import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/** What the fixture tools count: calls of `echo`, `sum` and `slow`, and `slow` calls that were cancelled. */
export interface FixtureState {
  calls: number;
  cancellations: number;
}

/** A 1×1 PNG, base64: what the `chart` tool returns as its image. */
export const PIXEL_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });

/**
 * Registers the fixture tools on a real `McpServer`: `echo`, `weather` (structured), `chart` (text, image, resource
 * link), `lines`, `fail` (`isError`), `sum`, `files.read` (a dotted name), `slow` (answers when cancelled),
 * `cancellations`, `add_tool` / `remove_tool` (a `list_changed`), and with `process`, `secret` (its
 * `FIXTURE_SECRET`) and `die` (exits mid-call). `state` counts calls and cancellations.
 *
 * @example
 * ```ts
 * const server = new McpServer({ name: 'fixture', version: '1.0.0' }, { capabilities: { tools: {} } });
 * registerFixtureTools(server);
 * ```
 */
export function registerFixtureTools(
  server: McpServer,
  state: FixtureState = { calls: 0, cancellations: 0 },
  options: { process?: boolean } = {},
): void {
  server.registerTool(
    'echo',
    { description: 'Echoes the text', inputSchema: { text: z.string() } },
    ({ text: value }) => {
      state.calls += 1;
      return text(value);
    },
  );
  server.registerTool(
    'weather',
    {
      description: 'The current weather in a city',
      inputSchema: { city: z.string() },
      outputSchema: { city: z.string(), celsius: z.number() },
    },
    ({ city }) => {
      const structuredContent = { city, celsius: city === 'Paris' ? 21 : 4 };
      return { content: [{ type: 'text', text: JSON.stringify(structuredContent) }], structuredContent };
    },
  );
  server.registerTool('chart', { description: 'A chart', inputSchema: {} }, () => ({
    content: [
      { type: 'text', text: 'The chart:' },
      { type: 'image', data: PIXEL_PNG, mimeType: 'image/png' },
      { type: 'resource_link', uri: 'file:///charts/1.png', name: 'chart-1' },
    ],
  }));
  server.registerTool('lines', { description: 'Two text blocks', inputSchema: {} }, () => ({
    content: [
      { type: 'text', text: 'first' },
      { type: 'text', text: 'second' },
    ],
  }));
  server.registerTool('fail', { description: 'Always fails', inputSchema: {} }, () => ({
    ...text('the fuse was short'),
    isError: true,
  }));
  server.registerTool(
    'sum',
    { description: 'Adds two integers', inputSchema: { a: z.number().int(), b: z.number().int() } },
    ({ a, b }) => {
      state.calls += 1;
      return text(String(a + b));
    },
  );
  server.registerTool('files.read', { description: 'A tool whose name has a dot', inputSchema: {} }, () =>
    text('contents'),
  );
  // Answers only when cancelled (or after 30 s, so that a broken test cannot keep the server forever).
  server.registerTool('slow', { description: 'Waits to be cancelled', inputSchema: {} }, (_args, extra) => {
    state.calls += 1;
    return new Promise<CallToolResult>((resolve) => {
      const timer = setTimeout(() => resolve(text('not cancelled')), 30_000);
      const cancelled = () => {
        clearTimeout(timer);
        state.cancellations += 1;
        resolve(text('cancelled'));
      };
      // The cancellation may have come in before the handler ran (the SDK validates the arguments first).
      if (extra.signal.aborted) cancelled();
      else extra.signal.addEventListener('abort', cancelled);
    });
  });
  server.registerTool('cancellations', { description: 'How many slow calls were cancelled', inputSchema: {} }, () =>
    text(String(state.cancellations)),
  );
  let added: RegisteredTool | undefined;
  server.registerTool('add_tool', { description: 'Registers the tool "extra"', inputSchema: {} }, () => {
    added ??= server.registerTool('extra', { description: 'Added later', inputSchema: {} }, () => text('extra'));
    return text('added');
  });
  server.registerTool('remove_tool', { description: 'Removes the tool "extra"', inputSchema: {} }, () => {
    added?.remove();
    added = undefined;
    return text('removed');
  });
  if (options.process) {
    server.registerTool('secret', { description: 'The FIXTURE_SECRET it was given', inputSchema: {} }, () =>
      text(process.env.FIXTURE_SECRET ?? ''),
    );
    server.registerTool('die', { description: 'Exits in the middle of the call', inputSchema: {} }, () => {
      process.exit(3);
    });
  }
}
