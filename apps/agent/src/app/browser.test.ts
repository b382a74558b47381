import { copyFile, mkdir } from 'node:fs/promises';
import { type AddressInfo, connect, createServer as createNetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type MockScript, type MockUpstream, mockUpstream, type RecordedRequest } from '@rxllm/testing';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../index.js';
import { launchChromium, type TestBrowser } from '../test-chromium.js';

// The chat page in a real Chromium against the real agent and the OpenAI SDK talking to the mock upstream.
const outputDirectory = join(import.meta.dirname, '..', 'test-output');
const readmeScreenshot = join(import.meta.dirname, '..', '..', 'web', 'screenshot.png');

const slowEvents = 200;
const slowScript: MockScript = {
  events: Array.from({ length: slowEvents }, (_, index) => ({ type: 'text' as const, text: `word${index} ` })),
  usage: { inputTokens: 12, outputTokens: slowEvents },
  delivery: { eventDelayMs: 20 },
};

const markdownScript: MockScript = {
  events: [
    { type: 'reasoning', text: 'The person wants to see Markdown.' },
    { type: 'text', text: 'Here is **bold** and `code`.\n\n' },
    { type: 'text', text: 'Injected: <img src=x onerror="window.__pwned=1"> ' },
    { type: 'text', text: '[click me](javascript:window.__pwned=2)\n\n' },
    { type: 'text', text: '<script>window.__pwned=3</script>\n\n' },
    { type: 'text', text: '- first **item**\n- second item\n\n' },
    { type: 'text', text: '```ts\nconst answer = 42;\n```\n' },
    { type: 'tool-call', id: 'call_1', name: 'lookup', argumentFragments: ['{"q":', '"rxjs"}'] },
  ],
  usage: { inputTokens: 30, outputTokens: 40 },
};

const rateLimitedScript: MockScript = { httpError: { status: 429, message: 'Rate limit reached for requests' } };
const failingMidwayScript: MockScript = {
  events: [
    { type: 'text', text: 'Partial answer ' },
    { type: 'text', text: 'before the failure' },
    { type: 'error', status: 500, message: 'The server had an error while processing your request' },
  ],
};
const continuationScript: MockScript = { events: [{ type: 'text', text: ' and the rest.' }] };
const lateStartScript: MockScript = {
  events: [{ type: 'text', text: 'too late' }],
  delivery: { firstByteDelayMs: 3000 },
};
const agentKey = 'agent-key-for-the-browser-test';

function lastUserMessage(request: RecordedRequest): string {
  const messages =
    (request.body as { messages?: Array<{ role: string; content: unknown }> } | undefined)?.messages ?? [];
  const content = messages.filter((message) => message.role === 'user').at(-1)?.content;
  return typeof content === 'string' ? content : JSON.stringify(content ?? '');
}

/** The little of the page's `window` these tests touch (this package compiles without the DOM library). */
interface PageWindow {
  document: {
    getElementById(id: string): { addEventListener(type: string, listener: () => void, options: object): void } | null;
    documentElement: { scrollWidth: number };
    body: unknown;
  };
  getComputedStyle(element: unknown): { backgroundColor: string };
  sessionStorage: { getItem(key: string): string | null };
  stopClickedAt?: number;
  __pwned?: unknown;
}

let mock: MockUpstream;
let agent: RunningAgent;
let lockedAgent: RunningAgent;
let context: BrowserContext;
let page: Page;
let browser: TestBrowser;
const pageProblems: string[] = [];

