import { describe, expect, it } from 'vitest';
import { DEFAULT_SEPARATOR, modelToolNames } from './names.js';

const VALID = /^[a-zA-Z0-9_-]{1,64}$/;

describe('modelToolNames', () => {
  it('namespaces with the separator and keeps names that need no change', () => {
    const names = modelToolNames(['search', 'read-file'], 'docs', DEFAULT_SEPARATOR);
    expect([...names]).toEqual([
      ['search', 'docs__search'],
      ['read-file', 'docs__read-file'],
    ]);
    expect([...modelToolNames(['search'], undefined, '__')]).toEqual([['search', 'search']]);
  });

  it('replaces characters outside [a-zA-Z0-9_-] by _', () => {
    const names = modelToolNames(['files.read', 'héllo wörld', '/'], 'my-server', '__');
    expect([...names.values()]).toEqual(['my-server__files_read', 'my-server__h_llo_w_rld', 'my-server___']);
  });

  it('hashes a sanitised name that meets another one, and leaves the unchanged one alone', () => {
    const names = modelToolNames(['a.b', 'a_b', 'a b'], 's', '__');
    expect(names.get('a_b')).toBe('s__a_b');
    expect(names.get('a.b')).toMatch(/^s__a_b_[0-9a-f]{8}$/);
    expect(names.get('a b')).toMatch(/^s__a_b_[0-9a-f]{8}$/);
    expect(new Set(names.values()).size).toBe(3);
  });

  it('cuts names past 64 characters to 64, unique and the same every time', () => {
    const long = ['x'.repeat(80), `${'x'.repeat(80)}y`, `${'x'.repeat(62)}`];
    const names = modelToolNames(long, 'server', '__');
    const values = [...names.values()];
    for (const value of values) expect(value).toMatch(VALID);
    expect(values[0]).toHaveLength(64);
    expect(values[0]?.slice(0, 55)).toBe(`server__${'x'.repeat(47)}`);
    expect(new Set(values).size).toBe(3);
    expect([...modelToolNames(long, 'server', '__')]).toEqual([...names]);
  });

  it('gives valid, unique names for many awkward ones', () => {
    const awkward = Array.from({ length: 200 }, (_, index) => `${'tool.'.repeat(index % 20)}${index % 7}`);
    const names = modelToolNames([...new Set(awkward)], 'ns', '__');
    expect(new Set(names.values()).size).toBe(names.size);
    for (const value of names.values()) expect(value).toMatch(VALID);
  });
});
