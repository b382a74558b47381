#!/usr/bin/env node
// Fails when a function in apps/*/src or packages/*/src (tests excepted) is longer than the limit. Vendor stream
// state machines are the named exceptions (CONTRIBUTING.md, "Function length"): they follow the vendor's event list.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = new URL('../..', import.meta.url).pathname;
const limit = 120;
/** `path:function` of the vendor stream state machines allowed to be longer. */
const exceptions = new Set([
  // Anthropic's Messages stream: message_start, content_block_start/delta/stop per block type, message_delta, ping,
  // error, message_stop, in one switch that keeps the per-block state next to the events that change it.
  'packages/anthropic/src/event-mapper.ts:createEventMapper',
  // The mock upstream writing the same event list, for the same reason.
  'packages/testing/src/mock/anthropic-dialect.ts:anthropicStream',
]);

function* sourceFiles(directory) {
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'node_modules' && name !== 'dist') yield* sourceFiles(path);
    } else if (
      /\.(ts|tsx)$/.test(name) &&
      !/\.d\.ts$/.test(name) &&
      !/\.test\.tsx?$/.test(name) &&
      !/test-/.test(name)
    ) {
      yield path;
    }
  }
}

function nameOf(node) {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  if (node.name && ts.isPrivateIdentifier(node.name)) return node.name.text;
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return '(anonymous)';
}

const long = [];
for (const group of ['apps', 'packages']) {
  for (const project of readdirSync(join(root, group))) {
    const source = join(root, group, project, 'src');
    try {
      statSync(source);
    } catch {
      continue;
    }
    for (const file of sourceFiles(source)) {
      const text = readFileSync(file, 'utf8');
      const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
      const visit = (node) => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const start = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line;
          const end = sourceFile.getLineAndCharacterOfPosition(node.end).line;
          const lines = end - start + 1;
          const where = `${relative(root, file)}:${nameOf(node)}`;
          if (lines > limit && !exceptions.has(where)) long.push({ where, line: start + 1, lines });
        }
        ts.forEachChild(node, visit);
      };
      visit(sourceFile);
    }
  }
}
for (const { where, line, lines } of long.sort((a, b) => b.lines - a.lines)) {
  console.log(`${where} (line ${line}): ${lines} lines`);
}
if (long.length > 0) {
  console.error(
    `${long.length} function(s) over ${limit} lines; split them, or name a vendor stream state machine in the exceptions`,
  );
  process.exit(1);
}
console.log(`no function over ${limit} lines in apps/*/src and packages/*/src`);
