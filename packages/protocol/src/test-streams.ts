/** A body that delivers `text` as UTF-8 in pieces of `pieceSize` bytes (so splits fall inside characters too). */
export function bodyOf(text: string, pieceSize = Number.POSITIVE_INFINITY) {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  const seen = { cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      const end = Math.min(bytes.length, offset + pieceSize);
      controller.enqueue(bytes.slice(offset, end));
      offset = end;
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { body, seen };
}

/** Everything an async iterable yields, and the error it ended with, if any. */
export async function drain<T>(iterable: AsyncIterable<T>): Promise<{ items: T[]; error: unknown }> {
  const items: T[] = [];
  try {
    for await (const item of iterable) items.push(item);
    return { items, error: undefined };
  } catch (error) {
    return { items, error };
  }
}
