import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { type MockUpstream, mockUpstream } from '@rxllm/testing';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../index.js';
import { launchChromium, type TestBrowser } from '../test-chromium.js';

// A page served from a second origin, in a real Chromium, tries what a malicious site would do with an agent on
// localhost: the CORS "simple" text/plain POST (no preflight), a JSON POST, a beacon and a WebSocket. The mock
// upstream's request log proves nothing started. A page from an origin in ALLOWED_ORIGINS is the control: the same
// JSON POST from it does reach the upstream, so the test would see an attack that got through.

/** The attack, run in the page: every attempt's outcome as text. */
function attackPage(agentUrl: string): string {
  const script = `
    const agent = ${JSON.stringify(agentUrl)};
    const body = JSON.stringify({ message: 'spend the key' });
    const completions = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'spend' }], stream: true });
    const outcome = (promise) => promise.then((r) => 'status ' + r.status + (r.type === 'opaque' ? ' (opaque)' : ''), (e) => 'refused: ' + e.name);
    window.attack = async () => ({
      plainChat: await outcome(fetch(agent + '/chat', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body })),
      plainCompletions: await outcome(fetch(agent + '/v1/chat/completions', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: completions })),
      jsonChat: await outcome(fetch(agent + '/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body })),
      beacon: String(navigator.sendBeacon(agent + '/chat', new Blob([body], { type: 'text/plain' }))),
      models: await outcome(fetch(agent + '/v1/models').then((r) => r.text().then(() => r))),
      websocket: await new Promise((resolve) => {
        const socket = new WebSocket(agent.replace('http', 'ws') + '/ws', 'rxllm');
        socket.onopen = () => { socket.send(JSON.stringify({ type: 'chat', message: 'spend the key' })); setTimeout(() => resolve('open'), 500); };
        socket.onclose = (event) => resolve('closed ' + event.code);
      }),
    });
    window.jsonOnly = () => outcome(fetch(agent + '/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.text().then(() => r)));
  `;
  return `<!doctype html><html><head><title>elsewhere</title></head><body><script>${script}</script></body></html>`;
}

function servePage(html: () => string): Promise<Server> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(html());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;
let upstream: MockUpstream;
let agent: RunningAgent;
let foreign: Server;
let listed: Server;
let context: BrowserContext;
let browser: TestBrowser;

beforeAll(async () => {
  upstream = await mockUpstream();
  foreign = await servePage(() => attackPage(agent.url));
  listed = await servePage(() => attackPage(agent.url));
  agent = await startAgent({
    env: {
      OPENAI_API_KEY: 'sk-test-browser-security',
      LLM_PROVIDER: 'openai',
      OPENAI_BASE_URL: upstream.baseURLs.openai,
      ALLOWED_ORIGINS: `http://127.0.0.1:${portOf(listed)}`,
      LOG_LEVEL: 'warn',
    },
    port: 0,
    host: '127.0.0.1',
    logStream: new Writable({ write: (_chunk, _encoding, callback) => callback() }),
  });
  // DNS rebinding without a DNS server: this name resolves to loopback, as a rebound attacker's name would.
  browser = await launchChromium({ args: ['--host-resolver-rules=MAP rebound.attacker.test 127.0.0.1'] });
  context = browser.context;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await agent?.close();
  await upstream?.close();
  await new Promise((resolve) => foreign?.close(resolve));
  await new Promise((resolve) => listed?.close(resolve));
});

describe('a page on another origin, in Chromium', () => {
  it('cannot start a generation: text/plain POST, JSON POST, beacon and WebSocket all stop at the agent', async () => {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${portOf(foreign)}/`);
    const results = (await page.evaluate('window.attack()')) as Record<string, string>;
    await page.close();
    // The simple requests reach the agent and get 403 (opaque to the page); the JSON POST dies at its preflight.
    expect(results).toMatchObject({
      plainChat: 'status 0 (opaque)',
      plainCompletions: 'status 0 (opaque)',
      jsonChat: 'refused: TypeError',
      beacon: 'true',
      models: 'refused: TypeError',
    });
    expect(results.websocket).toMatch(/^closed 10\d\d$/);
    // Give a beacon (sent in the background) time to arrive, then: nothing reached the upstream.
    const metrics = async () => (await fetch(`${agent.url}/metrics`)).text();
    const refusals = (text: string) =>
      [...text.matchAll(/rxllm_agent_http_requests_total\{[^}]*status="(403|415)"[^}]*\} (\d+)/g)].reduce(
        (sum, match) => sum + Number(match[2]),
        0,
      );
    for (let attempt = 0; attempt < 50 && refusals(await metrics()) < 4; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(refusals(await metrics())).toBeGreaterThanOrEqual(4);
    expect(upstream.requests).toHaveLength(0);
  });

  it('a page from an origin in ALLOWED_ORIGINS can (the control)', async () => {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${portOf(listed)}/`);
    expect(await page.evaluate('window.jsonOnly()')).toBe('status 200');
    await page.close();
    expect(upstream.requests).toHaveLength(1);
  });

  it('cannot read the agent through a rebound DNS name: 421', async () => {
    const page = await context.newPage();
    const response = await page.goto(`http://rebound.attacker.test:${agent.port}/v1/models`);
    expect(response?.status()).toBe(421);
    expect(await page.textContent('body')).toContain('ALLOWED_HOSTS');
    await page.close();
  });
});
