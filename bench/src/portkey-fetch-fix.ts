/**
 * Loaded with `node --import` before the Portkey gateway 1.15.x: on Node its `fetch` responses have immutable
 * headers, and the gateway's own header edits then throw `TypeError: immutable` (Portkey-AI/gateway#1389).
 * Re-wrapping each response in a fresh `Response` with fresh `Headers` is the workaround named in the bench brief.
 */
const originalFetch = globalThis.fetch;

globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
  const response = await originalFetch(input, init);
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: new Headers(response.headers),
  });
};

export {};
