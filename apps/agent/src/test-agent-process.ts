import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const mainScript = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** The agent executable (`node dist/main.js`) as a child process on a free loopback port. */
export interface AgentProcess {
  url: string;
  /** Everything it wrote (pino JSON lines and stderr). */
  output: string[];
  stop(): Promise<void>;
}

/**
 * Starts `node dist/main.js` with `PORT=0` and reads the chosen port from its `Listening on` line. Build first
 * (`pnpm turbo run build --filter=@rxllm/agent...`; `turbo run test` does it).
 */
export async function startAgentProcess(env: Record<string, string>): Promise<AgentProcess> {
  const output: string[] = [];
  const child: ChildProcess = spawn(process.execPath, [mainScript], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no Listening line: ${output.join('')}`)), 15_000);
    child.stdout?.on('data', (data: Buffer) => {
      output.push(data.toString());
      const match = /Listening on (http:\/\/[^"\s]+)/.exec(output.join(''));
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr?.on('data', (data: Buffer) => output.push(data.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`agent exited (${code}): ${output.join('')}`));
    });
  });
  return {
    url,
    output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
