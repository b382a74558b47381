import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Locator, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../index.js';
import { launchChromium, type TestBrowser } from '../test-chromium.js';

// Tool calls on the chat page in a real Chromium against the real agent and its simulated provider, which answers
// "What is 6 * 7?" by calling the shipped calculator, then quotes its result. With TOOL_APPROVAL=calculator the call
// waits for the person: the card's Approve / Deny send `POST /chat/:streamId/approve`.
const outputDirectory = join(import.meta.dirname, '..', 'test-output');
const question = 'What is 6 * 7?';

/** The little of the page's `window` these tests touch (this package compiles without the DOM library). */
interface PageWindow {
  document: {
    documentElement: { scrollWidth: number };
    activeElement: { className: string; textContent: string | null } | null;
  };
}

interface ApproveRequest {
  url: string;
  contentType: string | undefined;
  body: unknown;
}

let browser: TestBrowser;
let plainAgent: RunningAgent;
let approvingAgent: RunningAgent;

const silent = () => new Writable({ write: (_chunk, _encoding, callback) => callback() });
const simulated = { LLM_PROVIDER: 'simulated', SIMULATED_TTFT_MS: '0', LOG_LEVEL: 'warn' };

beforeAll(async () => {
  plainAgent = await startAgent({ env: simulated, port: 0, host: '127.0.0.1', logStream: silent() });
  approvingAgent = await startAgent({
    env: { ...simulated, TOOL_APPROVAL: 'calculator' },
    port: 0,
    host: '127.0.0.1',
    logStream: silent(),
  });
  browser = await launchChromium({ viewport: { width: 1200, height: 800 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await approvingAgent?.close();
  await plainAgent?.close();
});

/** A new tab on `url`, recording its approve requests and anything that went wrong in it (CSP included). */
async function openPage(url: string) {
  const page = await browser.context.newPage();
  const problems: string[] = [];
  const approvals: ApproveRequest[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('request', (request: Request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname.endsWith('/approve')) {
      approvals.push({
        url: request.url(),
        contentType: request.headers()['content-type'],
        body: request.postDataJSON(),
      });
    }
  });
  await page.goto(url);
  await page.locator('#model option').first().waitFor({ state: 'attached', timeout: 5000 });
  return { page, problems, approvals };
}

async function ask(page: Page): Promise<Locator> {
  await page.locator('#prompt').fill(question);
  await page.locator('#prompt').press('Enter');
  return page.locator('.message.assistant').last();
}

/** The reply's visible parts in order: `text: …` for a text segment, `card: status` for a tool card. */
async function replyLayout(reply: Locator): Promise<string[]> {
  return reply
    .locator('.content > :not([hidden])')
    .evaluateAll((elements) =>
      elements.map((element) =>
        element.classList.contains('tool-card')
          ? `card: ${element.getAttribute('data-status')}`
          : `text: ${element.textContent?.trim()}`,
      ),
    );
}

async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(outputDirectory, { recursive: true });
  const path = join(outputDirectory, name);
  await page.screenshot({ path });
  console.log(`[browser-tools] screenshot: ${path}`);
}

describe('tool calls on the chat page in Chromium', () => {
  it('without approval: the calculator card shows its input and result, and the answer follows it', async () => {
    const { page, problems, approvals } = await openPage(plainAgent.url);
    try {
      const reply = await ask(page);
      await reply.locator('.metrics', { hasText: 'tokens' }).waitFor({ timeout: 10_000 });
      const card = reply.locator('.tool-card');
      expect(await card.count()).toBe(1);
      expect(await card.getAttribute('data-status')).toBe('done');
      expect(await card.locator('.tool-name').textContent()).toBe('calculator');
      expect(await card.locator('.tool-input .tool-preview').textContent()).toBe('{"expression":"6 * 7"}');
      expect(await card.locator('.tool-output .tool-preview').textContent()).toBe('42');
      expect(await card.locator('.tool-duration').textContent()).toMatch(/^\d+ ms$|^\d+\.\d\d s$/);
      expect(await card.locator('.tool-approval').isVisible()).toBe(false);
      const layout = await replyLayout(reply);
      expect(layout[0]).toBe('card: done');
      expect(layout[1]).toMatch(/^text: The calculator tool returned 42\./);
      expect(await reply.locator('.metrics').textContent()).toContain('2 steps, 1 tool call');
      expect(approvals).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);

  it('with TOOL_APPROVAL=calculator: Approve sends the decision, then the result 42 and the answer appear', async () => {
    const { page, problems, approvals } = await openPage(approvingAgent.url);
    try {
      const reply = await ask(page);
      const card = reply.locator('.tool-card');
      await card.locator('.tool-approval').waitFor({ state: 'visible', timeout: 10_000 });
      expect(await card.getAttribute('data-status')).toBe('awaiting-approval');
      expect(await card.locator('.tool-state').textContent()).toBe('needs your approval');
      const approve = card.getByRole('button', { name: 'Approve' });
      const deny = card.getByRole('button', { name: 'Deny' });
      expect(await approve.isEnabled()).toBe(true);
      expect(await deny.isEnabled()).toBe(true);
      // Reachable by keyboard in a sensible order: Approve, the optional reason, Deny.
      await approve.focus();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => (globalThis as unknown as PageWindow).document.activeElement?.className)).toBe(
        'tool-reason',
      );
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => (globalThis as unknown as PageWindow).document.activeElement?.textContent)).toBe(
        'Deny',
      );
      expect(await page.locator('#stop').isEnabled()).toBe(true);
      await screenshot(page, 'chat-tools-approval.png');

      await approve.click();
      await card.locator('.tool-output').waitFor({ state: 'visible', timeout: 10_000 });
      await reply.locator('.metrics', { hasText: 'tokens' }).waitFor({ timeout: 10_000 });
      expect(await card.getAttribute('data-status')).toBe('done');
      expect(await card.locator('.tool-output .tool-preview').textContent()).toBe('42');
      expect(await card.locator('.tool-state').textContent()).toBe('approved · done');
      expect(await card.locator('.tool-approval').isVisible()).toBe(false);
      const layout = await replyLayout(reply);
      expect(layout[0]).toBe('card: done');
      expect(layout[1]).toMatch(/^text: The calculator tool returned 42\./);

      expect(approvals).toHaveLength(1);
      expect(approvals[0]!.contentType).toBe('application/json');
      expect(approvals[0]!.body).toEqual({ toolCallId: expect.any(String), approved: true });
      await screenshot(page, 'chat-tools.png');
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);

  it('with TOOL_APPROVAL=calculator: Deny with a reason shows the card denied, and the answer reflects it', async () => {
    const { page, problems, approvals } = await openPage(approvingAgent.url);
    try {
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.setViewportSize({ width: 390, height: 844 });
      const reply = await ask(page);
      const card = reply.locator('.tool-card');
      await card.locator('.tool-approval').waitFor({ state: 'visible', timeout: 10_000 });
      await card.getByRole('textbox', { name: 'Reason for denying calculator (optional)' }).fill('not now');
      await screenshot(page, 'chat-tools-approval-dark-narrow.png');
      expect(await noHorizontalScroll(page)).toBe(true);

      await card.getByRole('button', { name: 'Deny' }).click();
      await reply.locator('.metrics', { hasText: 'tokens' }).waitFor({ timeout: 10_000 });
      expect(await card.getAttribute('data-status')).toBe('denied');
      expect(await card.locator('.tool-state').textContent()).toBe('denied by you');
      // The denial's message (with the reason typed), without a `denied:` prefix: the state line says that.
      const denial = (await card.locator('.tool-error').textContent()) ?? '';
      expect(denial).toContain('not now');
      expect(denial).not.toMatch(/^denied:/);
      expect(await card.locator('.tool-approval').isVisible()).toBe(false);
      const answer = (await replyLayout(reply)).at(-1) ?? '';
      expect(answer).toMatch(/^text: The calculator tool returned .*denied/);
      expect(answer).not.toContain('42');
      expect(approvals).toHaveLength(1);
      expect(approvals[0]!.body).toEqual({ toolCallId: expect.any(String), approved: false, reason: 'not now' });
      await screenshot(page, 'chat-tools-dark-narrow.png');
      expect(await noHorizontalScroll(page)).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);

  it('shows a refused decision (409) under the buttons, keeps them off, and Stop leaves the card not finished', async () => {
    const { page, problems } = await openPage(approvingAgent.url);
    // The agent's answer when the call no longer waits, given by the page's network layer: the real call keeps
    // waiting, so the refusal is the only thing that changes on the card.
    await page.route('**/approve', (route) =>
      route.fulfill({
        status: 409,
        contentType: 'application/json',
        body: JSON.stringify({ error: { kind: 'invalid-request', message: 'that call is not waiting' } }),
      }),
    );
    try {
      const reply = await ask(page);
      const card = reply.locator('.tool-card');
      await card.locator('.tool-approval').waitFor({ state: 'visible', timeout: 10_000 });
      await card.getByRole('button', { name: 'Approve' }).click();
      const problem = card.locator('.tool-problem');
      await problem.waitFor({ state: 'visible', timeout: 5000 });
      expect(await problem.textContent()).toBe('invalid-request: that call is not waiting');
      expect(await problem.getAttribute('role')).toBe('alert');
      expect(await card.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
      expect(await card.getByRole('button', { name: 'Deny' }).isDisabled()).toBe(true);

      await page.locator('#stop').click();
      await reply.locator('.metrics', { hasText: 'stopped' }).waitFor({ timeout: 5000 });
      expect(await card.getAttribute('data-status')).toBe('unfinished');
      expect(await card.locator('.tool-state').textContent()).toBe('not finished');
      expect(await card.locator('.tool-approval').isVisible()).toBe(false);
      // The 409 is the page's own test answer; anything else going wrong would show here.
      expect(problems.filter((problem) => !problem.includes('409'))).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);
});

async function noHorizontalScroll(page: Page): Promise<boolean> {
  const width = await page.evaluate(() => (globalThis as unknown as PageWindow).document.documentElement.scrollWidth);
  return width <= (page.viewportSize()?.width ?? 0);
}
