#!/usr/bin/env node
import { startAgent } from './app/start-agent.js';
import { ConfigError } from './config.js';
import { flushLogs } from './observability/logger.js';
import { prettyLogStream } from './observability/pretty-log-stream.js';

// The executable: `pnpm start` at the repository root, or `node apps/agent/dist/main.js`.
try {
  // People read a terminal; machines read JSON (LOG_FORMAT=json, or whenever stdout is not a TTY).
  const pretty = process.stdout.isTTY === true && process.env.LOG_FORMAT !== 'json';
  const agent = await startAgent(pretty ? { logStream: prettyLogStream(1) } : {});
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      // A second Ctrl-C means "now".
      flushLogs(agent.logger);
      process.exit(130);
    }
    stopping = true;
    agent.logger.info(`Received ${signal}`);
    // The log destination is asynchronous: write out its last lines before exiting.
    agent.shutdown().then(
      () => {
        flushLogs(agent.logger);
        process.exit(0);
      },
      () => {
        flushLogs(agent.logger);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
} catch (error) {
  if (error instanceof ConfigError || (error instanceof Error && error.name === 'RegistryError')) {
    process.stderr.write(`rxllm agent: ${error.message}\n`);
    process.exit(1);
  }
  const code = (error as { code?: unknown }).code;
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    process.stderr.write(`rxllm agent: cannot listen (${code}): choose another port with PORT=…\n`);
    process.exit(1);
  }
  throw error;
}
