import { readFileSync } from 'node:fs';
import type { z } from 'zod';

/**
 * Reads a configuration file of JSON and checks it with `schema`. Throws an error that names the variable, the file
 * and the field at fault (`AGENT_KEYS /etc/keys.json: 0.key: must be at least 16 characters`), never a value: such
 * files hold keys.
 *
 * @example
 * ```ts
 * const keys = readJsonFile('AGENT_KEYS', config.agentKeysFile, keyFileSchema);
 * ```
 */
export function readJsonFile<T>(variable: string, file: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason =
      error instanceof SyntaxError ? 'is not JSON' : `cannot be read (${(error as NodeJS.ErrnoException).code})`;
    throw new Error(`${variable} ${file} ${reason}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${variable} ${file}: ${issue?.path.join('.') || 'the file'}: ${issue?.message}`);
  }
  return parsed.data;
}
