import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_API_KEY, startAgent } from './gateway-subjects.js';
import type { LoadResult } from './load-client.js';
import { forkWorker, processCpuMs } from './processes.js';
import { fixed } from './statistics.js';
import { modelFor } from './wire.js';

/**
 * `node dist/profile.js [--route=chat|openai] [--events=32] [--concurrency=10] [--seconds=5]`: runs the agent under
 * `--cpu-prof` behind the bench load, then prints the functions with the most self time and the heaviest
 * inclusive frames of the agent's own code. The `.cpuprofile` stays in `bench/results/profiles/` (not committed).
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const argument = (name: string, fallback: string) =>
  process.argv.find((entry) => entry.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

const route = argument('route', 'chat');
const textEvents = Number(argument('events', '32'));
const concurrency = Number(argument('concurrency', '10'));
const seconds = Number(argument('seconds', '5'));
const here = dirname(fileURLToPath(import.meta.url));
const profileDirectory = join(here, '..', 'results', 'profiles', `${route}-${Date.now()}`);
mkdirSync(profileDirectory, { recursive: true });

const shape = { textEvents, delayMs: 0 };
const upstream = forkWorker(join(here, 'upstream-process.js'), { label: 'upstream' });
const client = forkWorker(join(here, 'load-client.js'), { label: 'load client' });
const upstreamUrl = String((await upstream.ready).url);
await client.ready;
const agent = await startAgent(upstreamUrl, [modelFor(shape)], ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`]);
const { origin } = agent;
try {
  const request =
    route === 'chat'
      ? {
          path: '/chat',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
          body: JSON.stringify({ message: 'Say something.', model: modelFor(shape) }),
        }
      : {
          path: '/v1/chat/completions',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_API_KEY}` },
          body: JSON.stringify({ model: modelFor(shape), messages: [{ role: 'user', content: 'Hi' }], stream: true }),
        };
  const cpuBefore = processCpuMs(agent.pid);
  const result = await client.call<LoadResult>('run', {
    origin,
    ...request,
    concurrency,
    durationMs: seconds * 1000,
    warmupStreams: 100,
  });
  const cpuMs = processCpuMs(agent.pid) - cpuBefore;
  console.log(
    `${route}: ${fixed(result.streamsPerSecond, 0)} streams/s, TTFT p50 ${fixed(result.ttftP50Ms, 2)} ms, agent CPU ${fixed(cpuMs / Math.max(1, result.completed), 3)} ms/stream, failed ${result.failed} ${result.firstError ?? ''}`,
  );
} finally {
  await agent.stop();
  await client.stop();
  await upstream.stop();
}

const file = readdirSync(profileDirectory).find((name) => name.endsWith('.cpuprofile'));
if (!file) throw new Error(`no profile written; agent output:\n${agent.output().slice(-2000)}`);
const profile = JSON.parse(readFileSync(join(profileDirectory, file), 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const selfTime = new Map<number, number>();
profile.samples.forEach((id, index) => {
  selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
});
const total = [...selfTime.values()].reduce((sum, value) => sum + value, 0);
const label = (node: ProfileNode) => {
  const url = node.callFrame.url
    .replace(/^file:\/\/.*?node_modules\/\.pnpm\/([^/]+)\/node_modules\//, '$1:')
    .replace(/^file:\/\/\/work\/main\//, '');
  return `${node.callFrame.functionName || '(anonymous)'} ${url}:${node.callFrame.lineNumber + 1}`;
};
const selfByLabel = new Map<string, number>();
const inclusiveByLabel = new Map<string, number>();
for (const [id, time] of selfTime) {
  const node = byId.get(id)!;
  selfByLabel.set(label(node), (selfByLabel.get(label(node)) ?? 0) + time);
  // Inclusive: charge every distinct frame on the stack once.
  const seen = new Set<string>();
  for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
    const frame = label(byId.get(current)!);
    if (seen.has(frame)) continue;
    seen.add(frame);
    inclusiveByLabel.set(frame, (inclusiveByLabel.get(frame) ?? 0) + time);
  }
}
const top = (map: Map<string, number>, count: number, filter: (name: string) => boolean = () => true) =>
  [...map.entries()]
    .filter(([name]) => filter(name))
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, time]) => `${fixed((time / total) * 100, 1).padStart(5)} %  ${name}`)
    .join('\n');
console.log(
  `\nprofile ${join(profileDirectory, file)}, ${fixed(total / 1000, 0)} ms sampled\n\ntop self time:\n${top(selfByLabel, 30)}`,
);
console.log(
  `\ntop inclusive, rxllm code (apps/, packages/):\n${top(inclusiveByLabel, 40, (name) => / (apps|packages)\//.test(name))}`,
);
