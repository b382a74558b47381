#!/usr/bin/env node
import { runClient } from './run-client.js';

const controller = new AbortController();
process.on('SIGINT', () => {
  // A second Ctrl-C while the cancellation is under way exits at once.
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
});
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  // `rxllm … | head` closes the pipe early: stop the request quietly.
  if (error.code === 'EPIPE') {
    controller.abort();
    process.exit(0);
  }
  throw error;
});

const code = await runClient({
  argv: process.argv.slice(2),
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
});
// Exit explicitly once output is flushed: idle keep-alive sockets must not hold the process open.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
