import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.js';

/**
 * Reads a JSON request body of at most `maxBytes` within `timeoutMs`. Over the limit it rejects with a 413 as soon
 * as the limit is passed (or at once from `Content-Length`) without keeping the rest: the remainder is discarded as
 * it arrives.
 *
 * @example
 * ```ts
 * const body = await readJsonBody(request, 1024 * 1024); // throws HttpError 400/413
 * ```
 */
export async function readJsonBody(request: IncomingMessage, maxBytes: number, timeoutMs = 30_000): Promise<unknown> {
  const tooLarge = () =>
    new HttpError({
      kind: 'invalid-request',
      status: 413,
      message: `request body is larger than ${maxBytes} bytes`,
      headers: { Connection: 'close' },
    });
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    discardRest(request, maxBytes);
    throw tooLarge();
  }
  const parts: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    let size = 0;
    const onData = (part: Buffer) => {
      size += part.length;
      if (size > maxBytes) {
        cleanup();
        parts.length = 0;
        discardRest(request, maxBytes);
        reject(tooLarge());
        return;
      }
      parts.push(part);
    };
    const onEnd = () => {
      cleanup();
      resolve();
    };
    const onError = () => {
      cleanup();
      reject(new HttpError({ kind: 'invalid-request', message: 'request body could not be read' }));
    };
    // A client that trickles its body never ties up the server: the whole body must arrive within `timeoutMs`.
    const timer = setTimeout(() => {
      cleanup();
      request.socket.destroy();
      reject(new HttpError({ kind: 'timeout', status: 408, message: 'request body took too long' }));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
  // A client that sent its request and left (or one a busy server got to late) may be gone already: its FIN or RST
  // is read one event-loop turn after the request at the earliest. Two turns later it has been seen, and such a
  // request ends here, before any upstream request is made for it.
  await afterPendingIo();
  await afterPendingIo();
  if (clientLeft(request))
    throw new HttpError({ kind: 'aborted', message: 'the client left before its request was read' });
  const text = Buffer.concat(parts).toString('utf8');
  if (text.trim() === '')
    throw new HttpError({ kind: 'invalid-request', message: 'request body is empty: send a JSON object' });
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError({ kind: 'invalid-request', message: 'request body is not valid JSON' });
  }
}

/**
 * Lets the client finish sending so it can read our 413, but without storing a byte; a client that keeps sending
 * far past the limit loses its connection.
 */
function discardRest(request: IncomingMessage, maxBytes: number): void {
  let discarded = 0;
  request.on('data', (part: Buffer) => {
    discarded += part.length;
    if (discarded > maxBytes * 8) request.socket.destroy();
  });
  request.resume();
  setTimeout(() => {
    if (!request.complete) request.socket.destroy();
  }, 5_000).unref();
}

/** Resolves after the event loop's next check phase: the I/O that was already waiting has been handled by then. */
export function afterPendingIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The request's client has closed or reset its connection: nothing can reach it any more. */
export function clientLeft(request: IncomingMessage): boolean {
  const { socket } = request;
  // Node answers a client's FIN by ending its own side (no half-open HTTP), so an ended write side means it left.
  // Strict comparisons: an in-process request (light-my-request) has a stand-in socket without these fields.
  return socket.destroyed === true || socket.writable === false;
}
