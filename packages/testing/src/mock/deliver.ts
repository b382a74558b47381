import type { ServerResponse } from 'node:http';
import type { Frame, RenderedResponse } from './frames.js';
import type { MockDelivery } from './script.js';

/** Ends of a delivery, for the recording. */
export type DeliveryOutcome = 'finished' | 'dropped' | 'stalled' | 'client-gone';

/** Resolves after `milliseconds`, or at once when the response closes, so a gone client never leaves a timer behind. */
function pause(milliseconds: number, response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      response.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, milliseconds);
    response.once('close', done);
  });
}

const gone = (response: ServerResponse) => response.destroyed || response.socket === null;

function withLineEnding(frame: Frame, lineEnding: 'lf' | 'crlf'): string | Uint8Array {
  if (frame.raw || lineEnding === 'lf' || typeof frame.data !== 'string') return frame.data;
  return frame.data.replace(/\n/g, '\r\n');
}

/** Cuts the body into the writes that `split` asks for. */
function writesOf(parts: Array<string | Uint8Array>, split: MockDelivery['split']): Array<string | Uint8Array> {
  if (split === undefined || split === 'event') return parts;
  const body = Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part)));
  if (split === 'one-write') return body.length === 0 ? [] : [body];
  const offsets: number[] = [];
  if (typeof split === 'number') {
    const size = Math.max(1, Math.floor(split));
    for (let offset = size; offset < body.length; offset += size) offsets.push(offset);
  } else {
    offsets.push(...[...split].filter((offset) => offset > 0 && offset < body.length).sort((a, b) => a - b));
  }
  const writes: Uint8Array[] = [];
  let start = 0;
  for (const offset of [...offsets, body.length]) {
    if (offset > start) writes.push(body.subarray(start, offset));
    start = offset;
  }
  return writes;
}

/**
 * Writes a rendered response to the socket, applying the delivery faults. Without delays it writes synchronously:
 * no timer per event, so a thousand concurrent streams stay cheap.
 */
export async function deliver(
  response: ServerResponse,
  rendered: RenderedResponse,
  delivery: MockDelivery,
  defaultLineEnding: 'lf' | 'crlf',
): Promise<DeliveryOutcome> {
  if (delivery.headersDelayMs) await pause(delivery.headersDelayMs, response);
  if (gone(response)) return 'client-gone';
  response.writeHead(rendered.status, rendered.headers);
  response.flushHeaders();
  const cut = delivery.dropAfterEvents ?? delivery.stallAfterEvents;
  const frames = cut === undefined ? rendered.frames : rendered.frames.filter((frame) => frame.eventIndex < cut);
  const lineEnding = delivery.lineEnding ?? defaultLineEnding;
  const writes = writesOf(
    frames.map((frame) => withLineEnding(frame, lineEnding)),
    delivery.split,
  );
  if (delivery.firstByteDelayMs) await pause(delivery.firstByteDelayMs, response);
  for (const [index, write] of writes.entries()) {
    if (index > 0 && delivery.eventDelayMs) await pause(delivery.eventDelayMs, response);
    if (gone(response)) return 'client-gone';
    response.write(write);
  }
  if (gone(response)) return 'client-gone';
  if (delivery.dropAfterEvents !== undefined) {
    const socket = response.socket!;
    // Let what was written reach the client first, then cut the connection without the chunked terminator.
    socket.write('', () => socket.destroy());
    return 'dropped';
  }
  if (delivery.stallAfterEvents !== undefined) return 'stalled';
  response.end();
  return 'finished';
}
