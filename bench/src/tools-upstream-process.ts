import { isDeepStrictEqual } from 'node:util';
import { type MockScript, mockUpstream, type RecordedRequest, toolResults } from '@rxllm/testing';
import { serveRpc } from './processes.js';
import { ANSWER_TEXT_DELTAS, SCRIPTED_CALLS, scriptedOutput, TOOLS_MODEL } from './tools-sample.js';

/**
 * Fork entry: `@rxllm/testing`'s mock upstream for the `tools` section, in a process of its own so that its CPU never
 * counts against a subject. It answers each request of model `tools-loop` by the tool results it sends back, as a
 * model would: none → step 1 (two parallel calls), two → step 2 (one call), three → step 3 (a 400-delta answer). Results
 * that are not exactly what the tools return, tools not offered, or any other request get an HTTP error, which fails
 * the subject's loop. `take` answers with the requests served since the last `take` and forgets them.
 */

const OFFERED = ['add', 'constant', 'multiply'];

const callEvents = (step: number) =>
  SCRIPTED_CALLS.filter((call) => call.step === step).map((call) => ({
    type: 'tool-call' as const,
    id: call.id,
    name: call.name,
    argumentFragments: call.argumentFragments,
  }));

const STEP_SCRIPTS: readonly MockScript[] = [
  { events: callEvents(1), usage: { inputTokens: 60, outputTokens: 24 } },
  { events: callEvents(2), usage: { inputTokens: 110, outputTokens: 12 } },
  {
    events: ANSWER_TEXT_DELTAS.map((text) => ({ type: 'text' as const, text })),
    usage: { inputTokens: 140, outputTokens: ANSWER_TEXT_DELTAS.length },
  },
];

const refuse = (message: string): MockScript => ({ httpError: { status: 400, message } });

/** A tool result's content as a value (OpenAI sends JSON text), or the content as it came when it is not JSON. */
function contentValue(content: unknown): unknown {
  try {
    return JSON.parse(String(content));
  } catch {
    return content;
  }
}

function offeredTools(request: RecordedRequest): string[] {
  const tools = ((request.body as { tools?: unknown[] } | undefined)?.tools ?? []) as Array<{
    function?: { name?: string };
  }>;
  return tools.map((entry) => entry.function?.name ?? '').sort();
}

/** The script for one request, or a 400 saying what was wrong with it. */
function scriptFor(request: RecordedRequest): MockScript {
  if ((request.body as { model?: unknown } | undefined)?.model !== TOOLS_MODEL) return refuse('unknown model');
  if (!isDeepStrictEqual(offeredTools(request), OFFERED)) return refuse(`tools offered: ${offeredTools(request)}`);
  const results = toolResults(request);
  const step = [0, 2, 3].indexOf(results.length);
  if (step < 0) return refuse(`unexpected ${results.length} tool results`);
  const expected = SCRIPTED_CALLS.slice(0, results.length).map((call) => ({
    name: call.name,
    value: scriptedOutput(call),
  }));
  const sent = results.map(({ name, content }) => ({ name, value: contentValue(content) }));
  if (!isDeepStrictEqual(sent, expected)) return refuse(`tool results differ: ${JSON.stringify(sent)}`);
  return STEP_SCRIPTS[step]!;
}

const upstream = await mockUpstream({ respond: scriptFor });

serveRpc(
  {
    take: () => {
      const requests = upstream.requests.length;
      const rejected = upstream.requests.filter((request) => request.rejected).map((request) => request.rejected);
      upstream.reset();
      return { requests, rejected };
    },
    close: () => upstream.close(),
  },
  { port: upstream.port, url: upstream.url },
);
