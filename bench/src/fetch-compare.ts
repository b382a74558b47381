import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { forkWorker } from './processes.js';
import { fixed } from './statistics.js';

/**
 * `node dist/fetch-compare.js [--streams=2000]`: CPU per 32-event upstream stream (concurrency 10, the bench upstream in
 * its own process) for the ways a gateway can make its upstream request: the platform `fetch`, and undici's `request`
 * with the body handed on as a web `Response` (what `apps/agent`'s upstream fetch does), through `Readable.toWeb`,
 * or read as the Node stream it is. Each body is read to its end.
 */

const argument = (name: string, fallback: string) =>
  process.argv.find((entry) => entry.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const streams = Number(argument('streams', '2000'));
const concurrency = 10;

const here = dirname(fileURLToPath(import.meta.url));
const upstream = forkWorker(join(here, 'upstream-process.js'), { label: 'upstream' });
const url = `${String((await upstream.ready).url)}/v1/chat/completions`;
const body = JSON.stringify({ model: 'bench-32-0', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
const headers = { 'content-type': 'application/json', authorization: 'Bearer bench' };
const pool = new Agent();

async function drain(response: Response): Promise<void> {
  const reader = response.body!.getReader();
  while (!(await reader.read()).done);
}
const post = () => request(url, { method: 'POST', body, headers, dispatcher: pool });

const variants: Record<string, () => Promise<void>> = {
  'platform fetch': async () => drain(await fetch(url, { method: 'POST', body, headers })),
  'undici request → new Response(Readable.toWeb(body))': async () => {
    const response = await post();
    await drain(new Response(Readable.toWeb(response.body) as ReadableStream<Uint8Array>, { status: 200 }));
  },
  'undici request → new Response(body) (apps/agent upstream fetch)': async () => {
    const response = await post();
    await drain(new Response(response.body as unknown as ReadableStream<Uint8Array>, { status: 200 }));
  },
  'undici request, Node stream read directly': async () => {
    const response = await post();
    for await (const _ of response.body);
  },
};

try {
  for (const [label, run] of Object.entries(variants)) {
    for (let warm = 0; warm < 300; warm += 1) await run();
    let started = 0;
    const before = process.cpuUsage();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (started < streams) {
          started += 1;
          await run();
        }
      }),
    );
    const cpu = process.cpuUsage(before);
    console.log(`${fixed((cpu.user + cpu.system) / 1000 / streams, 3)} ms CPU per stream  ${label}`);
  }
} finally {
  await pool.close();
  await upstream.stop();
}
