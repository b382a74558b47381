import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Names of the recorded captures in `packages/anthropic/fixtures/`. */
export type CaptureName = 'text' | 'thinking' | 'tool-use' | 'overloaded-midstream';

/** The raw bytes of a recorded capture, as the mock replays them. */
export function readCapture(name: CaptureName): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/anthropic-${name}.sse`, import.meta.url)), 'utf8');
}

/** A minimal SSE reading of a capture (LF only, one `data:` line per event), for the pure mapper tests. */
export function captureEvents(name: CaptureName): Array<{ event: string; data: { type: string } }> {
  return readCapture(name)
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event =
        lines
          .find((line) => line.startsWith('event:'))
          ?.slice('event:'.length)
          .trim() ?? '';
      const data =
        lines
          .find((line) => line.startsWith('data:'))
          ?.slice('data:'.length)
          .trim() ?? '{}';
      return { event, data: JSON.parse(data) as { type: string } };
    });
}
