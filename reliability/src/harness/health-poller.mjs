// The `/healthz` prober of the fairness test, in a process of its own: it does nothing but probe, so a reply's latency
// is the agent's (and the machine's), never the test process's own event loop, busy with the mock and 100 clients.
// argv: the agent URL and the pause between a reply and the next probe (ms). On an IPC `stop` it sends back every
// probe `{ status, latencyMs }` and exits. A warm-up probe before `ready` is not reported.
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const [agentUrl, intervalText] = process.argv.slice(2);
const intervalMs = Number(intervalText);
const timeoutMs = 5_000;
const probes = [];
let running = true;

/** One `GET /healthz` on a fresh connection (as a load balancer or kubelet probes). */
function probe() {
  const started = performance.now();
  return new Promise((resolve) => {
    const done = (status) => resolve({ status, latencyMs: performance.now() - started });
    const outgoing = request(`${agentUrl}/healthz`, { agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      response.once('end', () => done(response.statusCode ?? 0));
    });
    outgoing.once('timeout', () => outgoing.destroy(new Error('timeout')));
    outgoing.once('error', () => done(0));
    outgoing.end();
  });
}

process.on('message', (message) => {
  if (message?.type === 'stop') running = false;
});
// The first request in a fresh process loads and compiles Node's HTTP client: 130–180 ms measured here, which is the
// poller's own start-up, not the agent's latency. One probe before `ready`, not counted.
await probe();
process.send({ type: 'ready' });
while (running) {
  probes.push(await probe());
  await sleep(intervalMs);
}
process.send({ type: 'probes', probes }, () => process.exit(0));
