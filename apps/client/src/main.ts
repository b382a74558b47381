#!/usr/bin/env node
import { runClient } from './run-client.js';
import { createTerminalAsk } from './tool-approval.js';

const controller = new AbortController();
let stdoutClosed = false;
process.on('SIGINT', () => {
  // A second Ctrl-C while the cancellation is under way exits at once.
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
});
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  // `rxllm … | head` closes the pipe early: stop the request quietly. The client still cancels the generation
  // (a resumable agent would otherwise keep generating for its grace period); that is bounded, and so is this.
  if (stdoutClosed) return;
  stdoutClosed = true;
  controller.abort();
  setTimeout(() => process.exit(0), 3000).unref();
});

const code = await runClient({
  argv: process.argv.slice(2),
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: {
    write: (text: string) => stdoutClosed || process.stderr.write(text),
    once: (event: 'drain', listener: () => void) => process.stderr.once(event, listener),
    isTTY: process.stderr.isTTY,
    columns: process.stderr.columns,
  },
  signal: controller.signal,
  // Tool approvals are asked on the terminal; with stdin piped or redirected there is nobody to ask.
  ask: process.stdin.isTTY ? createTerminalAsk(process.stdin, process.stderr) : undefined,
});
// Exit explicitly once output is flushed: idle keep-alive sockets must not hold the process open.
if (stdoutClosed) process.exit(0);
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
