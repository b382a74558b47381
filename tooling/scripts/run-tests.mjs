#!/usr/bin/env node
// Runs every package's tests through turbo, passes the output through, and ends with one summary line
// ("N passed, M failed") summed over the vitest runs, so CI logs state the count plainly.
import { spawn } from 'node:child_process';

const args = ['exec', 'turbo', 'run', 'test', '--concurrency=2', '--continue', ...process.argv.slice(2)];
const child = spawn('pnpm', args, {
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...process.env, FORCE_COLOR: '0' },
});

let passed = 0;
let failed = 0;
let skipped = 0;
let pending = '';
const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

function scan(text) {
  pending += text;
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const plain = line.replace(ansi, '');
    // vitest: "      Tests  3 failed | 40 passed | 2 skipped (45)"
    const match =
      /^\S*:?test:?\s*Tests\s+(.*)\(\d+\)\s*$/.exec(plain.trim()) ?? /^Tests\s+(.*)\(\d+\)\s*$/.exec(plain.trim());
    const summary = match?.[1] ?? /\bTests\s+(\d+ (?:failed|passed|skipped).*)\(\d+\)\s*$/.exec(plain)?.[1];
    if (!summary) continue;
    for (const [, count, word] of summary.matchAll(/(\d+) (failed|passed|skipped|todo)/g)) {
      if (word === 'passed') passed += Number(count);
      else if (word === 'failed') failed += Number(count);
      else skipped += Number(count);
    }
  }
}

child.stdout.on('data', (data) => {
  process.stdout.write(data);
  scan(data.toString());
});
child.stderr.on('data', (data) => process.stderr.write(data));
child.on('close', (code) => {
  scan('\n');
  console.log(`\nTests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(code ?? 1);
});
