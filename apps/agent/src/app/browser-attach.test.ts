import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { crc32, deflateSync } from 'node:zlib';
import { type MockScript, type MockUpstream, mockUpstream } from '@rxllm/testing';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../index.js';
import { launchChromium, type TestBrowser } from '../test-chromium.js';

// Images on the chat page in a real Chromium: attached through the file input, pasted, dropped; sent as content
// parts to the real agent (the simulated provider, and the OpenAI SDK against the mock upstream); refused in the
// page before sending, or by the agent with a 400, without losing what was typed.
const outputDirectory = join(import.meta.dirname, '..', 'test-output');

/** A real RGB PNG, `pixel(x, y)` giving each pixel's colour. */
function png(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const row = width * 3 + 1;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) raw.set(pixel(x, y), y * row + 1 + x * 3);
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const checksum = Buffer.alloc(4);
    checksum.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, checksum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, RGB, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const redSquare = png(40, 30, () => [220, 40, 40]);
const blueCircle = png(32, 32, (x, y) => ((x - 16) ** 2 + (y - 16) ** 2 < 196 ? [40, 80, 220] : [255, 255, 255]));
const greenStripes = png(24, 24, (x) => (x % 6 < 3 ? [30, 160, 60] : [240, 240, 240]));
const yellowDot = png(16, 16, () => [240, 200, 20]);
let seed = 12345;
// Noise does not compress: a PNG of ~12 KB, over the 4096 bytes the strict agent allows.
const noise = png(64, 64, () => {
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return (seed >> 16) & 0xff; // an LCG's low bits repeat quickly; its high bits do not
  };
  return [next(), next(), next()];
});

const imageScript: MockScript = {
  events: Array.from({ length: 30 }, (_, index) => ({ type: 'text' as const, text: `pixel${index} ` })),
  usage: { inputTokens: 90, outputTokens: 30 },
  delivery: { eventDelayMs: 15 },
};

/** The little of the page's `window` these tests touch (this package compiles without the DOM library). */
interface PageElement {
  naturalWidth: number;
  alt: string;
  focus(): void;
  dispatchEvent(event: unknown): boolean;
  getAttribute(name: string): string | null;
}
interface PageWindow {
  document: {
    getElementById(id: string): PageElement | null;
    querySelectorAll(selector: string): ArrayLike<PageElement>;
    activeElement: PageElement | null;
    documentElement: { scrollWidth: number };
  };
  sessionStorage: { getItem(key: string): string | null };
  atob(data: string): string;
  File: new (parts: unknown[], name: string, options: { type: string }) => unknown;
  DataTransfer: new () => { items: { add(file: unknown): void } };
  ClipboardEvent: new (type: string, init: object) => { defaultPrevented: boolean };
  DragEvent: new (type: string, init: object) => unknown;
}

interface SentPart {
  type: string;
  text?: string;
  source?: { type: string; data: string; mediaType: string };
}
interface SentBody {
  messages: Array<{ role: string; content: string | SentPart[] }>;
}

let mock: MockUpstream;
let simulatedAgent: RunningAgent;
let strictAgent: RunningAgent;
let browser: TestBrowser;

