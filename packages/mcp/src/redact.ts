/** Pieces shorter than this are not hidden: a word like `true` would blank out ordinary text. */
const MIN_SECRET_LENGTH = 8;

/**
 * A function that replaces every given secret in a text by `[redacted]`: each value whole, and each of its
 * whitespace-separated pieces (the token of `Bearer <token>`), longest first.
 */
export function redactor(values: Iterable<string>): (text: string) => string {
  const secrets = new Set<string>();
  for (const value of values) {
    for (const piece of [value, ...value.split(/\s+/)]) if (piece.length >= MIN_SECRET_LENGTH) secrets.add(piece);
  }
  const ordered = [...secrets].sort((a, b) => b.length - a.length);
  return (text) => ordered.reduce((result, secret) => result.split(secret).join('[redacted]'), text);
}
