// The agent as a child process for the load, cancellation, hostile-client and soak tests: the real `startAgent`,
// plus an IPC channel that reports what only the agent's own process can measure (event-loop delay, memory, fds).
import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { startAgent } from '@rxllm/agent';

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();
const agent = await startAgent({ env: process.env, port: 0, host: '127.0.0.1' });

const milliseconds = (nanoseconds) => Math.round((nanoseconds / 1e6) * 100) / 100;
const openFds = () => {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return -1;
  }
};

process.on('message', (message) => {
  if (message?.type === 'stats') {
    if (message.gc && typeof globalThis.gc === 'function') {
      globalThis.gc();
      globalThis.gc();
    }
    const resources = {};
    for (const name of process.getActiveResourcesInfo()) resources[name] = (resources[name] ?? 0) + 1;
    process.send({
      type: 'stats',
      id: message.id,
      eventLoopDelayMs: {
        p50: milliseconds(histogram.percentile(50)),
        p99: milliseconds(histogram.percentile(99)),
        max: milliseconds(histogram.max),
        mean: milliseconds(histogram.mean),
      },
      memory: process.memoryUsage(),
      openFds: openFds(),
      resources,
    });
  } else if (message?.type === 'block') {
    // A busy agent, on demand: the event loop does nothing else for `ms` (what arrives meanwhile waits in the kernel).
    const until = performance.now() + message.ms;
    while (performance.now() < until);
    process.send({ type: 'blocked', id: message.id });
  } else if (message?.type === 'reset-event-loop-delay') {
    histogram.reset();
    process.send({ type: 'reset', id: message.id });
  }
});
process.on('SIGTERM', () => {
  agent.shutdown().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
process.send({ type: 'listening', url: agent.url, port: agent.port });
