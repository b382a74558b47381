import { type MockScript, mockUpstream } from '@rxllm/testing';
import { serveRpc } from './processes.js';
import { sampleDeltas, shapeOfModel } from './structured-sample.js';

/**
 * Fork entry: `@rxllm/testing`'s mock upstream for the `structured` section, in a process of its own so that its CPU
 * never counts against a subject. A request for model `structured-<fields>-<deltaChars>` gets the sample object's JSON
 * as that many text deltas, in the OpenAI Chat Completions dialect the mock renders (role chunk, one `delta.content`
 * event per delta, written one event per write, the finish chunk, the usage chunk when asked for, `[DONE]`). The mock
 * checks each body as OpenAI would (`response_format` included) and answers a wrong one with a 400, which fails the
 * subject's run.
 */
const scripts = new Map<string, MockScript>();

function scriptFor(model: unknown): MockScript | undefined {
  const shape = shapeOfModel(model);
  if (!shape) return undefined;
  const key = String(model);
  let script = scripts.get(key);
  if (!script) {
    const events = sampleDeltas(shape).map((text) => ({ type: 'text' as const, text }));
    script = { events, usage: { inputTokens: 12, outputTokens: events.length } };
    scripts.set(key, script);
  }
  return script;
}

const upstream = await mockUpstream({
  respond: (request) => scriptFor((request.body as { model?: unknown } | undefined)?.model),
});
// The mock records every request (here each holds a 2,000-field JSON schema): forget them now and then.
const timer = setInterval(() => upstream.reset(), 1000);
timer.unref();
serveRpc(
  {
    close: () => upstream.close(),
  },
  { port: upstream.port, url: upstream.url },
);
