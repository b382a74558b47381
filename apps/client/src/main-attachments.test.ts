import { existsSync } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningAgent, startAgent } from '@rxllm/agent';
import { type MockUpstream, mockUpstream, type RecordedRequest } from '@rxllm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, freePort, runCli as run, silent } from './test-cli.js';

// End to end: the built CLI with --image/--file and --json-schema/--object against the real agent in this process.
// Its OpenAI provider talks to the mock upstream (so the test scripts the answer and sees what reached the "vendor");
// `--provider simulated` answers without any upstream.
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const pdf = Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n');
const bookSchema = {
  type: 'object',
  properties: {
    title: { type: 'string' },
    year: { type: 'integer' },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['title', 'year', 'tags'],
  additionalProperties: false,
};
const book = { title: 'Dune — Ürsprung', year: 1965, tags: ['sf', 'desert 🏜️'] };
const bookJson = JSON.stringify(book);
const pieces = (text: string, size: number) =>
  Array.from({ length: Math.ceil(text.length / size) }, (_, index) => text.slice(index * size, (index + 1) * size));

type UpstreamMessage = { role: string; content: unknown };
const upstreamBody = (request: RecordedRequest) =>
  request.body as { messages: UpstreamMessage[]; response_format?: Record<string, unknown> };
const upstreamUserContent = (request: RecordedRequest) =>
  upstreamBody(request)
    .messages.filter((message) => message.role === 'user')
    .at(-1)?.content;
const promptOf = (request: RecordedRequest) => JSON.stringify(upstreamUserContent(request) ?? '');

let dir: string;
const at = (name: string) => join(dir, name);
let mock: MockUpstream;
let agent: RunningAgent;

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm --filter @rxllm/client build\` first`);
  dir = await mkdtemp(join(tmpdir(), 'rxllm-cli-attachments-'));
  await writeFile(at('cat.png'), png);
  await writeFile(at('paper.pdf'), pdf);
  await writeFile(at('notes.md'), '# Notes\nGrüße\n');
  await writeFile(at('blob.bin'), Buffer.from([0, 1, 2, 0xff]));
  await writeFile(at('huge.png'), png);
  await truncate(at('huge.png'), 10 * 1024 * 1024 + 1);
  await writeFile(at('book.json'), JSON.stringify(bookSchema));
  await writeFile(at('broken.json'), '{"type": "object", ');
  await writeFile(at('nonsense.json'), '{"type": "no-such-type"}');
  mock = await mockUpstream({
    respond: (request) => {
      const prompt = promptOf(request);
      // Split every 3 characters so the object streams in as many partials (and UTF-8 characters are cut too).
      if (prompt.includes('book please')) {
        return {
          events: pieces(bookJson, 3).map((text) => ({ type: 'text' as const, text })),
          delivery: { split: 5 },
        };
      }
      if (prompt.includes('wrong shape'))
        return {
          events: [
            { type: 'text', text: '{"title": 42, ' },
            { type: 'text', text: '"year": "soon", "tags": []}' },
          ],
        };
      return undefined;
    },
  });
  agent = await startAgent({
    env: { OPENAI_API_KEY: 'test', LLM_PROVIDER: 'openai', OPENAI_BASE_URL: mock.baseURLs.openai, LOG_LEVEL: 'warn' },
    port: 0,
    host: '127.0.0.1',
    logStream: silent(),
  });
}, 30_000);

