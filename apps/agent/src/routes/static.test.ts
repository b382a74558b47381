import { describe, expect, it } from 'vitest';
import { loadWebAssets } from './static.js';

describe('loadWebAssets', () => {
  it('loads index.html and only the files @rxllm/web lists', async () => {
    const web = await loadWebAssets();
    expect(web.fromWebPackage).toBe(true);
    expect(web.index.contentType).toBe('text/html; charset=utf-8');
    expect([...web.assets.keys()].sort()).toEqual(['app.css', 'app.js', 'index.html']);
  });

  it('falls back to a minimal page when the web package is missing', async () => {
    const web = await loadWebAssets('@rxllm/no-such-web-package');
    expect(web.fromWebPackage).toBe(false);
    expect(web.assets.size).toBe(0);
    expect(web.index.body.toString()).toContain('is not built');
  });
});
