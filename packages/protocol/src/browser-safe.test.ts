import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The page bundles this package for the browser: no Node built-in may reach it.
const sources = readdirSync(import.meta.dirname)
  .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.startsWith('test-'))
  .map((name) => ({ name, text: readFileSync(join(import.meta.dirname, name), 'utf8') }))
  // TSDoc examples may show Node code; only the code counts.
  .map(({ name, text }) => ({ name, text: text.replace(/\/\*\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '') }));

describe('browser safety', () => {
  it('finds the sources', () => {
    expect(sources.map(({ name }) => name)).toContain('index.ts');
  });

  it('imports only @rxllm/core, eventsource-parser and its own files', () => {
    for (const { name, text } of sources) {
      const imported = [...text.matchAll(/from '([^']+)'/g)].map((match) => match[1]);
      for (const specifier of imported) {
        expect(specifier, `${name} imports ${specifier}`).toMatch(
          /^(\.\/[a-z-]+\.js|@rxllm\/core|eventsource-parser)$/,
        );
      }
    }
  });

  it('uses no Node global', () => {
    for (const { name, text } of sources) expect(text, name).not.toMatch(/\b(Buffer|process|require)\b[.(]/);
  });
});
