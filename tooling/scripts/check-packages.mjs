#!/usr/bin/env node
// Checks the built packages (run after `turbo run build`):
// 1. every workspace package under packages/ and apps/, private ones too: its dist/ holds no test file or test
//    helper, and no file there imports a package that is only a devDependency (which is what test code does);
// 2. every publishable (non-private) one: publint --strict and @arethetypeswrong/cli --pack.
// `--dist-only` runs the first check alone.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, normalize, relative, sep } from 'node:path';
import ts from 'typescript';

const root = new URL('../..', import.meta.url).pathname;
const distOnly = process.argv.includes('--dist-only');
const directories = ['packages', 'apps']
  .flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name)))
  .filter((directory) => existsSync(join(directory, 'package.json')));

// A path segment that only tests have: `*.test.*` / `*.spec.*` (so `.sdk.test`, `.mock.test`, …), `test-*`,
// `*-test-*` / `*-test.*`, `test/` and `tests/`, `__tests__`, `__mocks__`, `__fixtures__`, `fixtures/`, `*.fixture.*`.
const TEST_SEGMENTS = [
  /\.(test|spec)\./,
  /^tests?([-_.]|$)/,
  /[-_.]tests?[-_.]/,
  /^__(tests|mocks|fixtures)__$/,
  /^fixtures?$/,
  /\.fixtures?\./,
];

function filesUnder(directory) {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** `dist/a/b.js`, `dist/a/b.d.ts` and their maps are one module: `dist/a/b`. */
const moduleOf = (path) => path.replace(/(\.d)?\.[cm]?[jt]s(\.map)?$/, '');

/** The dist files that package.json points at: `exports` (every condition), `main`, `module`, `types`, `bin`. */
function entryPoints(directory, manifest) {
  const targets = [];
  const collect = (value) => {
    if (typeof value === 'string') targets.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect([manifest.exports, manifest.main, manifest.module, manifest.types, manifest.bin]);
  return targets.filter((target) => !target.includes('*')).map((target) => join(directory, target));
}

function importsOf(path) {
  return ts.preProcessFile(readFileSync(path, 'utf8'), true, true).importedFiles.map((file) => file.fileName);
}

/** Every module reachable from the entry points through relative imports, in .js and .d.ts files alike. */
function reachableModules(directory, manifest) {
  const reached = new Set();
  const pending = entryPoints(directory, manifest).map(moduleOf);
  while (pending.length > 0) {
    const module = pending.pop();
    if (reached.has(module)) continue;
    reached.add(module);
    for (const path of [`${module}.js`, `${module}.mjs`, `${module}.d.ts`]) {
      if (!existsSync(path)) continue;
      for (const specifier of importsOf(path)) {
        if (specifier.startsWith('.')) pending.push(moduleOf(normalize(join(dirname(path), specifier))));
      }
    }
  }
  return reached;
}

const packageNameOf = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/**
 * What in `dist/` looks like tests: files with a test name that no entry point reaches (a test kit's own
 * `create-chunk-test-scheduler.js`, exported on purpose, is reached), and files that import a devDependency.
 */
function distProblems(directory, manifest) {
  const dist = join(directory, 'dist');
  if (!existsSync(dist)) return [];
  const reached = reachableModules(directory, manifest);
  const runtime = new Set(
    ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) => Object.keys(manifest[field] ?? {})),
  );
  const devOnly = new Set(Object.keys(manifest.devDependencies ?? {}).filter((name) => !runtime.has(name)));
  const problems = [];
  const testFiles = new Map();
  for (const path of filesUnder(dist)) {
    const shown = relative(directory, path);
    const segments = relative(dist, path).split(sep);
    if (!reached.has(moduleOf(path)) && segments.some((segment) => TEST_SEGMENTS.some((test) => test.test(segment)))) {
      const module = relative(directory, moduleOf(path));
      testFiles.set(module, [...(testFiles.get(module) ?? []), shown.slice(module.length)]);
      continue;
    }
    if (!/\.[cm]?js$/.test(path)) continue;
    const devImports = importsOf(path)
      .filter((specifier) => !specifier.startsWith('.') && !specifier.startsWith('node:'))
      .map(packageNameOf)
      .filter((name) => !builtinModules.includes(name) && name !== manifest.name && devOnly.has(name));
    for (const name of new Set(devImports)) {
      problems.push(`${shown}: imports ${name}, only a devDependency (test code in dist, or a missing dependency)`);
    }
  }
  const testProblems = [...testFiles].map(([module, suffixes]) => {
    const files = suffixes.length === 1 ? `${module}${suffixes[0]}` : `${module}{${suffixes.join(',')}}`;
    return `${files}: a test file or test helper (exclude it in tsconfig.build.json)`;
  });
  return [...testProblems, ...problems];
}

let failures = 0;
for (const directory of directories) {
  const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
  const problems = distProblems(directory, manifest);
  if (problems.length > 0) {
    failures += 1;
    console.log(`FAIL ${manifest.name}: dist holds test code\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  } else {
    console.log(`ok   ${manifest.name}: no test code in dist`);
  }
  if (manifest.private || distOnly) continue;
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