beforeAll(async () => {
  mock = await mockUpstream({
    respond: (request) => {
      const prompt = lastUserMessage(request);
      if (prompt.includes('markdown')) return markdownScript;
      if (prompt.includes('rate limit')) return rateLimitedScript;
      // The failover test: OpenAI fails midway, Anthropic continues (FALLBACK_AFTER_FIRST_CHUNK=continue).
      if (prompt.includes('fail over'))
        return request.vendor === 'anthropic' ? continuationScript : failingMidwayScript;
      if (prompt.includes('midway')) return failingMidwayScript;
      if (prompt.includes('late start')) return lateStartScript;
      return slowScript;
    },
  });
  const env = {
    OPENAI_API_KEY: 'test',
    LLM_PROVIDER: 'openai',
    OPENAI_BASE_URL: mock.baseURLs.openai,
    LOG_LEVEL: 'warn',
    MAX_RETRIES: '0',
  };
  const silent = () => new Writable({ write: (_chunk, _encoding, callback) => callback() });
  agent = await startAgent({ env, port: 0, host: '127.0.0.1', logStream: silent() });
  lockedAgent = await startAgent({
    env: { ...env, AGENT_API_KEY: agentKey },
    port: 0,
    host: '127.0.0.1',
    logStream: silent(),
  });
  browser = await launchChromium({ viewport: { width: 1200, height: 800 } });
  context = browser.context;
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) pageProblems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') pageProblems.push(`console error: ${message.text()}`);
  });
  await page.goto(agent.url);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await agent?.close();
  await lockedAgent?.close();
  await mock?.close();
});

async function replyText(): Promise<string> {
  return (await page.locator('.message.assistant .content').last().textContent()) ?? '';
}

