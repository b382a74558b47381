// A real MCP server over stdio, run as a child process by the tests: `node <MCP_STDIO_FIXTURE>` (see index.ts).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { registerFixtureTools } from './fixture-tools.js';

const server = new McpServer({ name: 'fixture-stdio', version: '1.0.0' }, { capabilities: { tools: {} } });
registerFixtureTools(server, undefined, { process: true });
await server.connect(new StdioServerTransport());
// The parent closing our stdin (or dying) ends us, whatever a tool is waiting for.
process.stdin.on('end', () => process.exit(0));
