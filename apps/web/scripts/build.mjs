// Builds the page into dist/public (app.js bundled by esbuild, app.css minified, index.html copied) and the
// node-side entry (dist/index.js + .d.ts) with tsc.
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const publicDirectory = join(root, 'dist', 'public');

// No clean step: other packages' builds and tests may be reading dist/ at this moment; every file is overwritten.
await mkdir(publicDirectory, { recursive: true });

await build({
  absWorkingDir: root,
  entryPoints: ['src/app.ts'],
  outfile: join(publicDirectory, 'app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox115', 'safari16'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
await build({
  absWorkingDir: root,
  entryPoints: ['src/app.css'],
  outfile: join(publicDirectory, 'app.css'),
  minify: true,
  logLevel: 'warning',
});
await copyFile(join(root, 'src', 'index.html'), join(publicDirectory, 'index.html'));

const require = createRequire(import.meta.url);
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
