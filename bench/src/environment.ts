import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the report says about the machine and the software a run measured. */
export interface RunEnvironment {
  command: string;
  startedAt: string;
  durationS?: number;
  node: string;
  kernel: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  freeMemoryGiB: number;
  openFilesLimit: string;
  /** 1-minute load average at the start and at the end: other work on the machine skews every number. */
  loadAverageAtStart: number;
  loadAverageAtEnd?: number;
  gitCommit: string;
  gitDirty: boolean;
  versions: Record<string, string>;
}

const here = dirname(fileURLToPath(import.meta.url));
const benchRoot = join(here, '..');

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { cwd: benchRoot, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

const PACKAGES = [
  'openai',
  '@anthropic-ai/sdk',
  'ai',
  '@ai-sdk/openai',
  '@ai-sdk/anthropic',
  '@portkey-ai/gateway',
  'undici',
  'rxjs',
  '@rxllm/core',
  '@rxllm/openai',
  '@rxllm/anthropic',
  '@rxllm/buffer',
  '@rxllm/timeout',
  '@rxllm/metrics',
  '@rxllm/agent',
];

export function describeEnvironment(command: string): RunEnvironment {
  const versions: Record<string, string> = {};
  for (const name of PACKAGES) {
    try {
      // Not `require.resolve(name/package.json)`: the SDKs' export maps do not expose it.
      const packageJsonPath = join(benchRoot, 'node_modules', name, 'package.json');
      versions[name] = (JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version: string }).version;
    } catch {
      versions[name] = 'not resolvable';
    }
  }
  return {
    command,
    startedAt: new Date().toISOString(),
    node: process.version,
    kernel: release(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    openFilesLimit: run('sh', ['-c', 'ulimit -n']),
    loadAverageAtStart: Math.round(loadavg()[0]! * 100) / 100,
    gitCommit: run('git', ['rev-parse', '--short', 'HEAD']),
    gitDirty: run('git', ['status', '--porcelain', '--', '..']) !== '',
    versions,
  };
}
