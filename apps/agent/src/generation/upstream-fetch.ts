import { Agent, type Dispatcher, request } from 'undici';

/** Statuses whose response must not have a body (the `Response` constructor refuses one). */
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);

export interface UpstreamFetchOptions {
  /** The connection pool; default one keep-alive undici `Agent` for every upstream origin. */
  dispatcher?: Dispatcher;
}

function headerRecord(init: RequestInit['headers']): Record<string, string> {
  const record: Record<string, string> = {};
  if (!init) return record;
  for (const [name, value] of new Headers(init)) record[name] = value;
  return record;
}

function responseHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.append(name, value);
  }
  return headers;
}

/**
 * The `fetch` the agent gives the vendor SDKs for their upstream requests: undici's `request` (Node streams, one
 * keep-alive pool) behind the `fetch` signature, so a request costs a fraction of the CPU the platform `fetch` spends on
 * its web-stream and `Request`/`Response` machinery (measured in BENCHMARKS.md). The body comes back as a `Response`
 * over the Node stream; aborting the signal, or cancelling that body, closes the connection.
 *
 * Only what the SDKs send takes this path (a string or byte body, or none); anything else (a `Request` object, a
 * stream or form body) goes to the platform `fetch` unchanged. Redirects are not followed: a vendor API answers
 * streaming requests directly, and a 3xx reaches the SDK as the error it is. Timeouts are undici's defaults (300 s
 * for headers and between body bytes), the same as the platform `fetch`; the agent's own first-chunk and idle
 * timeouts are shorter.
 *
 * @example
 * ```ts
 * const fetch = createUpstreamFetch();
 * const provider = createOpenAI({ apiKey, fetch });
 * ```
 */
export function createUpstreamFetch(options: UpstreamFetchOptions = {}): typeof fetch {
  const pool = options.dispatcher ?? new Agent();
  return async (input, init = {}) => {
    const { body } = init;
    const plainBody = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
    if (input instanceof Request || !plainBody) return fetch(input, init);
    const dispatcher = (init as { dispatcher?: Dispatcher }).dispatcher ?? pool;
    const response = await request(input instanceof URL ? input : String(input), {
      method: (init.method ?? 'GET').toUpperCase() as Dispatcher.HttpMethod,
      headers: headerRecord(init.headers),
      body: body ?? null,
      signal: init.signal ?? undefined,
      dispatcher,
    });
    const headers = responseHeaders(response.headers);
    if (NULL_BODY_STATUSES.has(response.statusCode)) {
      // Read to its (empty) end, so the connection goes back to the pool.
      await response.body.dump();
      return new Response(null, { status: response.statusCode, headers });
    }
    // `Response` reads an async iterable body as it is pulled; cancelling it destroys the Node stream (and socket).
    return new Response(response.body as unknown as ReadableStream<Uint8Array>, {
      status: response.statusCode,
      headers,
    });
  };
}
