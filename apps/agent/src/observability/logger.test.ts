import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built module, as `node dist/main.js` runs it (build first, like the process tests).
const loggerModule = fileURLToPath(new URL('../../dist/observability/logger.js', import.meta.url));

function runScript(body: string): Promise<{ stdout: string; code: number | null }> {
  const script = `import { createLogger, flushLogs } from ${JSON.stringify(loggerModule)};\n${body}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      stdout += text;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, code });
    });
  });
}

describe('createLogger (asynchronous stdout)', () => {
  it('flushLogs writes out every buffered line, in order, before an exit that runs no handlers', async () => {
    // SIGKILL skips pino's own exit hook, so only what flushLogs wrote synchronously can reach the pipe.
    const { stdout } = await runScript(
      `const logger = createLogger('info');
       logger.info({ index: -1 }, 'first');
       await new Promise((resolve) => setTimeout(resolve, 50));
       for (let index = 0; index < 5000; index += 1) logger.info({ index }, 'line ' + 'x'.repeat(200));
       logger.info('last line');
       flushLogs(logger);
       process.kill(process.pid, 'SIGKILL');`,
    );
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(5002);
    expect(lines.slice(0, 5001).map((line) => JSON.parse(line).index)).toEqual(
      Array.from({ length: 5001 }, (_, index) => index - 1),
    );
    expect(JSON.parse(lines[5001] as string).msg).toBe('last line');
  });

  it('writes a line of an idle process without waiting for more', async () => {
    const { stdout } = await runScript(
      `const logger = createLogger('info');
       logger.info('alone');
       setTimeout(() => { process.stdout.write('marker\\n'); }, 300);`,
    );
    expect(
      stdout
        .split('\n')
        .slice(0, 2)
        .map((line) => (line.startsWith('{') ? JSON.parse(line).msg : line)),
    ).toEqual(['alone', 'marker']);
  });

  it('flushLogs is harmless on a logger writing to a caller-supplied stream', async () => {
    const { code, stdout } = await runScript(
      `import { PassThrough } from 'node:stream';
       const stream = new PassThrough();
       const logger = createLogger('info', stream);
       logger.info('to the stream');
       flushLogs(logger);
       process.stdout.write(String(stream.read()).includes('to the stream') ? 'ok' : 'missing');`,
    );
    expect(code).toBe(0);
    expect(stdout).toBe('ok');
  });

  it('bounds what waits for a stdout nobody reads: lines past 16 MiB are dropped, not buffered', async () => {
    const script = `import { createLogger } from ${JSON.stringify(loggerModule)};
      const logger = createLogger('info');
      for (let index = 0; index < 100_000; index += 1) logger.info('x'.repeat(300));
      process.stderr.write('logged\\n');
      setTimeout(() => process.exit(0), 200);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.pause();
    await new Promise<void>((resolve) => child.stderr.once('data', () => resolve()));
    let bytes = 0;
    child.stdout.on('data', (data: Buffer) => {
      bytes += data.length;
    });
    child.stdout.resume();
    await new Promise((resolve) => child.once('close', resolve));
    clearTimeout(timer);
    console.log(`stdout unread while logging ~37 MB: ${bytes} bytes reached the pipe`);
    expect(bytes).toBeGreaterThan(1024 * 1024);
    expect(bytes).toBeLessThanOrEqual(16 * 1024 * 1024 + 1024 * 1024);
  });
});
