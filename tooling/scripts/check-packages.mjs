#!/usr/bin/env node
// Runs publint --strict and @arethetypeswrong/cli --pack over every publishable (non-private) workspace package.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const directories = ['packages', 'apps']
  .flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name)))
  .filter((directory) => existsSync(join(directory, 'package.json')));

let failures = 0;
for (const directory of directories) {
  const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
  if (manifest.private) continue;
  for (const [command, args] of [
    ['publint', ['--strict']],
    ['attw', ['--pack', '.', '--profile', 'esm-only']],
  ]) {
    try {
      execFileSync('pnpm', ['exec', command, ...args], { cwd: directory, stdio: 'pipe' });
      console.log(`ok   ${manifest.name}: ${command}`);
    } catch (error) {
      failures += 1;
      console.log(`FAIL ${manifest.name}: ${command}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    }
  }
}
if (failures > 0) {
  console.error(`${failures} package check(s) failed`);
  process.exit(1);
}
