import { type Logger, pino } from 'pino';

/** Paths pino blanks out, so a key can never reach a log line even if someone logs a request or config. */
export const redactedPaths = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'request.headers.authorization',
  'headers["sec-websocket-protocol"]',
  'req.headers["sec-websocket-protocol"]',
  'apiKey',
  '*.apiKey',
  'agentApiKey',
  '*.agentApiKey',
  'toolApprovalSecret',
  '*.toolApprovalSecret',
];

/**
 * The agent's pino logger. `LOG_LEVEL=debug` adds a line per chunk.
 *
 * @example
 * ```ts
 * const logger = createLogger('info', process.stdout);
 * logger.info('Streaming response...');
 * ```
 */
export function createLogger(level: string, stream?: NodeJS.WritableStream): Logger {
  const options = { level, base: { service: 'rxllm-agent' }, redact: { paths: redactedPaths, censor: '[redacted]' } };
  // Asynchronous stdout: a synchronous write(2) per line was ~17 % of the agent's CPU on short streams. Lines that
  // arrive while a write is in flight go out together in the next one; nothing waits for a size threshold, so an
  // idle agent's lines still appear at once. `flushLogs` (shutdown, before `process.exit`) writes out the rest.
  // Bounded: if stdout stops being read, lines beyond 16 MiB waiting are dropped instead of growing the heap.
  return pino(
    options,
    stream ? (stream as never) : pino.destination({ dest: 1, sync: false, maxLength: 16 * 1024 * 1024 }),
  );
}

/**
 * Writes out, synchronously, whatever the logger's destination still holds. Call it before `process.exit`; a
 * no-op for streams that have nothing buffered (a `logStream` passed to `startAgent`).
 *
 * @example
 * ```ts
 * logger.info('Shutdown complete');
 * flushLogs(logger);
 * process.exit(0);
 * ```
 */
export function flushLogs(logger: Logger): void {
  const destination = (logger as unknown as Record<symbol, { flushSync?: () => void } | undefined>)[
    pino.symbols.streamSym
  ];
  try {
    destination?.flushSync?.();
  } catch {
    // Not open yet, or already closed: there is nothing this process can still write.
  }
}

/** Shortens text for a log line: `Received message: …`, `Chunk 3: "…"`. */
export function truncateForLog(text: string, maxChars = 200): string {
  const characters = [...text];
  return characters.length <= maxChars
    ? text
    : `${characters.slice(0, maxChars).join('')}… (${characters.length} characters)`;
}
