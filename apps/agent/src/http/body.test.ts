import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readJsonBody } from './body.js';
import { HttpError } from './errors.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** Starts a server that reads one body and reports the outcome. */
async function reader(maxBytes: number, timeoutMs: number) {
  let settle: (outcome: unknown) => void = () => undefined;
  const outcome = new Promise<unknown>((resolve) => {
    settle = resolve;
  });
  const created = createServer((request, response) => {
    readJsonBody(request, maxBytes, timeoutMs).then(
      (value) => {
        settle(value);
        response.end('ok');
      },
      (error: unknown) => {
        settle(error);
        if (!response.destroyed) response.end('error');
      },
    );
  });
  server = created;
  await new Promise<void>((resolve) => created.listen(0, '127.0.0.1', resolve));
  return { port: (created.address() as AddressInfo).port, outcome };
}

describe('readJsonBody', () => {
  it('parses JSON under the limit', async () => {
    const { port, outcome } = await reader(1024, 1000);
    await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '{"a":1}' });
    expect(await outcome).toEqual({ a: 1 });
  });

  it('rejects a declared length over the limit with 413 before reading it', async () => {
    const { port, outcome } = await reader(1024, 1000);
    await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x'.repeat(4096) }).catch(() => undefined);
    const error = (await outcome) as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(413);
  });

  it('rejects a body that trickles in slower than the timeout with 408', async () => {
    const { port, outcome } = await reader(1024, 100);
    const client = httpRequest({ port, host: '127.0.0.1', method: 'POST', headers: { 'Content-Length': '20' } });
    client.on('error', () => undefined);
    client.write('{"a":');
    const error = (await outcome) as HttpError;
    expect(error.status).toBe(408);
    client.destroy();
  });
});
