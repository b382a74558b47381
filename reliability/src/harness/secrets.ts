import { writeResult } from './results.js';

/**
 * Marker secrets: every agent in the suite gets these as its keys, and every log line and response body the suite
 * sees is scanned for them. They are deliberately distinctive so a hit can only be a leak.
 */
export const markerKeys = {
  OPENAI_API_KEY: 'sk-openai-RELIABILITY-MARKER-5e7a1c',
  ANTHROPIC_API_KEY: 'sk-ant-RELIABILITY-MARKER-9b3f20',
  GEMINI_API_KEY: 'AIza-gemini-RELIABILITY-MARKER-d41d8c',
  GOOGLE_API_KEY: 'AIza-google-RELIABILITY-MARKER-a11ce5',
} as const;

/** The bearer token clients must send when an agent runs with `AGENT_API_KEY` (also a secret: never echoed). */
export const markerAgentToken = 'agent-token-RELIABILITY-MARKER-0f9e8d';

const needles: string[] = [...Object.values(markerKeys), markerAgentToken].flatMap((secret) => [
  secret,
  Buffer.from(secret).toString('base64'),
  // A distinctive tail: catches a key that was cut or partly masked.
  secret.slice(-14),
]);

/** Counts what one test file scanned and any hits, and writes them to `results/secrets-<name>.json`. */
export class SecretScanner {
  private logLines = 0;
  private bodies = 0;
  private bytes = 0;
  readonly hits: Array<{ source: string; needle: string; excerpt: string }> = [];

  constructor(private readonly name: string) {}

  /** Scans one log line the agent wrote. */
  logLine(line: string, source = 'log'): void {
    this.logLines += 1;
    this.scan(line, source);
  }

  /** Scans one response body (or WebSocket frame) a client read. */
  body(text: string, source = 'response'): void {
    this.bodies += 1;
    this.scan(text, source);
  }

  private scan(text: string, source: string): void {
    this.bytes += text.length;
    for (const needle of needles) {
      const at = text.indexOf(needle);
      if (at >= 0) {
        // The excerpt shows where it leaked with the secret itself masked.
        const excerpt = text.slice(Math.max(0, at - 60), at + needle.length + 60).replaceAll(needle, '<MARKER>');
        this.hits.push({ source, needle: `${needle.slice(0, 6)}…`, excerpt });
      }
    }
  }

  /** Writes the tally; returns it so the test can assert on it. */
  report(): { logLines: number; bodies: number; bytes: number; hits: number } {
    const tally = { logLines: this.logLines, bodies: this.bodies, bytes: this.bytes, hits: this.hits.length };
    writeResult(`secrets-${this.name}`, { ...tally, hitDetails: this.hits.slice(0, 20) });
    return tally;
  }
}
