const leadByte = 0xe2;
const middleByte = 0x80;
/** Last byte of U+2028 (`E2 80 A8`) and of U+2029 (`E2 80 A9`), and the ASCII of the JSON escape each becomes. */
const escapes = new Map<number, Uint8Array>([
  [0xa8, new TextEncoder().encode('\\u2028')],
  [0xa9, new TextEncoder().encode('\\u2029')],
]);
const growthPerEscape = 6 - 3;

function isSeparatorAt(bytes: Uint8Array, index: number): boolean {
  return bytes[index] === leadByte && bytes[index + 1] === middleByte && escapes.has(bytes[index + 2] as number);
}

/** Replaces every complete `E2 80 A8` / `E2 80 A9` in `bytes`; returns `bytes` itself when there is none. */
function escapeComplete(bytes: Uint8Array): Uint8Array {
  let count = 0;
  for (let index = bytes.indexOf(leadByte); index !== -1; index = bytes.indexOf(leadByte, index + 1)) {
    if (isSeparatorAt(bytes, index)) count += 1;
  }
  if (count === 0) return bytes;
  const output = new Uint8Array(bytes.length + count * growthPerEscape);
  let written = 0;
  let copiedUpTo = 0;
  for (let index = bytes.indexOf(leadByte); index !== -1; index = bytes.indexOf(leadByte, index + 1)) {
    if (!isSeparatorAt(bytes, index)) continue;
    output.set(bytes.subarray(copiedUpTo, index), written);
    written += index - copiedUpTo;
    const replacement = escapes.get(bytes[index + 2] as number) as Uint8Array;
    output.set(replacement, written);
    written += replacement.length;
    copiedUpTo = index + 3;
  }
  output.set(bytes.subarray(copiedUpTo), written);
  return output;
}

/** How many trailing bytes could be the start of a separator whose rest is in the next read (0, 1 or 2). */
function incompleteTail(bytes: Uint8Array): number {
  const length = bytes.length;
  if (length >= 1 && bytes[length - 1] === leadByte) return 1;
  if (length >= 2 && bytes[length - 2] === leadByte && bytes[length - 1] === middleByte) return 2;
  return 0;
}

/**
 * A byte stream transform that turns each raw U+2028 / U+2029 (UTF-8 `E2 80 A8` / `E2 80 A9`) into the JSON escape
 * `\u2028` / `\u2029`, also when a network read splits the sequence. It holds back at most two bytes, never a whole
 * body.
 *
 * Why: `@google/generative-ai` 0.24.1 finds SSE events with `/^data\: (.*)(?:\n\n|\r\r|\r\n\r\n)/`, and `.` does not
 * match these two characters, so a model reply containing one stalls the stream (WIRE.md §5.2). In valid JSON they
 * can only occur inside strings, where the escape means the same character, and `E2` is never a continuation byte,
 * so the rewrite cannot touch anything else.
 *
 * @example
 * ```ts
 * const body = response.body?.pipeThrough(escapeLineSeparators());
 * const fixed = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
 * ```
 */
export function escapeLineSeparators(): TransformStream<Uint8Array, Uint8Array> {
  let carried: Uint8Array | undefined;
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      let bytes = chunk;
      if (carried) {
        bytes = new Uint8Array(carried.length + chunk.length);
        bytes.set(carried);
        bytes.set(chunk, carried.length);
        carried = undefined;
      }
      const held = incompleteTail(bytes);
      if (held > 0) carried = bytes.slice(bytes.length - held);
      const complete = held > 0 ? bytes.subarray(0, bytes.length - held) : bytes;
      if (complete.length > 0) controller.enqueue(escapeComplete(complete));
    },
    flush(controller) {
      if (carried) controller.enqueue(carried);
    },
  });
}
