import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The recorded vendor streams shipped in `fixtures/` (provenance in `fixtures/SOURCES.md`).
 *
 * @example
 * ```ts
 * for (const name of WIRE_FIXTURES.filter((fixture) => fixture.startsWith('gemini'))) mock.enqueue({ replay: readWireFixture(name) });
 * ```
 */
export const WIRE_FIXTURES = [
  'anthropic-overloaded-midstream',
  'anthropic-text',
  'anthropic-thinking',
  'anthropic-tool-use',
  'gemini-3-text-thoughtsig',
  'gemini-finish-safety',
  'gemini-text-utf8-crlf',
  'openai-chat-azure-content-filter',
  'openai-chat-refusal',
  'openai-chat-text-usage',
  'openai-chat-tool-call',
  'openai-responses-error',
  'openai-responses-tool-call',
] as const;

export type WireFixtureName = (typeof WIRE_FIXTURES)[number];

/**
 * Absolute path of a recorded capture.
 *
 * @example
 * ```ts
 * const path = wireFixturePath('openai-chat-text-usage'); // …/@rxllm/testing/fixtures/openai-chat-text-usage.sse
 * ```
 */
export function wireFixturePath(name: WireFixtureName): string {
  // Same depth from src/ and dist/, so this works in tests and in the published package.
  return fileURLToPath(new URL(`../fixtures/${name}.sse`, import.meta.url));
}

/**
 * The bytes of a recorded capture, ready for a mock script's `replay`.
 *
 * @example
 * ```ts
 * mock.enqueue({ replay: readWireFixture('anthropic-text'), delivery: { split: 1 } });
 * ```
 */
export function readWireFixture(name: WireFixtureName): Buffer {
  return readFileSync(wireFixturePath(name));
}
