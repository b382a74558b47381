import { createHash } from 'node:crypto';

/** What OpenAI and Anthropic take as a function name (Gemini takes a superset). */
const VALID_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_LENGTH = 64;
const HASH_LENGTH = 8;

/**
 * The separator between a namespace and a tool name: `server__tool`. A dot (`server.tool`) reads better but OpenAI
 * and Anthropic refuse function names outside `^[a-zA-Z0-9_-]{1,64}$`.
 *
 * @example
 * ```ts
 * `docs${DEFAULT_SEPARATOR}search`; // 'docs__search'
 * ```
 */
export const DEFAULT_SEPARATOR = '__';

const sanitize = (name: string): string => name.replace(/[^a-zA-Z0-9_-]/g, '_') || '_';

const shortHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);

/** The candidate cut to leave room for `_` and a hash of the full name: unique and at most 64 characters. */
const hashed = (candidate: string, full: string): string =>
  `${candidate.slice(0, MAX_LENGTH - HASH_LENGTH - 1)}_${shortHash(full)}`;

/** Throws unless the separator is made of characters a model-facing name may hold. */
export function checkSeparator(separator: string): void {
  if (!/^[a-zA-Z0-9_-]+$/.test(separator)) {
    throw new TypeError('an MCP tool name separator may only hold letters, digits, "_" and "-"');
  }
}

/**
 * The model-facing names of a server's tools, by their MCP names, in the order given: `namespace + separator + name`
 * with every character outside `[a-zA-Z0-9_-]` replaced by `_`. A name that is then longer than 64 characters, or
 * that sanitising made equal to another one, is cut and ends in `_` and 8 hex digits of a SHA-256 of the full
 * name; a name that needed no change keeps it. The same listing always gives the same names.
 *
 * @example
 * ```ts
 * modelToolNames(['search', 'files.read'], 'docs', '__'); // Map { 'search' => 'docs__search', 'files.read' => 'docs__files_read' }
 * ```
 */
export function modelToolNames(
  mcpNames: readonly string[],
  namespace: string | undefined,
  separator: string,
): Map<string, string> {
  const full = (name: string) => (namespace === undefined ? name : `${namespace}${separator}${name}`);
  const candidates = new Map<string, string>();
  const holders = new Map<string, number>();
  for (const name of mcpNames) {
    const candidate = sanitize(full(name));
    candidates.set(name, candidate);
    holders.set(candidate, (holders.get(candidate) ?? 0) + 1);
  }
  // Names that need no change are reserved first, so that no cut or hashed name can take one of them.
  const keeps = (name: string, candidate: string) => candidate === full(name) && VALID_NAME.test(candidate);
  const taken = new Set([...candidates].filter(([name, candidate]) => keeps(name, candidate)).map(([, kept]) => kept));
  const names = new Map<string, string>();
  for (const [name, candidate] of candidates) {
    if (keeps(name, candidate)) {
      names.set(name, candidate);
      continue;
    }
    const alone = (holders.get(candidate) ?? 0) === 1 && candidate.length <= MAX_LENGTH;
    let chosen = alone ? candidate : hashed(candidate, full(name));
    // A hash that lands on a name already given (astronomically rare) is hashed again, deterministically.
    while (taken.has(chosen)) chosen = hashed(candidate, `${full(name)}#${chosen}`);
    taken.add(chosen);
    names.set(name, chosen);
  }
  return names;
}
