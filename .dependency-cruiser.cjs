// The repository's import rules (CONTRIBUTING.md, "Layers"), checked by `pnpm lint` with dependency-cruiser.
// Type-only imports count (tsPreCompilationDeps): a cycle through an `import type` is still a cycle.
const { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');

/**
 * `@rxllm/*` imports resolve to the workspace packages' sources, not their built `dist/`, so the rules and the
 * cycle check see across packages and need no build: a tsconfig with one `paths` entry per `exports` subpath
 * (`./dist/x.js` → `src/x.ts`), written to node_modules/.cache for dependency-cruiser's resolver.
 */
function workspaceTsConfig() {
  const paths = {};
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(__dirname, group))) {
      const manifestPath = join(__dirname, group, name, 'package.json');
      if (!existsSync(manifestPath)) continue;
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
      for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
        const file = typeof target === 'string' ? target : target.import;
        if (typeof file !== 'string' || !file.startsWith('./dist/')) continue;
        const source = file.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts');
        paths[`${manifest.name}${subpath.slice(1)}`] = [`${group}/${name}/${source}`];
      }
    }
  }
  const directory = join(__dirname, 'node_modules', '.cache');
  mkdirSync(directory, { recursive: true });
  const fileName = join(directory, 'dependency-cruiser.tsconfig.json');
  const compilerOptions = { baseUrl: __dirname, paths, module: 'NodeNext', moduleResolution: 'NodeNext' };
  writeFileSync(
    fileName,
    JSON.stringify({ compilerOptions, files: [join(__dirname, 'packages/core/src/index.ts')] }, null, 2),
  );
  return fileName;
}

/** A workspace package or an npm module, however pnpm resolves it (a workspace symlink or node_modules/.pnpm/…). */
const dependency = (names) => `(^|/)(packages/(${names.workspace.join('|')})/|node_modules/(${names.npm.join('|')})/)`;
const npmPackage = '(^|/)node_modules/';
const notTest = '\\.test\\.ts$|(^|/)test-[^/]*\\.ts$|/testing/';

/** Operators import only the core and rxjs. */
const operatorRule = (name, extra = []) => ({
  name: `${name}-imports-core-and-rxjs`,
  comment: `@rxllm/${name} is an operator package: it imports @rxllm/core and rxjs${extra.length ? ` (and its adapters' ${extra.join(', ')})` : ''}`,
  severity: 'error',
  from: { path: `^packages/${name}/src/`, pathNot: notTest },
  to: {
    pathNot: [`^packages/${name}/`, dependency({ workspace: ['core'], npm: ['rxjs', ...extra] })],
    dependencyTypesNot: ['core'],
  },
});

/** Providers import the core, rxjs and their vendor's SDK. */
const providerRule = (name, sdks, workspace = []) => ({
  name: `${name}-imports-core-and-its-sdk`,
  comment: `@rxllm/${name} is a provider package: it imports @rxllm/core, rxjs and ${sdks.join(', ')}`,
  severity: 'error',
  from: { path: `^packages/${name}/src/`, pathNot: notTest },
  to: {
    pathNot: [`^packages/${name}/`, dependency({ workspace: ['core', ...workspace], npm: ['rxjs', ...sdks] })],
    dependencyTypesNot: ['core'],
  },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycle anywhere in the repository, type-only imports included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'agent-only-the-assembly-imports-routes',
      comment: 'apps/agent: only the server assembly (app/server.ts) imports routes/; a route may use its own family.',
      severity: 'error',
      from: {
        path: '^apps/agent/src/',
        pathNot: ['^apps/agent/src/routes/', '^apps/agent/src/app/server\\.ts$', notTest],
      },
      to: { path: '^apps/agent/src/routes/' },
    },
    {
      name: 'agent-transports-never-import-routes',
      comment: 'apps/agent: a transport (SSE, JSON reply, WebSocket session, queue) knows no route.',
      severity: 'error',
      from: { path: '^apps/agent/src/transports/' },
      to: { path: '^apps/agent/src/routes/' },
    },
    {
      name: 'agent-lower-layers-never-import-app',
      comment: 'apps/agent: http, transports, generation, observability and lib import only the context from app/.',
      severity: 'error',
      from: { path: '^apps/agent/src/(http|transports|generation|observability|lib)/', pathNot: notTest },
      to: { path: '^apps/agent/src/app/', pathNot: '^apps/agent/src/app/context\\.ts$' },
    },
    {
      name: 'packages-never-import-apps',
      comment: 'Packages are the libraries the apps are built from, never the other way round.',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'core-knows-no-vendor',
      comment: '@rxllm/core imports rxjs and eventsource-parser only: nothing in core knows a vendor.',
      severity: 'error',
      from: { path: '^packages/core/src/', pathNot: notTest },
      to: {
        pathNot: ['^packages/core/', dependency({ workspace: [], npm: ['rxjs', 'eventsource-parser'] })],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'protocol-is-browser-safe',
      comment:
        '@rxllm/protocol is bundled into the page: it imports @rxllm/core and eventsource-parser, no Node built-in.',
      severity: 'error',
      from: { path: '^packages/protocol/src/', pathNot: notTest },
      to: {
        pathNot: ['^packages/(protocol|core)/', dependency({ workspace: [], npm: ['eventsource-parser', 'rxjs'] })],
      },
    },
    operatorRule('buffer'),
    operatorRule('timeout'),
    operatorRule('retry'),
    operatorRule('cache'),
    operatorRule('balance'),
    operatorRule('structured', ['zod']),
    operatorRule('tools', ['zod']),
    operatorRule('metrics', ['@opentelemetry/api', 'prom-client', 'pino']),
    providerRule('openai', ['openai', 'undici']),
    providerRule('anthropic', ['@anthropic-ai/sdk']),
    providerRule('gemini', ['@google/generative-ai'], ['gemini-common']),
    providerRule('google-genai', ['@google/genai'], ['gemini-common']),
    providerRule('gemini-common', []),
    {
      name: 'no-unresolvable',
      comment: 'Every import resolves (a typo or a missing dependency).',
      severity: 'error',
      from: { path: '^(apps|packages)/[^/]+/src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: npmPackage },
    exclude: { path: '(^|/)(dist|coverage|\\.turbo)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: workspaceTsConfig() },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
