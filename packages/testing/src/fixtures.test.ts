import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readWireFixture, WIRE_FIXTURES, wireFixturePath } from './fixtures.js';

describe('wire fixtures', () => {
  it('lists exactly the captures in fixtures/, each non-empty and documented in SOURCES.md', () => {
    const directory = dirname(wireFixturePath('anthropic-text'));
    const files = readdirSync(directory).filter((file) => file.endsWith('.sse'));
    expect(files.map((file) => file.replace(/\.sse$/, '')).sort()).toEqual([...WIRE_FIXTURES].sort());
    const sources = readFileSync(join(directory, 'SOURCES.md'), 'utf8');
    for (const name of WIRE_FIXTURES) {
      expect(readWireFixture(name).length).toBeGreaterThan(0);
      expect(sources).toContain(`## ${name}.sse`);
    }
  });
});