beforeAll(async () => {
  mock = await mockUpstream({ respond: () => imageScript });
  const silent = () => new Writable({ write: (_chunk, _encoding, callback) => callback() });
  // No key at all: the agent runs the simulated provider, whose reply counts the images it was sent.
  simulatedAgent = await startAgent({
    env: { LLM_PROVIDER: 'simulated', LOG_LEVEL: 'warn' },
    port: 0,
    host: '127.0.0.1',
    logStream: silent(),
  });
  strictAgent = await startAgent({
    env: {
      OPENAI_API_KEY: 'test',
      LLM_PROVIDER: 'openai',
      OPENAI_BASE_URL: mock.baseURLs.openai,
      LOG_LEVEL: 'warn',
      MAX_RETRIES: '0',
      MAX_ATTACHMENT_BYTES: '4096',
    },
    port: 0,
    host: '127.0.0.1',
    logStream: silent(),
  });
  browser = await launchChromium({ viewport: { width: 1200, height: 800 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await simulatedAgent?.close();
  await strictAgent?.close();
  await mock?.close();
});

/** A new tab on `url`, recording what the page sent to `POST /chat` and anything that went wrong in it. */
async function openPage(url: string) {
  const page = await browser.context.newPage();
  const problems: string[] = [];
  const sent: SentBody[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('request', (request: Request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/chat') {
      sent.push(request.postDataJSON() as SentBody);
    }
  });
  await page.goto(url);
  return { page, problems, sent };
}

/** Pastes `bytes` as a file into the prompt, the way a browser does for an image on the clipboard. */
async function pasteImage(page: Page, name: string, bytes: Buffer): Promise<boolean> {
  return page.evaluate(
    ({ name, base64 }) => {
      const window = globalThis as unknown as PageWindow;
      const binary = window.atob(base64);
      const data = Uint8Array.from(binary, (character) => character.charCodeAt(0));
      const transfer = new window.DataTransfer();
      transfer.items.add(new window.File([data], name, { type: 'image/png' }));
      const prompt = window.document.getElementById('prompt')!;
      prompt.focus();
      const event = new window.ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true });
      prompt.dispatchEvent(event);
      return event.defaultPrevented;
    },
    { name, base64: bytes.toString('base64') },
  );
}

/** Drops files onto the composer (dragover, then drop), as dragging them from the desktop does. */
async function dropImages(page: Page, files: Array<{ name: string; bytes: Buffer }>): Promise<void> {
  await page.evaluate(
    (encoded) => {
      const window = globalThis as unknown as PageWindow;
      const transfer = new window.DataTransfer();
      for (const { name, base64 } of encoded) {
        const data = Uint8Array.from(window.atob(base64), (character) => character.charCodeAt(0));
        transfer.items.add(new window.File([data], name, { type: 'image/png' }));
      }
      const composer = window.document.getElementById('composer')!;
      for (const type of ['dragenter', 'dragover', 'drop']) {
        composer.dispatchEvent(new window.DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
    },
    files.map(({ name, bytes }) => ({ name, base64: bytes.toString('base64') })),
  );
}

/** `alt` and `naturalWidth` of the images matching `selector`: a width above 0 means the browser decoded it. */
async function shownImages(page: Page, selector: string): Promise<Array<{ alt: string; width: number }>> {
  await page.waitForFunction(
    (selector) =>
      Array.from((globalThis as unknown as PageWindow).document.querySelectorAll(selector)).every(
        (image) => image.naturalWidth > 0,
      ),
    selector,
    { timeout: 5000 },
  );
  return page.evaluate(
    (selector) =>
      Array.from((globalThis as unknown as PageWindow).document.querySelectorAll(selector), (image) => ({
        alt: image.alt,
        width: image.naturalWidth,
      })),
    selector,
  );
}

function imageParts(content: string | SentPart[] | undefined): Array<{ data: string; mediaType: string }> {
  if (!Array.isArray(content)) return [];
  return content.flatMap((part) =>
    part.type === 'image' && part.source ? [{ data: part.source.data, mediaType: part.source.mediaType }] : [],
  );
}

describe('images on the chat page in Chromium', () => {
  it('attach + paste → both sent as parts after the text, shown as thumbnails; the reply streams and counts them', async () => {
    const { page, problems, sent } = await openPage(simulatedAgent.url);
    try {
      const attach = page.getByRole('button', { name: 'Attach images' });
      expect(await attach.isVisible()).toBe(true);
      expect(await page.locator('#attach-input').getAttribute('accept')).toBe(
        'image/png,image/jpeg,image/gif,image/webp',
      );
      await page.locator('#prompt').fill('What is in these pictures?');
      await page
        .locator('#attach-input')
        .setInputFiles({ name: 'red-square.png', mimeType: 'image/png', buffer: redSquare });
      await page.locator('#attachments img[alt="red-square.png"]').waitFor({ timeout: 5000 });
      // A paste holding only an image attaches it and types nothing.
      expect(await pasteImage(page, 'blue-circle.png', blueCircle)).toBe(true);
      await page.locator('#attachments img[alt="blue-circle.png"]').waitFor({ timeout: 5000 });
      expect(await page.locator('#prompt').inputValue()).toBe('What is in these pictures?');
      expect(await shownImages(page, '#attachments img')).toEqual([
        { alt: 'red-square.png', width: 40 },
        { alt: 'blue-circle.png', width: 32 },
      ]);
      expect(await page.getByRole('button', { name: 'Remove red-square.png' }).count()).toBe(1);
      expect(await page.getByRole('button', { name: 'Remove blue-circle.png' }).count()).toBe(1);

      await page.locator('#prompt').press('Enter');
      const question = page.locator('.message.user').last();
      await question.locator('.question-image').nth(1).waitFor({ timeout: 5000 });
      expect(await shownImages(page, '.message.user .question-image')).toEqual([
        { alt: 'red-square.png', width: 40 },
        { alt: 'blue-circle.png', width: 32 },
      ]);
      expect(await question.locator('.bubble').textContent()).toBe('What is in these pictures?');
      // The composer is empty again.
      expect(await page.locator('#prompt').inputValue()).toBe('');
      expect(await page.locator('#attachments li').count()).toBe(0);
      expect(await page.locator('#attachments').isHidden()).toBe(true);

      // The request: text first, then the two images as base64 with their type, byte for byte.
      expect(sent).toHaveLength(1);
      const content = sent[0]!.messages.at(-1)!.content;
      expect(Array.isArray(content) && content[0]).toEqual({ type: 'text', text: 'What is in these pictures?' });
      expect(imageParts(content)).toEqual([
        { data: redSquare.toString('base64'), mediaType: 'image/png' },
        { data: blueCircle.toString('base64'), mediaType: 'image/png' },
      ]);

      // The simulated provider saw both images, and its reply streams in (the cursor is on while text arrives).
      const reply = page.locator('.message.assistant').last();
      await reply.locator('.content', { hasText: 'attached 2 images' }).waitFor({ timeout: 5000 });
      const early = (await reply.locator('.content').textContent()) ?? '';
      expect(await reply.locator('.content').getAttribute('aria-busy')).toBe('true');
      expect(early).not.toContain('closed its connection politely');
      await reply.locator('.metrics', { hasText: 'tokens/s' }).waitFor({ timeout: 15_000 });
      const full = (await reply.locator('.content').textContent())?.trim() ?? '';
      expect(full.startsWith('You said: "What is in these pictures?" and attached 2 images.')).toBe(true);
      expect(full).toContain('closed its connection politely');
      expect(full.length).toBeGreaterThan(early.trim().length);

      // Storage holds names and small previews, never the bytes; the context saved for a reload says what was there.
      const saved = await page.evaluate(() =>
        (globalThis as unknown as PageWindow).sessionStorage.getItem('rxllm.chat'),
      );
      expect(saved).not.toContain(redSquare.toString('base64'));
      expect(saved).not.toContain(blueCircle.toString('base64'));
      const stored = JSON.parse(saved!) as {
        conversation: Array<{ content: unknown }>;
        transcript: Array<{ images?: Array<Record<string, unknown>> }>;
      };
      expect(stored.conversation[0]!.content).toBe(
        'What is in these pictures?\n[image: red-square.png]\n[image: blue-circle.png]',
      );
      const storedImages = stored.transcript[0]!.images!;
      expect(storedImages.map((image) => image.name)).toEqual(['red-square.png', 'blue-circle.png']);
      for (const image of storedImages) {
        expect(image).not.toHaveProperty('data');
        expect(image.thumbnail).toMatch(/^data:image\/(webp|png);base64,/);
      }

      await mkdir(outputDirectory, { recursive: true });
      const screenshot = join(outputDirectory, 'chat-attachments.png');
      await page.screenshot({ path: screenshot });
      console.log(`[browser-attach] screenshot: ${screenshot}`);

      // After a reload the thumbnails are still there (the saved previews); the next question re-sends the
      // earlier images as their placeholders.
      await page.reload();
      expect(await shownImages(page, '.message.user .question-image')).toEqual([
        { alt: 'red-square.png', width: 40 },
        { alt: 'blue-circle.png', width: 32 },
      ]);
      await page.locator('#prompt').fill('And now?');
      await page.locator('#prompt').press('Enter');
      await page
        .locator('.message.assistant')
        .last()
        .locator('.metrics', { hasText: 'tokens/s' })
        .waitFor({ timeout: 15_000 });
      expect(sent).toHaveLength(2);
      expect(sent[1]!.messages.map((message) => message.content)).toEqual([
        'What is in these pictures?\n[image: red-square.png]\n[image: blue-circle.png]',
        expect.stringContaining('You said: "What is in these pictures?" and attached 2 images.'),
        'And now?',
      ]);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 45_000);

  it('drop onto the composer, remove one with the keyboard, send an image without text: the upstream gets it', async () => {
    const { page, problems } = await openPage(strictAgent.url);
    try {
      const requestsBefore = mock.requests.length;
      await dropImages(page, [
        { name: 'green-stripes.png', bytes: greenStripes },
        { name: 'yellow-dot.png', bytes: yellowDot },
      ]);
      await page.locator('#attachments img[alt="yellow-dot.png"]').waitFor({ timeout: 5000 });
      expect(await page.locator('#composer').getAttribute('class')).not.toContain('dropping');
      expect(await page.locator('#attachments img').count()).toBe(2);

      // Keyboard only: from the message box, Shift+Tab reaches the last Remove button; Enter removes that image
      // and focus moves to the Remove button of the one that is left.
      const focused = () =>
        page.evaluate(() => (globalThis as unknown as PageWindow).document.activeElement?.getAttribute('aria-label'));
      await page.locator('#prompt').focus();
      await page.keyboard.press('Shift+Tab');
      expect(await focused()).toBe('Remove yellow-dot.png');
      await page.keyboard.press('Enter');
      expect(await shownImages(page, '#attachments img')).toEqual([{ alt: 'green-stripes.png', width: 24 }]);
      expect(await focused()).toBe('Remove green-stripes.png');

      await page.locator('#send').click();
      const question = page.locator('.message.user').last();
      await question.locator('.question-image').waitFor({ timeout: 5000 });
      expect(await shownImages(page, '.message.user .question-image')).toEqual([
        { alt: 'green-stripes.png', width: 24 },
      ]);
      expect(await question.locator('.bubble').textContent()).toBe('');

      const reply = page.locator('.message.assistant').last();
      await reply.locator('.content', { hasText: 'pixel0' }).waitFor({ timeout: 5000 });
      await reply.locator('.metrics', { hasText: 'tokens/s' }).waitFor({ timeout: 10_000 });
      expect((await reply.locator('.content').textContent())?.trim()).toBe(
        Array.from({ length: 30 }, (_, index) => `pixel${index}`).join(' '),
      );

      // What the OpenAI SDK sent upstream: one image part, the exact bytes as a data URL, and no text part.
      expect(mock.requests.length - requestsBefore).toBe(1);
      const body = mock.requests.at(-1)!.body as { messages: Array<{ role: string; content: unknown }> };
      expect(body.messages.filter((message) => message.role === 'user').at(-1)!.content).toEqual([
        { type: 'image_url', image_url: { url: `data:image/png;base64,${greenStripes.toString('base64')}` } },
      ]);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);

  it("the agent's 400 for an image over its MAX_ATTACHMENT_BYTES shows inline; the text and the image come back", async () => {
    expect(noise.length).toBeGreaterThan(4096);
    const { page, sent } = await openPage(strictAgent.url);
    try {
      const requestsBefore = mock.requests.length;
      await page.locator('#prompt').fill('Describe this big one');
      await page.locator('#attach-input').setInputFiles({ name: 'noise.png', mimeType: 'image/png', buffer: noise });
      await page.locator('#attachments img[alt="noise.png"]').waitFor({ timeout: 5000 });
      await page.locator('#prompt').press('Enter');

      const refused = page.locator('.message.assistant').last();
      await refused.locator('.error').waitFor({ timeout: 5000 });
      const error = (await refused.locator('.error').textContent()) ?? '';
      console.log(`[browser-attach] the agent refused: ${error}`);
      expect(error).toMatch(/^invalid-request: messages\.0\.content\.1\.source\.data: .*4096/);
      expect(await refused.locator('.error').getAttribute('role')).toBe('alert');
      expect(imageParts(sent[0]?.messages[0]?.content)).toEqual([
        { data: noise.toString('base64'), mediaType: 'image/png' },
      ]);
      // Nothing reached the upstream, and nothing typed or attached is lost.
      expect(mock.requests.length).toBe(requestsBefore);
      expect(await page.locator('#prompt').inputValue()).toBe('Describe this big one');
      expect(await shownImages(page, '#attachments img')).toEqual([{ alt: 'noise.png', width: 64 }]);
      expect(await page.locator('#send').isEnabled()).toBe(true);
    } finally {
      await page.close();
    }
  }, 20_000);

  it('refuses in the page a non-image, a file over 10 MiB, bytes that are no image, and a 20th image; keeps the text', async () => {
    const { page, problems, sent } = await openPage(strictAgent.url);
    try {
      await page.locator('#prompt').fill('Keep this text');
      const oversized = Buffer.alloc(10 * 1024 * 1024 + 1);
      oversized.set(redSquare.subarray(0, 8));
      await page.locator('#attach-input').setInputFiles([
        { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') },
        { name: 'huge.png', mimeType: 'image/png', buffer: oversized },
        { name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('%PDF-1.7 pretending') },
        { name: 'fine.png', mimeType: 'image/png', buffer: yellowDot },
      ]);
      const errorLine = page.locator('#attachment-error');
      await errorLine.filter({ hasText: 'fake.png' }).waitFor({ timeout: 5000 });
      const message = (await errorLine.textContent()) ?? '';
      console.log(`[browser-attach] refused in the page: ${message}`);
      expect(await errorLine.getAttribute('role')).toBe('alert');
      expect(message).toContain('notes.txt is not an image');
      expect(message).toContain('huge.png is 10.1 MiB; an image can be at most 10 MiB');
      expect(message).toContain('fake.png is not a PNG, JPEG, GIF or WebP image');
      expect(await shownImages(page, '#attachments img')).toEqual([{ alt: 'fine.png', width: 16 }]);
      expect(await page.locator('#prompt').inputValue()).toBe('Keep this text');

      // 1 + 20 files: 18 more fit (19 per message), the last two are named as not attached.
      await page.locator('#attach-input').setInputFiles(
        Array.from({ length: 20 }, (_, index) => ({
          name: `dot-${index + 1}.png`,
          mimeType: 'image/png',
          buffer: yellowDot,
        })),
      );
      await errorLine.filter({ hasText: 'At most 19 images' }).waitFor({ timeout: 5000 });
      expect(await errorLine.textContent()).toBe(
        'At most 19 images per message; not attached: dot-19.png, dot-20.png.',
      );
      await page.locator('#attachments img[alt="dot-18.png"]').waitFor({ timeout: 5000 });
      expect(await page.locator('#attachments img').count()).toBe(19);
      expect(await page.locator('#prompt').inputValue()).toBe('Keep this text');
      expect(sent).toHaveLength(0);

      // Dark and narrow with a full composer: the previews wrap, nothing scrolls sideways.
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.setViewportSize({ width: 390, height: 844 });
      expect(
        await page.evaluate(() => (globalThis as unknown as PageWindow).document.documentElement.scrollWidth),
      ).toBeLessThanOrEqual(390);
      await mkdir(outputDirectory, { recursive: true });
      await page.screenshot({ path: join(outputDirectory, 'chat-attachments-dark-narrow.png') });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);
});
