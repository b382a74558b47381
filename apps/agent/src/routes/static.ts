import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { FastifyReply } from 'fastify';
import { HttpError } from '../http/errors.js';
import type { Route } from '../http/router.js';

/** A static file of the browser page, read once at startup. */
export interface WebAsset {
  body: Buffer;
  contentType: string;
}

/** The browser page: `index.html` plus the named assets, or a minimal page when `@rxllm/web` is not built. */
export interface WebAssets {
  index: WebAsset;
  assets: ReadonlyMap<string, WebAsset>;
  /** False when the minimal fallback page is served. */
  fromWebPackage: boolean;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Strict CSP for the page: only our own scripts, styles and connections (plus WebSocket to ourselves). */
export const contentSecurityPolicy =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; " +
  "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const fallbackPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rxllm agent</title></head>
<body><h1>rxllm streaming agent</h1>
<p>The browser page (<code>@rxllm/web</code>) is not built. Build it with
<code>pnpm turbo run build --filter=@rxllm/web</code>, or use the API:</p>
<pre>curl -N -X POST http://localhost:8080/chat -H 'Content-Type: application/json' -d '{"message":"Hello"}'</pre>
</body></html>
`;

function asset(name: string, body: Buffer): WebAsset {
  return { body, contentType: contentTypes[extname(name).toLowerCase()] ?? 'application/octet-stream' };
}

/**
 * Loads `@rxllm/web`'s `webRoot`/`webFiles` if that package is built; otherwise a minimal page. Only names in
 * `webFiles` are ever served, so no path from a URL reaches the file system.
 *
 * @example
 * ```ts
 * const web = await loadWebAssets();
 * reply.send(web.index.body);
 * ```
 */
export async function loadWebAssets(specifier = '@rxllm/web'): Promise<WebAssets> {
  try {
    const web = (await import(specifier)) as { webRoot?: unknown; webFiles?: unknown };
    if (typeof web.webRoot !== 'string' || !Array.isArray(web.webFiles)) throw new Error('no webRoot/webFiles');
    const root = web.webRoot;
    const assets = new Map<string, WebAsset>();
    for (const name of web.webFiles) {
      if (typeof name !== 'string' || name.includes('/') || name.includes('\\') || name.startsWith('.')) continue;
      assets.set(name, asset(name, await readFile(join(root, name))));
    }
    const index = assets.get('index.html') ?? asset('index.html', await readFile(join(root, 'index.html')));
    return { index, assets, fromWebPackage: true };
  } catch {
    return { index: asset('index.html', Buffer.from(fallbackPage)), assets: new Map(), fromWebPackage: false };
  }
}

const staticHeaders = {
  'Content-Security-Policy': contentSecurityPolicy,
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

function serveAsset(reply: FastifyReply, file: WebAsset): FastifyReply {
  return reply
    .code(200)
    .headers({ 'Content-Type': file.contentType, ...staticHeaders })
    .send(file.body);
}

/**
 * `GET /` and `GET /assets/:name`: the browser page, public (a browser cannot send a bearer token to open a page;
 * the page asks for the key), with a strict Content-Security-Policy. Only files `@rxllm/web` lists are served.
 *
 * @example
 * ```ts
 * const routes = staticRoutes(await loadWebAssets());
 * ```
 */
export function staticRoutes(web: WebAssets): Route[] {
  return [
    {
      path: '/',
      public: true,
      servedWhileDraining: true,
      methods: { GET: (_request, reply) => serveAsset(reply, web.index) },
    },
    {
      path: '/assets/:name',
      public: true,
      servedWhileDraining: true,
      methods: {
        GET: (request, reply) => {
          const { name } = request.params as { name: string };
          const file = web.assets.get(name);
          if (!file) throw new HttpError({ kind: 'not-found', status: 404, message: `no asset ${name}` });
          return serveAsset(reply, file);
        },
      },
    },
  ];
}
