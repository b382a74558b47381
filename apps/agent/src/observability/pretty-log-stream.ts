import { writeSync } from 'node:fs';
import { Writable } from 'node:stream';

const levelNames: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const omitted = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);

/** One pino JSON line as a person reads it: `09:41:07.215 INFO  First chunk received: "Once" streamId=…`. */
export function formatLogLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = new Date(typeof record.time === 'number' ? record.time : Date.now()).toISOString().slice(11, 23);
  const level = levelNames[record.level as number] ?? String(record.level);
  const fields = Object.entries(record)
    .filter(([key]) => !omitted.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return `${time} ${level} ${String(record.msg ?? '')}${fields.length > 0 ? `  ${fields.join(' ')}` : ''}`;
}

/**
 * A log destination for terminals: pino's JSON lines (already redacted) rewritten for people, written synchronously
 * so nothing is lost at exit. The agent uses it when stdout is a TTY unless `LOG_FORMAT=json`.
 *
 * @example
 * ```ts
 * const agent = await startAgent({ logStream: prettyLogStream(1) });
 * ```
 */
export function prettyLogStream(fileDescriptor = 1): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      pending += chunk.toString();
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        writeSync(fileDescriptor, `${formatLogLine(pending.slice(0, newline))}\n`);
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
      callback();
    },
  });
}
