import { join } from 'node:path';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type TestBrowser } from '../../test-chromium.js';
import { startTestAgent, type TestAgent } from '../../test-helpers.js';

/**
 * A small React app on the AI SDK's `useChat`, as a user would write it: the default transport (`/api/chat` on the
 * page's origin), approvals with `addToolApprovalResponse`, `stop()`, and `resume` for a chat id from the URL.
 */
const appSource = `
import { createElement as h, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { useChat } from '@ai-sdk/react';
import { DefaultChatTransport, lastAssistantMessageIsCompleteWithApprovalResponses } from 'ai';

const params = new URLSearchParams(location.search);

function ToolPart({ part, decide }) {
  const waiting = part.state === 'approval-requested';
  return h('div', { className: 'tool', 'data-tool': part.type.slice(5), 'data-state': part.state }, [
    h('code', { key: 'output', className: 'output' }, part.output === undefined ? '' : JSON.stringify(part.output)),
    waiting && h('button', { key: 'yes', className: 'approve', onClick: () => decide(part.approval.id, true) }, 'Approve'),
    waiting && h('button', { key: 'no', className: 'deny', onClick: () => decide(part.approval.id, false) }, 'Deny'),
  ]);
}

function App() {
  const { messages, sendMessage, status, error, stop, addToolApprovalResponse } = useChat({
    id: params.get('chat') ?? undefined,
    resume: params.has('resume'),
    transport: new DefaultChatTransport({ body: { provider: params.get('provider') ?? 'simulated' } }),
    sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithApprovalResponses,
  });
  const [input, setInput] = useState('');
  const decide = (id, approved) => addToolApprovalResponse({ id, approved, ...(approved ? {} : { reason: 'not now' }) });
  return h('main', { id: 'chat', 'data-status': status }, [
    ...messages.map((message) =>
      h('article', { key: message.id, 'data-role': message.role, 'data-id': message.id }, message.parts.map((part, index) => {
        if (part.type === 'text') return h('p', { key: index, className: 'text' }, part.text);
        if (part.type.startsWith('tool-')) return h(ToolPart, { key: index, part, decide });
        return null;
      })),
    ),
    error ? h('pre', { key: 'error', id: 'error' }, error.message) : null,
    h('form', { key: 'form', onSubmit: (event) => { event.preventDefault(); sendMessage({ text: input }); setInput(''); } }, [
      h('input', { key: 'input', id: 'input', value: input, onChange: (event) => setInput(event.target.value) }),
      h('button', { key: 'send', id: 'send', type: 'submit' }, 'Send'),
      h('button', { key: 'stop', id: 'stop', type: 'button', onClick: () => stop() }, 'Stop'),
    ]),
  ]);
}

createRoot(document.getElementById('root')).render(h(App));
`;

const pageHtml =
  '<!doctype html><meta charset="utf-8"><div id="root"></div><script type="module" src="/ui-test/app.js"></script>';

