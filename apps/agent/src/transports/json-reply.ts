import type { ServerResponse } from 'node:http';
import { applyChunk, type Completion, emptyCompletion, isToolLoopChunk, type ToolResultChunk } from '@rxllm/core';
import type { StreamMetrics } from '@rxllm/protocol';
import type { Observable, Subscription } from 'rxjs';
import type { ActiveStream } from '../app/context.js';
import type { GenerationEvent } from '../generation/generate.js';
import { errorBody, type HttpError, toHttpError } from '../http/errors.js';
import { sendError, sendJson } from '../http/responses.js';
import { deferred } from '../lib/deferred.js';

/** What the agent's own tool loop did in a reply: its steps and the final result of every call it ran. */
export interface ToolLoopSummary {
  steps: number;
  toolResults: ToolResultChunk[];
}

export interface JsonReplyOptions {
  response: ServerResponse;
  events: Observable<GenerationEvent>;
  /**
   * The 200 body, from the whole completion, the `done` metrics and, when a JSON answer was asked for, the checked
   * object of the last `object` event (each route has its own shape).
   */
  render(completion: Completion, metrics: StreamMetrics, object?: unknown, loop?: ToolLoopSummary): unknown;
  /** The error body (default `{error:{kind,message}}`; OpenAI's shape on `/v1`). */
  errorResponseBody?: (error: HttpError) => unknown;
  headers?: Record<string, string>;
}

/**
 * The non-streaming reply (`stream:false`): collects the generation into one {@link Completion} (and, for the
 * agent's own tool loop, a {@link ToolLoopSummary}) and answers once, with the route's body on `done` or the error's
 * status and body. A closed response unsubscribes (aborting the
 * upstream request); `abort` answers with the given error.
 *
 * @example
 * ```ts
 * const reply = serveJsonReply({ response, events, render: (completion) => ({ text: completion.text }) });
 * context.track(reply);
 * ```
 */
export function serveJsonReply(options: JsonReplyOptions): ActiveStream {
  const { response } = options;
  const toBody = options.errorResponseBody ?? errorBody;
  const completion = emptyCompletion();
  const finished = deferred();
  let subscription: Subscription | undefined;
  let done = false;
  let object: unknown;
  let loop: ToolLoopSummary | undefined;
  const finish = () => {
    done = true;
    subscription?.unsubscribe();
    finished.resolve();
  };
  response.on('close', () => {
    if (!done) finish();
  });
  let cacheHeader: Record<string, string> = {};
  subscription = options.events.subscribe(({ event, failure }) => {
    if (done) return;
    if (event.type === 'start' && event.cache) cacheHeader = { 'X-Cache': event.cache };
    if (event.type === 'error') {
      finish();
      const error = failure ?? toHttpError(undefined);
      sendError(response, error, toBody(error));
    } else if (event.type === 'done') {
      finish();
      sendJson(response, 200, options.render(completion, event.metrics, object, loop), {
        ...options.headers,
        ...cacheHeader,
      });
    } else if (event.type === 'object') {
      if (event.complete) object = event.object;
    } else if (event.type === 'step-start') {
      loop ??= { steps: 0, toolResults: [] };
      loop.steps = event.step;
    } else if (event.type === 'tool-result') {
      if (!event.partial) loop?.toolResults.push(event);
    } else if (!isToolLoopChunk(event)) {
      applyChunk(completion, event);
    }
  });
  if (done) subscription.unsubscribe();
  return {
    finished: finished.promise,
    abort(error) {
      if (done) return;
      finish();
      sendError(response, error, toBody(error));
    },
  };
}
