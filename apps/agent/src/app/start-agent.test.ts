import { Writable } from 'node:stream';
import { mockUpstream } from '@rxllm/testing';
import { describe, expect, it } from 'vitest';
import { postJson, readSse, testRegistry } from '../test-helpers.js';
import { startAgent } from './start-agent.js';

describe('startAgent', () => {
  it('refuses to listen beyond loopback without AGENT_API_KEY, and warns first when ALLOW_UNAUTHENTICATED=true', async () => {
    const logs: string[] = [];
    const logStream = new Writable({
      write(chunk, _encoding, callback) {
        logs.push(chunk.toString());
        callback();
      },
    });
    await expect(startAgent({ env: {}, port: 0, host: '0.0.0.0', logStream })).rejects.toThrow(
      /HOST=0\.0\.0\.0 .*set AGENT_API_KEY.*ALLOW_UNAUTHENTICATED=true/,
    );
    await expect(startAgent({ env: { HOST: '::' }, port: 0, logStream })).rejects.toThrow(/AGENT_API_KEY/);
    expect(logs).toEqual([]);
    const open = await startAgent({ env: { ALLOW_UNAUTHENTICATED: 'true' }, port: 0, host: '0.0.0.0', logStream });
    await open.close();
    const lines = logs.join('').split('\n').filter(Boolean);
    const warning = lines.findIndex((line) => line.includes('ALLOW_UNAUTHENTICATED=true and HOST=0.0.0.0'));
    expect(warning).toBeGreaterThanOrEqual(0);
    expect(warning).toBeLessThan(3);
  });

  it('with only OPENAI_BASE_URL (no key) streams from that OpenAI-compatible server', async () => {
    const upstream = await mockUpstream();
    const logs: string[] = [];
    const agent = await startAgent({
      env: { OPENAI_BASE_URL: upstream.baseURLs.openai, OPENAI_MODEL: 'local-llama' },
      port: 0,
      host: '127.0.0.1',
      registry: testRegistry(),
      logStream: new Writable({
        write(chunk, _encoding, callback) {
          logs.push(chunk.toString());
          callback();
        },
      }),
    });
    try {
      upstream.enqueue({ events: [{ type: 'text', text: 'from the local server' }] });
      const events = await readSse(await postJson(`${agent.url}/chat`, { message: 'hi' }));
      expect(events[0]?.data).toMatchObject({ type: 'start', provider: 'openai' });
      const [request] = await upstream.waitForRequests(1);
      expect((request?.body as { model?: string } | undefined)?.model).toBe('local-llama');
      expect(logs.join('')).toContain('Provider: openai');
      expect(logs.join('')).not.toContain(upstream.baseURLs.openai);
    } finally {
      await agent.close();
      await upstream.close();
    }
  });

  it('serves the built @rxllm/web page and its assets with content types and a strict CSP', async () => {
    const agent = await startAgent({
      env: { LOG_LEVEL: 'silent' },
      port: 0,
      host: '127.0.0.1',
      registry: testRegistry(),
    });
    try {
      const page = await fetch(`${agent.url}/`);
      expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'self'/);
      const html = await page.text();
      const web = (await import('@rxllm/web' as string).catch(() => undefined)) as { webFiles?: string[] } | undefined;
      expect(web?.webFiles, 'build @rxllm/web first').toBeDefined();
      expect(html).not.toContain('is not built');
      const script = await fetch(`${agent.url}/assets/app.js`);
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      const style = await fetch(`${agent.url}/assets/app.css`);
      expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
      expect((await fetch(`${agent.url}/assets/index.js`)).status).toBe(404);
    } finally {
      await agent.close();
    }
  });

  it('answers CORS preflights only for ALLOWED_ORIGINS', async () => {
    const agent = await startAgent({
      env: { LOG_LEVEL: 'silent', ALLOWED_ORIGINS: 'https://app.example' },
      port: 0,
      host: '127.0.0.1',
      registry: testRegistry(),
    });
    try {
      const allowed = await fetch(`${agent.url}/chat`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://app.example' },
      });
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(allowed.headers.get('access-control-allow-headers')).toContain('Authorization');
      const other = await fetch(`${agent.url}/chat`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://evil.example' },
      });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await agent.close();
    }
  });
});
