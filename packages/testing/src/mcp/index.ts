import { fileURLToPath } from 'node:url';

export type { FixtureState } from './fixture-tools.js';
export { PIXEL_PNG, registerFixtureTools } from './fixture-tools.js';
export type { HttpMcpServer, Serving } from './http-server.js';
export { startHttpMcpServer } from './http-server.js';

/**
 * The path of the kit's stdio MCP server (the fixture tools, plus `secret` and `die`): run it with the node that
 * runs the tests.
 *
 * @example
 * ```ts
 * await connectMcpServer({ name: 'fx', command: process.execPath, args: [MCP_STDIO_FIXTURE] });
 * ```
 */
export const MCP_STDIO_FIXTURE = fileURLToPath(new URL('./stdio-server.js', import.meta.url));
