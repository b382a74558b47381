import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The built package, as the agent imports it (turbo runs `build` before `test`).
const built = join(import.meta.dirname, '..', 'dist', 'index.js');

describe('the built page', () => {
  it('exports webRoot holding every file of webFiles', async () => {
    expect(existsSync(built), 'run `pnpm --filter @rxllm/web build` first').toBe(true);
    const { webFiles, webRoot } = (await import(built)) as typeof import('./index.js');
    expect(webRoot.endsWith(join('dist', 'public'))).toBe(true);
    expect(webFiles).toEqual(['index.html', 'app.js', 'app.css']);
    for (const file of webFiles) expect(existsSync(join(webRoot, file)), file).toBe(true);
  });

  it('references its assets under /assets and has nothing inline, so a strict CSP allows it', async () => {
    const { webRoot } = (await import(built)) as typeof import('./index.js');
    const html = readFileSync(join(webRoot, 'index.html'), 'utf8');
    expect(html).toContain('<script type="module" src="/assets/app.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/assets/app.css" />');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/\son[a-z]+=/);
  });
});
