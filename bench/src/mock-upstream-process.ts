import { type MockScript, mockUpstream } from '@rxllm/testing';
import { serveRpc } from './processes.js';
import { shapeFromModel, textPiece } from './wire.js';

/**
 * Fork entry: `@rxllm/testing`'s mock upstream serving the same `bench-N-D` streams as the bench's own upstream,
 * only to measure whether the mock would be a fair upstream for gateway numbers (it is not the upstream the
 * gateway runs use).
 */
const upstream = await mockUpstream({
  respond: (request) => {
    const model = (request.body as { model?: unknown } | undefined)?.model;
    const shape = shapeFromModel(model, { textEvents: 32, delayMs: 0 });
    const script: MockScript = {
      events: Array.from({ length: shape.textEvents }, (_, index) => ({
        type: 'text' as const,
        text: textPiece(index),
      })),
      usage: { inputTokens: 12, outputTokens: shape.textEvents },
      ...(shape.delayMs > 0 ? { delivery: { eventDelayMs: shape.delayMs } } : {}),
    };
    return script;
  },
});
// The mock records every request; forget them now and then so a long run does not grow the heap.
const timer = setInterval(() => upstream.reset(), 1000);
timer.unref();
serveRpc(
  {
    counts: () => ({ requests: 0, connections: 0 }),
    close: () => upstream.close(),
  },
  { port: upstream.port, url: upstream.url },
);