/** The app bundled for the browser by esbuild, from this package's own `react`, `@ai-sdk/react` and `ai`. */
async function bundleApp(): Promise<string> {
  const result = await build({
    stdin: { contents: appSource, resolveDir: join(import.meta.dirname, '..', '..', '..'), loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  return result.outputFiles[0]?.text ?? '';
}

const slowText = (count: number) => ({
  events: Array.from({ length: count }, (_, index) => ({ type: 'text' as const, text: `w${index} ` })),
  delivery: { eventDelayMs: 20 },
});
const joined = (count: number) =>
  Array.from({ length: count }, (_, index) => `w${index} `)
    .join('')
    .trim();

describe('useChat in Chromium against the agent (a React page bundled in the test)', { timeout: 30_000 }, () => {
  let harness: TestAgent;
  /** Without resumable streams: there a disconnect is the end of the generation (with them, a reload resumes). */
  let plainHarness: TestAgent;
  let browser: TestBrowser;
  let bundle: string;

  beforeAll(async () => {
    const fast = { SIMULATED_TTFT_MS: '0', SIMULATED_TOKENS_PER_SECOND: '0' };
    [harness, plainHarness, browser, bundle] = await Promise.all([
      startTestAgent({ ...fast, TOOL_APPROVAL: 'calculator', RESUMABLE_STREAMS: 'true' }),
      startTestAgent(fast),
      launchChromium(),
      bundleApp(),
    ]);
    // The page comes from the agent's own origin, as an app served beside it would: `/api/chat` is same-origin.
    for (const { agent } of [harness, plainHarness]) {
      await browser.context.route(`${agent.url}/ui-test/**`, (route) => {
        const path = new URL(route.request().url()).pathname;
        return path === '/ui-test/app.js'
          ? route.fulfill({ contentType: 'text/javascript', body: bundle })
          : route.fulfill({ contentType: 'text/html', body: pageHtml });
      });
    }
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await plainHarness?.close();
  });

  async function openChat(query: string, on: TestAgent = harness): Promise<Page> {
    const page = await browser.context.newPage();
    await page.goto(`${on.agent.url}/ui-test/index.html?${query}`);
    await page.waitForSelector('#input');
    return page;
  }

  async function send(page: Page, text: string) {
    await page.fill('#input', text);
    await page.click('#send');
  }

  const assistantText = (page: Page) => page.locator('article[data-role="assistant"] p.text').allTextContents();

  it('streams an answer from a vendor behind the mock into the page', async () => {
    harness.upstream.enqueue({ events: ['Hallo ', 'Wélt ', '🚀'].map((text) => ({ type: 'text' as const, text })) });
    const page = await openChat('provider=openai');
    await send(page, 'Hi');
    await page.waitForSelector('#chat[data-status="ready"] article[data-role="assistant"]');
    expect(await assistantText(page)).toEqual(['Hallo Wélt 🚀']);
    expect(await page.locator('#error').count()).toBe(0);
    await page.close();
  });

  it('a call that needs approval shows its buttons; Approve runs it and the answer follows', async () => {
    const page = await openChat('provider=simulated');
    await send(page, 'What is 6 * 7?');
    await page.waitForSelector('.tool[data-tool="calculator"][data-state="approval-requested"] button.approve');
    await page.click('button.approve');
    await page.waitForSelector('.tool[data-state="output-available"]');
    await page.waitForSelector('#chat[data-status="ready"]');
    await page.waitForFunction(() => {
      const texts = (
        globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string }> } }
      ).document.querySelectorAll('article[data-role="assistant"] p.text');
      return texts.length > 0;
    });
    expect(await page.locator('.tool .output').textContent()).toBe('42');
    expect((await assistantText(page)).join('')).toMatch(/^The calculator tool returned 42\./);
    expect(await page.locator('article[data-role="assistant"]').count()).toBe(1);
    await page.close();
  });

  it('Deny sends the denial; the model answers without the result', async () => {
    const page = await openChat('provider=simulated');
    await send(page, 'What is 6 * 7?');
    await page.click('button.deny');
    await page.waitForSelector('.tool[data-state="output-denied"]', { state: 'attached' });
    await page.waitForSelector('#chat[data-status="ready"] article[data-role="assistant"] p.text');
    expect((await assistantText(page)).join('')).toContain('denied');
    await page.close();
  });

  it('Stop aborts the upstream request', async () => {
    plainHarness.upstream.enqueue(slowText(200));
    const page = await openChat('provider=anthropic', plainHarness);
    await send(page, 'A long story');
    await page.waitForFunction(() =>
      (globalThis as unknown as { document: { body: { textContent: string } } }).document.body.textContent.includes(
        'w3 ',
      ),
    );
    await page.click('#stop');
    const [upstreamRequest] = await plainHarness.upstream.waitForRequests(1);
    await upstreamRequest?.closed;
    expect(upstreamRequest?.closedEarlyAt).toBeDefined();
    expect(upstreamRequest?.finishedAt).toBeUndefined();
    await page.close();
  });

  it('a reload mid-stream resumes the chat (useChat resume) and shows the whole answer', async () => {
    harness.upstream.enqueue(slowText(60));
    const page = await openChat('provider=gemini&chat=chat-reload-1&resume');
    await send(page, 'A story');
    await page.waitForFunction(() =>
      (globalThis as unknown as { document: { body: { textContent: string } } }).document.body.textContent.includes(
        'w3 ',
      ),
    );
    await page.reload();
    await page.waitForSelector('#chat[data-status="ready"] article[data-role="assistant"]', { timeout: 15_000 });
    await page.waitForFunction(
      (expected) =>
        (globalThis as unknown as { document: { body: { textContent: string } } }).document.body.textContent.includes(
          expected,
        ),
      joined(60),
    );
    expect((await assistantText(page)).join('').trim()).toBe(joined(60));
    // One generation: the reload followed it instead of asking the model again.
    expect(harness.logs.join('')).toContain('Client resumes a UI chat stream');
    await page.close();
  });
});
