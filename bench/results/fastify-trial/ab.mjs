// Paired A/B of the two agent builds under one load client and one upstream: both agents run side by side, the
// load alternates between them every 1.5 s (ABBA order), so drift from other work on the 2 cores hits both alike.
// Usage: node ab.mjs [rounds], with NH and FA set to two checkouts whose agent and bench are built
import { join } from 'node:path';
const NH = '/work/trial-nodehttp';
const FA = '/work/trial-fastify';
const { forkWorker, processCpuMs, freePort, spawnProgram, waitForHttp } = await import(`${NH}/bench/dist/processes.js`);
const { modelFor } = await import(`${NH}/bench/dist/wire.js`);
const rounds = Number(process.argv[2] ?? 8);
const SHORT = { textEvents: 32, delayMs: 0 };
const model = modelFor(SHORT);
const upstream = forkWorker(join(NH, 'bench/dist/upstream-process.js'), { label: 'upstream' });
const client = forkWorker(join(NH, 'bench/dist/load-client.js'), { label: 'client' });
const upstreamUrl = String((await upstream.ready).url);
await client.ready;
async function agent(tree) {
  const port = await freePort();
  const child = spawnProgram(process.execPath, [join(tree, 'apps/agent/dist/main.js')], {
    label: tree,
    env: {
      PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', LLM_PROVIDER: 'openai',
      OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: `${upstreamUrl}/v1`, OPENAI_MODEL: model, OPENAI_MODELS: model,
    },
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(`${origin}/healthz`);
  return { origin, pid: child.pid, stop: child.stop };
}
const agents = { nodehttp: await agent(NH), fastify: await agent(FA) };
const routes = {
  openai: { path: '/v1/chat/completions', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Say something.' }], stream: true }) },
  chat: { path: '/chat', headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ message: 'Say something.', provider: 'openai', model }) },
};
const results = [];
async function measure(variant, route, concurrency) {
  const target = agents[variant];
  const before = processCpuMs(target.pid);
  const run = await client.call('run', { origin: target.origin, ...routes[route], concurrency, durationMs: 1500, warmupStreams: concurrency * 5 }, 60_000);
  const cpu = processCpuMs(target.pid) - before;
  return { variant, route, concurrency, cpuMsPerStream: cpu / Math.max(1, run.completed + concurrency * 5), ttftP50Ms: run.ttftP50Ms, ttftP99Ms: run.ttftP99Ms, streamsPerSecond: run.streamsPerSecond, failed: run.failed };
}
// Warm both up.
for (const variant of ['nodehttp', 'fastify']) for (const route of ['openai', 'chat']) await measure(variant, route, 10);
for (let round = 0; round < rounds; round += 1) {
  const order = round % 2 === 0 ? ['nodehttp', 'fastify'] : ['fastify', 'nodehttp'];
  for (const route of ['openai', 'chat']) for (const concurrency of [1, 10]) for (const variant of order) {
    const r = await measure(variant, route, concurrency);
    results.push({ round, ...r });
  }
  console.error(`round ${round + 1}/${rounds} done`);
}
await agents.nodehttp.stop(); await agents.fastify.stop(); await client.stop(); await upstream.stop();
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
console.log('| route | c | metric | node:http median | fastify median | median of paired ratios |');
console.log('|---|---|---|---|---|---|');
for (const route of ['openai', 'chat']) for (const concurrency of [1, 10]) for (const metric of ['cpuMsPerStream', 'ttftP50Ms', 'ttftP99Ms', 'streamsPerSecond']) {
  const pick = (v) => results.filter((r) => r.route === route && r.concurrency === concurrency && r.variant === v);
  const a = pick('nodehttp'), b = pick('fastify');
  const ratios = a.map((x, i) => b[i][metric] / x[metric]);
  console.log(`| ${route} | ${concurrency} | ${metric} | ${median(a.map((x) => x[metric])).toFixed(3)} | ${median(b.map((x) => x[metric])).toFixed(3)} | ${median(ratios).toFixed(3)} |`);
}
console.log(JSON.stringify(results));
