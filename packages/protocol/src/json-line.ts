/**
 * `JSON.stringify` that also escapes U+2028 and U+2029, so no line terminator of any kind reaches the wire
 * (JSON already escapes `\n` and `\r`): model output can never start a new SSE field or event.
 *
 * @example
 * ```ts
 * toJsonLine({ text: 'a\u2028b' }); // '{"text":"a\\u2028b"}'
 * ```
 */
export function toJsonLine(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