afterAll(async () => {
  await agent?.close();
  await mock?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const transports = [
  ['SSE', [] as string[]],
  ['WebSocket', ['--ws']],
] as const;

describe('rxllm --image / --file end to end', () => {
  it.each(transports)('sends the prompt and the attachments as parts over %s', async (_name, flags) => {
    const result = await run([
      '--url',
      agent.url,
      ...flags,
      '--provider',
      'simulated',
      '--image',
      at('cat.png'),
      '--file',
      at('notes.md'),
      'describe it',
    ]);
    expect(result.stderr).toMatch(/Complete: \d+ chunks/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^You said: "describe it" and attached 1 image and 1 file\. This is the simulated/);
  });

  it('gets the exact bytes to the vendor: text first, then the image, then the PDF', async () => {
    const before = mock.requests.length;
    const result = await run(['--url', agent.url, '--image', at('cat.png'), '--file', at('paper.pdf'), 'what is this']);
    expect(result.code).toBe(0);
    const [request] = mock.requests.slice(before);
    const content = upstreamUserContent(request!) as Array<Record<string, unknown>>;
    expect(content).toHaveLength(3);
    expect(content[0]).toEqual({ type: 'text', text: 'what is this' });
    expect(content[1]).toMatchObject({
      type: 'image_url',
      image_url: { url: `data:image/png;base64,${png.toString('base64')}` },
    });
    expect(content[2]).toMatchObject({ type: 'file' });
    expect(JSON.stringify(content[2])).toContain(pdf.toString('base64'));
    expect(JSON.stringify(content[2])).toContain('paper.pdf');
  });

  it('sends an https image URL as a URL, with the prompt read from stdin', async () => {
    const before = mock.requests.length;
    const result = await run(['--url', agent.url, '--image', 'https://images.example/cat.png'], {
      input: 'what is in the picture?\n',
    });
    expect(result.code).toBe(0);
    const content = upstreamUserContent(mock.requests[before]!) as Array<Record<string, unknown>>;
    expect(content).toEqual([
      { type: 'text', text: 'what is in the picture?' },
      expect.objectContaining({
        type: 'image_url',
        image_url: expect.objectContaining({ url: 'https://images.example/cat.png' }),
      }),
    ]);
  });

  it('sends only the attachments when there is no prompt at all', async () => {
    const result = await run(['--url', agent.url, '--provider', 'simulated', '--image', at('cat.png')], { input: '' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^You sent 1 image\. /);
  });

  it.each([
    ['a missing file', '--image', 'no-such.png', /--image .*no-such\.png: no such file/],
    ['a file of no known type', '--file', 'blob.bin', /not a PDF or a UTF-8 text file/],
    ['an image over 10 MiB', '--image', 'huge.png', /over the agent's limit of 10 MiB/],
    ['a PDF given as an image', '--image', 'paper.pdf', /it is a PDF, attach it with --file/],
    ['a schema that is not JSON', '--json-schema', 'broken.json', /--json-schema .*broken\.json: not valid JSON/],
  ])('refuses %s with exit 2, before any request', async (_name, flag, file, message) => {
    // Nothing listens there: a request would have failed with exit 3.
    const url = `http://127.0.0.1:${await freePort()}`;
    const result = await run(['--url', url, flag, at(file), 'hi']);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/^error: usage: /);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });
});

describe('rxllm --json-schema / --object end to end', () => {
  it.each(transports)('prints only the final object, pretty, over %s', async (_name, flags) => {
    const before = mock.requests.length;
    const result = await run(['--url', agent.url, ...flags, '--json-schema', at('book.json'), 'book please']);
    expect(result.stderr).toMatch(/Complete: \d+ chunks/);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${JSON.stringify(book, null, 2)}\n`);
    const format = upstreamBody(mock.requests[before]!).response_format;
    expect(format).toMatchObject({
      type: 'json_schema',
      json_schema: { schema: { properties: bookSchema.properties } },
    });
  });

  it('--object asks for any JSON object (no schema) and prints it', async () => {
    const before = mock.requests.length;
    // OpenAI's JSON mode (the mock too) wants the word "json" in the messages.
    const result = await run(['--url', agent.url, '--object', 'book please, as JSON']);
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${JSON.stringify(book, null, 2)}\n`);
    expect(upstreamBody(mock.requests[before]!).response_format).toEqual({ type: 'json_object' });
  });

  it('--json still prints every event, the partial and complete object events included', async () => {
    const result = await run(['--url', agent.url, '--json', '--json-schema', at('book.json'), 'book please']);
    expect(result.code).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; text?: string; object?: unknown; complete?: boolean });
    expect(events.at(-1)!.type).toBe('done');
    const texts = events.filter((event) => event.type === 'text').map((event) => event.text);
    expect(texts.join('')).toBe(bookJson);
    const objects = events.filter((event) => event.type === 'object');
    expect(objects.length).toBeGreaterThan(2);
    expect(objects.slice(0, -1).every((event) => event.complete === false)).toBe(true);
    expect(objects.at(-1)).toEqual({ type: 'object', object: book, complete: true });
  });

  it.each(transports)(
    'exits 1 with invalid-output when the answer does not match the schema (%s)',
    async (_name, flags) => {
      const result = await run(['--url', agent.url, ...flags, '--json-schema', at('book.json'), 'wrong shape']);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^error: invalid-output: the object does not match the schema/m);
      expect(result.stderr).toContain('rerun with --json to see its text');
    },
  );

  it('exits 1 with the agent naming the field when it cannot use the schema', async () => {
    const result = await run(['--url', agent.url, '--json-schema', at('nonsense.json'), 'hi']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: invalid-request: .*responseFormat\.schema/m);
  });

  it('works with the simulated provider, which answers in the schema’s shape', async () => {
    const result = await run([
      '--url',
      agent.url,
      '--ws',
      '--provider',
      'simulated',
      '--json-schema',
      at('book.json'),
      'x',
    ]);
    expect(result.code).toBe(0);
    const object = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(object).sort()).toEqual(['tags', 'title', 'year']);
    expect(typeof object.title).toBe('string');
    expect(Number.isInteger(object.year)).toBe(true);
    expect(result.stdout).toBe(`${JSON.stringify(object, null, 2)}\n`);
  });
});