describe('the chat page in Chromium', () => {
  it('is the built page, with the provider picker filled from /v1/models and a live dashboard', async () => {
    await expect(page.title()).resolves.toBe('rxllm · streaming chat');
    await page.locator('#model optgroup[label="openai"] option').first().waitFor({ state: 'attached', timeout: 5000 });
    await page.locator('#stats-status.live').waitFor({ timeout: 5000 });
    expect(await page.locator('#stat-active').textContent()).toMatch(/^\d+$/);

    // Shift+Enter is a newline, not a send.
    const requestsBefore = mock.requests.length;
    await page.locator('#prompt').fill('first line');
    await page.locator('#prompt').press('Shift+Enter');
    await page.locator('#prompt').pressSequentially('second line');
    expect(await page.locator('#prompt').inputValue()).toBe('first line\nsecond line');
    expect(await page.locator('.message').count()).toBe(0);
    expect(mock.requests.length).toBe(requestsBefore);
    await page.locator('#prompt').fill('');
  });

  it('streams tokens in before the reply ends, and Stop closes the upstream connection', async () => {
    const requestsBefore = mock.requests.length;
    await page.locator('#prompt').fill('Tell me a long story about AI');
    await page.locator('#prompt').press('Enter');

    await page.locator('.message.assistant:last-child .content', { hasText: 'word5 ' }).waitFor({ timeout: 5000 });
    const [upstream] = (await mock.waitForRequests(requestsBefore + 1)).slice(requestsBefore);
    expect(upstream).toBeDefined();
    const early = await replyText();
    // Text is on screen while the upstream response is still being written: streaming, not collect-then-send.
    expect(upstream!.finishedAt).toBeUndefined();
    expect(early).not.toContain(`word${slowEvents - 1}`);
    expect(await page.locator('.message.assistant:last-child .content').getAttribute('aria-busy')).toBe('true');

    // The click's moment as the page saw it (wall clock), so Playwright's own actionability checks are not counted.
    await page.evaluate(() => {
      const window = globalThis as unknown as PageWindow;
      window.document.getElementById('stop')!.addEventListener(
        'click',
        () => {
          window.stopClickedAt = performance.timeOrigin + performance.now();
        },
        { capture: true, once: true },
      );
    });
    const clickRequestedAt = performance.now();
    await page.locator('#stop').click();
    await Promise.race([
      upstream!.closed,
      new Promise((_, reject) => setTimeout(() => reject(new Error('upstream not closed within 2 s of Stop')), 2000)),
    ]);
    const stopClickedAt = await page.evaluate(() => (globalThis as unknown as PageWindow).stopClickedAt);
    expect(stopClickedAt).toBeDefined();
    const closedAtWallClock = performance.timeOrigin + upstream!.closedEarlyAt!;
    const closeLatencyMs = closedAtWallClock - stopClickedAt!;
    console.log(
      `[browser] Stop click (in page) → mock upstream connection closed: ${closeLatencyMs.toFixed(1)} ms ` +
        `(from Playwright's click() call: ${(upstream!.closedEarlyAt! - clickRequestedAt).toFixed(1)} ms)`,
    );
    expect(upstream!.closedEarlyAt).toBeDefined();
    expect(upstream!.finishedAt).toBeUndefined();
    expect(closeLatencyMs).toBeLessThan(500);

    await page.locator('.message.assistant:last-child .metrics', { hasText: 'stopped' }).waitFor({ timeout: 2000 });
    const stoppedText = await replyText();
    await page.waitForTimeout(300);
    expect(await replyText()).toBe(stoppedText);
    expect(stoppedText).not.toContain(`word${slowEvents - 1}`);
    expect(await page.locator('#stop').isDisabled()).toBe(true);
    expect(await page.locator('#send').isEnabled()).toBe(true);
  }, 20_000);

  it('renders a full reply as Markdown with no HTML injected, with its metrics', async () => {
    await page.locator('#prompt').fill('Show me some markdown please');
    await page.locator('#prompt').press('Enter');
    const reply = page.locator('.message.assistant').last();
    await reply.locator('.metrics', { hasText: 'tokens/s' }).waitFor({ timeout: 5000 });
    const content = reply.locator('.content');

    expect(await content.locator('strong').first().textContent()).toBe('bold');
    expect(await content.locator('code').first().textContent()).toBe('code');
    expect(await content.locator('li').count()).toBe(2);
    expect(await content.locator('pre code').textContent()).toBe('const answer = 42;\n');
    expect(await content.locator('img, script, [onerror]').count()).toBe(0);
    expect(await content.locator('a[href^="javascript"]').count()).toBe(0);
    expect(await content.textContent()).toContain('<img src=x onerror="window.__pwned=1">');
    expect(await content.textContent()).toContain('<script>window.__pwned=3</script>');
    expect(await page.evaluate(() => (globalThis as unknown as PageWindow).__pwned)).toBeUndefined();

    // Reasoning is there but collapsed; the tool call's streamed arguments are joined.
    expect(await reply.locator('details.reasoning').isVisible()).toBe(true);
    expect(await reply.locator('details.reasoning').getAttribute('open')).toBeNull();
    expect(await reply.locator('.reasoning-text').textContent()).toBe('The person wants to see Markdown.');
    expect(await reply.locator('.tool-calls').textContent()).toBe('tool call: lookup({"q":"rxjs"})');

    const metrics = (await reply.locator('.metrics').textContent()) ?? '';
    console.log(`[browser] reply metrics: ${metrics}`);
    expect(metrics).toMatch(/TTFT \d+ ms/);
    expect(metrics).toContain('6 chunks');
    expect(metrics).not.toContain('est.');
    expect(await reply.locator('.message-label').textContent()).toMatch(/^openai · /);

    // The conversation is kept client-side: the stopped reply went back with the new question.
    const lastRequest = mock.requests.at(-1)!;
    const roles = ((lastRequest.body as { messages: Array<{ role: string }> }).messages ?? []).map((m) => m.role);
    expect(roles.slice(-3)).toEqual(['user', 'assistant', 'user']);

    await page.locator('#stats-status.live').waitFor({ timeout: 3000 });
    await page.waitForTimeout(1100);
    await mkdir(outputDirectory, { recursive: true });
    const screenshot = join(outputDirectory, 'chat.png');
    await page.screenshot({ path: screenshot });
    console.log(`[browser] screenshot: ${screenshot}`);
    if (process.env.RXLLM_UPDATE_SCREENSHOT === '1') await copyFile(screenshot, readmeScreenshot);

    // Dark scheme on a phone-sized screen: same page, no horizontal scrolling.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.setViewportSize({ width: 390, height: 844 });
    expect(
      await page.evaluate(() => (globalThis as unknown as PageWindow).document.documentElement.scrollWidth),
    ).toBeLessThanOrEqual(390);
    expect(
      await page.evaluate(() => {
        const window = globalThis as unknown as PageWindow;
        return window.getComputedStyle(window.document.body).backgroundColor;
      }),
    ).toBe('rgb(15, 17, 23)');
    await page.screenshot({ path: join(outputDirectory, 'chat-dark-narrow.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1200, height: 800 });

    expect(pageProblems).toEqual([]);
  }, 20_000);
  it('shows an HTTP error inline and keeps the prompt; an error after text keeps the text', async () => {
    await page.locator('#new-chat').click();
    await page.locator('#prompt').fill('Please hit the rate limit');
    await page.locator('#prompt').press('Enter');
    const refused = page.locator('.message.assistant').last();
    await refused.locator('.error').waitFor({ timeout: 5000 });
    expect(await refused.locator('.error').textContent()).toMatch(/^rate-limit: /);
    expect(await refused.locator('.error').getAttribute('role')).toBe('alert');
    // Nothing was answered, so the question goes back into the composer for another try.
    expect(await page.locator('#prompt').inputValue()).toBe('Please hit the rate limit');

    await page.locator('#prompt').fill('Fail midway please');
    await page.locator('#prompt').press('Enter');
    const broken = page.locator('.message.assistant').last();
    await broken.locator('.error').waitFor({ timeout: 5000 });
    expect((await broken.locator('.content').textContent())?.trim()).toBe('Partial answer before the failure');
    expect(await broken.locator('.error').textContent()).toMatch(/^\S+: /);
    expect(await broken.locator('.metrics').textContent()).toContain('2 chunks');
    expect(await page.locator('#send').isEnabled()).toBe(true);
  }, 20_000);

  it('asks for the agent key on 401, keeps it for the tab and sends it as a bearer token', async () => {
    const lockedPage = await context.newPage();
    const refusals: string[] = [];
    lockedPage.on('response', (response) => {
      if (response.status() === 401) refusals.push(response.url());
    });
    try {
      await lockedPage.goto(lockedAgent.url);
      await lockedPage.locator('#api-key-row').waitFor({ state: 'visible', timeout: 5000 });
      // While refused, the page does not keep asking: one refusal each for the models and the stats stream.
      await lockedPage.locator('#stats-status', { hasText: 'needs API key' }).waitFor({ timeout: 5000 });
      await lockedPage.waitForTimeout(2500);
      expect(refusals.sort()).toEqual([`${lockedAgent.url}/stats/stream`, `${lockedAgent.url}/v1/models`]);
      await lockedPage.locator('#api-key').fill(agentKey);
      await lockedPage.locator('#save-key').click();
      await lockedPage
        .locator('#model optgroup[label="openai"] option')
        .first()
        .waitFor({ state: 'attached', timeout: 5000 });
      expect(
        await lockedPage.evaluate(() => (globalThis as unknown as PageWindow).sessionStorage.getItem('rxllm.apiKey')),
      ).toBe(agentKey);
      // The dashboard connects once the key is there.
      await lockedPage.locator('#stats-status.live').waitFor({ timeout: 5000 });

      await lockedPage.locator('#prompt').fill('Show me some markdown please');
      await lockedPage.locator('#prompt').press('Enter');
      const reply = lockedPage.locator('.message.assistant').last();
      await reply.locator('.metrics', { hasText: 'tokens/s' }).waitFor({ timeout: 5000 });
      expect(await reply.locator('.error').count()).toBe(0);
      expect(await reply.locator('.content strong').first().textContent()).toBe('bold');
      // The key never shows up in the page itself.
      expect(await lockedPage.content()).not.toContain(agentKey);
    } finally {
      await lockedPage.close();
    }
  }, 20_000);
  it('Esc stops a streaming reply too', async () => {
    const requestsBefore = mock.requests.length;
    await page.locator('#prompt').fill('Another long story');
    await page.locator('#prompt').press('Enter');
    await page.locator('.message.assistant:last-child .content', { hasText: 'word3 ' }).waitFor({ timeout: 5000 });
    const [upstream] = (await mock.waitForRequests(requestsBefore + 1)).slice(requestsBefore);
    await page.keyboard.press('Escape');
    await page.locator('.message.assistant:last-child .metrics', { hasText: 'stopped' }).waitFor({ timeout: 2000 });
    await upstream!.closed;
    expect(upstream!.closedEarlyAt).toBeDefined();
  }, 20_000);
});

describe('the chat page picks a streaming reply up after a reload', () => {
  let resumableAgent: RunningAgent;
  const fullText = Array.from({ length: slowEvents }, (_, index) => `word${index}`).join(' ');

  beforeAll(async () => {
    resumableAgent = await startAgent({
      env: {
        OPENAI_API_KEY: 'test',
        LLM_PROVIDER: 'openai',
        OPENAI_BASE_URL: mock.baseURLs.openai,
        LOG_LEVEL: 'warn',
        MAX_RETRIES: '0',
        RESUMABLE_STREAMS: 'true',
      },
      port: 0,
      host: '127.0.0.1',
      logStream: new Writable({ write: (_chunk, _encoding, callback) => callback() }),
    });
  });

  afterAll(async () => {
    await resumableAgent?.close();
  });

  /** Sends a prompt for the slow reply and waits until it is streaming; returns its upstream request. */
  async function startSlowReply(tab: Page, prompt: string): Promise<RecordedRequest> {
    const requestsBefore = mock.requests.length;
    await tab.locator('#prompt').fill(prompt);
    await tab.locator('#prompt').press('Enter');
    await tab.locator('.message.assistant:last-child .content', { hasText: 'word5 ' }).waitFor({ timeout: 5000 });
    const [upstream] = (await mock.waitForRequests(requestsBefore + 1)).slice(requestsBefore);
    expect(upstream!.finishedAt).toBeUndefined();
    return upstream!;
  }

  it('with RESUMABLE_STREAMS=true: the reply continues after page.reload() with no gap, no duplicate, one upstream request', async () => {
    const tab = await context.newPage();
    const problems: string[] = [];
    tab.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    tab.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    try {
      await tab.goto(resumableAgent.url);
      const requestsBefore = mock.requests.length;
      await startSlowReply(tab, 'Tell me a long story to resume');
      const shownBeforeReload = (await tab.locator('.message.assistant .content').last().textContent()) ?? '';
      await tab.reload();
      // The restored page shows the conversation at once, with what had streamed so far.
      expect(await tab.locator('.message.user .bubble').allTextContents()).toEqual(['Tell me a long story to resume']);
      const reply = tab.locator('.message.assistant').last();
      await reply.locator('.metrics', { hasText: 'tokens/s' }).waitFor({ timeout: 15_000 });
      const finalText = (await reply.locator('.content').textContent())?.trim();
      expect(finalText).toBe(fullText);
      expect(finalText!.startsWith(shownBeforeReload.trim())).toBe(true);
      expect(shownBeforeReload).not.toContain(`word${slowEvents - 1}`);
      expect(await tab.locator('.message.assistant').count()).toBe(1);
      expect(await reply.locator('.metrics').textContent()).toContain('resumed after a reload');
      expect(await reply.getAttribute('class')).not.toContain('interrupted');
      expect(mock.requests.length - requestsBefore).toBe(1);
      expect(mock.requests[requestsBefore]!.finishedAt).toBeDefined();
      // Nothing is in flight any more; another reload shows the finished conversation and asks the agent nothing.
      const saved = await tab.evaluate(() =>
        (globalThis as unknown as PageWindow).sessionStorage.getItem('rxllm.chat'),
      );
      expect(JSON.parse(saved!)).not.toHaveProperty('inFlight');
      await tab.reload();
      await tab.locator('.message.assistant .metrics', { hasText: 'tokens/s' }).waitFor({ timeout: 5000 });
      expect((await tab.locator('.message.assistant .content').textContent())?.trim()).toBe(fullText);
      expect(mock.requests.length - requestsBefore).toBe(1);
      expect(problems).toEqual([]);
    } finally {
      await tab.close();
    }
  }, 30_000);

  it('with RESUMABLE_STREAMS=true: Stop on a resumed reply cancels it for everyone (the upstream closes)', async () => {
    const tab = await context.newPage();
    try {
      await tab.goto(resumableAgent.url);
      const upstream = await startSlowReply(tab, 'Another story to stop after a reload');
      await tab.reload();
      const reply = tab.locator('.message.assistant').last();
      await reply.locator('.content', { hasText: 'word20 ' }).waitFor({ timeout: 5000 });
      expect(upstream.finishedAt).toBeUndefined();
      const stopAt = performance.now();
      await tab.locator('#stop').click();
      await Promise.race([
        upstream.closed,
        new Promise((_, reject) => setTimeout(() => reject(new Error('upstream not closed 2 s after Stop')), 2000)),
      ]);
      console.log(
        `[browser] resumable agent, Stop on a resumed reply → upstream closed: ${(upstream.closedEarlyAt! - stopAt).toFixed(1)} ms`,
      );
      expect(upstream.closedEarlyAt).toBeDefined();
      expect(upstream.finishedAt).toBeUndefined();
      await reply.locator('.metrics', { hasText: 'stopped' }).waitFor({ timeout: 2000 });
    } finally {
      await tab.close();
    }
  }, 30_000);

  it('with RESUMABLE_STREAMS=true: a dropped connection mid-reply is retried from the last event id', async () => {
    // A pass-through TCP proxy in front of the agent that can reset the connection carrying `POST /chat`, the way a
    // flaky network drops it; every other connection (page, assets, dashboard, the retries) passes untouched.
    const chatSockets = new Set<Socket>();
    const all = new Set<Socket>();
    const proxy = createNetServer((client) => {
      const upstream = connect(resumableAgent.port, '127.0.0.1');
      all.add(client).add(upstream);
      client.on('data', (bytes: Buffer) => {
        if (bytes.includes('POST /chat ')) chatSockets.add(client);
        upstream.write(bytes);
      });
      upstream.pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const tab = await context.newPage();
    const resumeRequests: Array<string | undefined> = [];
    tab.on('request', (request) => {
      if (request.method() === 'GET' && /\/chat\/[0-9a-f-]{36}$/.test(request.url())) {
        resumeRequests.push(request.headers()['last-event-id']);
      }
    });
    try {
      await tab.goto(proxyUrl);
      const requestsBefore = mock.requests.length;
      await startSlowReply(tab, 'A long story over a flaky network');
      expect(chatSockets.size).toBe(1);
      for (const socket of chatSockets) socket.resetAndDestroy();
      const reply = tab.locator('.message.assistant').last();
      await reply.locator('.metrics', { hasText: 'tokens/s' }).waitFor({ timeout: 15_000 });
      expect((await reply.locator('.content').textContent())?.trim()).toBe(fullText);
      expect(await reply.getAttribute('class')).not.toContain('interrupted');
      expect(mock.requests.length - requestsBefore).toBe(1);
      expect(mock.requests[requestsBefore]!.finishedAt).toBeDefined();
      console.log(`[browser] resume requests after the drop, Last-Event-ID: ${resumeRequests.join(', ')}`);
      expect(resumeRequests).toHaveLength(1);
      expect(Number(resumeRequests[0])).toBeGreaterThan(5);
    } finally {
      await tab.close();
      for (const socket of all) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    }
  }, 30_000);

  it('without resumability: a reload leaves the partial reply marked interrupted, and the upstream is closed', async () => {
    const tab = await context.newPage();
    try {
      await tab.goto(agent.url);
      const upstream = await startSlowReply(tab, 'A long story that a reload interrupts');
      await tab.reload();
      await Promise.race([
        upstream.closed,
        new Promise((_, reject) => setTimeout(() => reject(new Error('upstream not closed 2 s after reload')), 2000)),
      ]);
      expect(upstream.closedEarlyAt).toBeDefined();
      expect(upstream.finishedAt).toBeUndefined();
      const reply = tab.locator('.message.assistant').last();
      await reply.locator('.metrics', { hasText: 'interrupted' }).waitFor({ timeout: 5000 });
      expect(await reply.getAttribute('class')).toContain('interrupted');
      const partial = (await reply.locator('.content').textContent())?.trim() ?? '';
      expect(partial).toMatch(/^word0 word1 word2 word3 word4 word5\b/);
      expect(fullText.startsWith(partial)).toBe(true);
      expect(partial).not.toContain(`word${slowEvents - 1}`);
      expect(await tab.locator('#send').isEnabled()).toBe(true);
      expect(await tab.locator('#stop').isDisabled()).toBe(true);
      // The partial reply is part of the conversation, so the next question carries it.
      await tab.locator('#prompt').fill('Show me some markdown please');
      await tab.locator('#prompt').press('Enter');
      await tab
        .locator('.message.assistant')
        .last()
        .locator('.metrics', { hasText: 'tokens/s' })
        .waitFor({ timeout: 5000 });
      const messages = (mock.requests.at(-1)!.body as { messages: Array<{ role: string; content: string }> }).messages;
      expect(messages.map((message) => message.role).slice(-3)).toEqual(['user', 'assistant', 'user']);
      expect(messages.at(-2)!.content.trim()).toBe(partial);
    } finally {
      await tab.close();
    }
  }, 30_000);

  it('a reload before the reply started (no stream id yet) marks it interrupted and gives the question back', async () => {
    const tab = await context.newPage();
    try {
      await tab.goto(agent.url);
      const requestsBefore = mock.requests.length;
      await tab.locator('#prompt').fill('A late start please');
      await tab.locator('#prompt').press('Enter');
      const [upstream] = (await mock.waitForRequests(requestsBefore + 1)).slice(requestsBefore);
      await tab.reload();
      const reply = tab.locator('.message.assistant').last();
      await reply.locator('.metrics', { hasText: 'interrupted' }).waitFor({ timeout: 5000 });
      expect(await reply.getAttribute('class')).toContain('interrupted');
      expect(await tab.locator('#prompt').inputValue()).toBe('A late start please');
      await upstream!.closed;
      expect(upstream!.finishedAt).toBeUndefined();
    } finally {
      await tab.close();
    }
  }, 20_000);
});

describe('a reply that fails over midway (FALLBACK_AFTER_FIRST_CHUNK=continue)', () => {
  let failoverAgent: RunningAgent;
  beforeAll(async () => {
    failoverAgent = await startAgent({
      env: {
        OPENAI_API_KEY: 'test',
        LLM_PROVIDER: 'openai',
        OPENAI_BASE_URL: mock.baseURLs.openai,
        ANTHROPIC_API_KEY: 'test',
        ANTHROPIC_BASE_URL: mock.baseURLs.anthropic,
        FALLBACK_PROVIDERS: 'anthropic',
        FALLBACK_AFTER_FIRST_CHUNK: 'continue',
        LOG_LEVEL: 'warn',
        MAX_RETRIES: '0',
      },
      port: 0,
      host: '127.0.0.1',
      logStream: new Writable({ write: (_chunk, _encoding, callback) => callback() }),
    });
  });
  afterAll(async () => {
    await failoverAgent?.close();
  });

  it('shows one answer, and says in the reply label who took over and why', async () => {
    const tab = await context.newPage();
    try {
      await tab.goto(failoverAgent.url);
      await tab.locator('#prompt').fill('Please fail over');
      await tab.locator('#prompt').press('Enter');
      const reply = tab.locator('.message.assistant').last();
      await reply.locator('.message-label', { hasText: '→ anthropic' }).waitFor({ timeout: 10_000 });
      await reply.locator('.content', { hasText: 'and the rest.' }).waitFor({ timeout: 10_000 });
      expect(await reply.locator('.content').textContent()).toContain(
        'Partial answer before the failure and the rest.',
      );
      expect(await reply.locator('.message-label').textContent()).toMatch(
        /^openai · .+ → anthropic · .+ \(after openai: overloaded\)$/,
      );
    } finally {
      await tab.close();
    }
  }, 20_000);
});
