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
  // Synchronous stdout so the last lines before `process.exit` (shutdown) are never lost.
  return pino(options, stream ? (stream as never) : pino.destination({ dest: 1, sync: true }));
}

/** Shortens text for a log line: `Received message: …`, `Chunk 3: "…"`. */
export function truncateForLog(text: string, maxChars = 200): string {
  const characters = [...text];
  return characters.length <= maxChars
    ? text
    : `${characters.slice(0, maxChars).join('')}… (${characters.length} characters)`;
}
