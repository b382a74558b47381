import {
  type Frame,
  jsonResponse,
  paddedSequence,
  parsedArguments,
  type RenderContext,
  type RenderedResponse,
  usageOf,
} from './frames.js';
import type { MockEvent, MockScript, MockUsage } from './script.js';

const DEFAULT_MODEL = 'gemini-2.5-flash';

/** Google's canonical status name for an HTTP status (WIRE.md §4). */
export function googleStatusName(status: number): string {
  switch (status) {
    case 400:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'ABORTED';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 503:
      return 'UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
    default:
      return status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT';
  }
}

function defaultErrorMessage(status: number): string {
  if (status === 429) return 'You exceeded your current quota, please check your plan.';
  if (status === 503) return 'The model is overloaded. Please try again later.';
  if (status === 400) return 'API key not valid. Please pass a valid API key.';
  if (status === 403) return 'Permission denied.';
  if (status === 404) return 'models/unknown is not found for API version v1beta.';
  if (status >= 500)
    return 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting';
  return 'Request contains an invalid argument.';
}

/** `{"error":{"code","message","status"}}` */
export function geminiErrorObject(status: number, message?: string): Record<string, unknown> {
  return { error: { code: status, message: message ?? defaultErrorMessage(status), status: googleStatusName(status) } };
}

export function geminiHttpError(script: MockScript): RenderedResponse {
  const error = script.httpError!;
  if (error.body !== undefined) {
    return {
      status: error.status,
      headers: { 'content-type': 'application/json; charset=UTF-8', ...error.headers },
      frames: [{ data: error.body, eventIndex: 0, raw: true }],
    };
  }
  // Google pretty-prints its error bodies.
  return jsonResponse(error.status, geminiErrorObject(error.status, error.message), error.headers, 2);
}

function finishReasonOf(script: MockScript): string {
  return script.finishReason ?? 'STOP';
}

function usageMetadata(usage: MockUsage, candidatesTokenCount: number): Record<string, unknown> {
  const thoughts = usage.reasoningTokens ?? 0;
  return {
    promptTokenCount: usage.inputTokens,
    candidatesTokenCount,
    totalTokenCount: usage.inputTokens + candidatesTokenCount + thoughts,
    ...(usage.cachedInputTokens === undefined ? {} : { cachedContentTokenCount: usage.cachedInputTokens }),
    ...(usage.reasoningTokens === undefined ? {} : { thoughtsTokenCount: usage.reasoningTokens }),
  };
}

function partOf(event: MockEvent): Record<string, unknown> | undefined {
  switch (event.type) {
    case 'text':
      return { text: event.text };
    case 'reasoning':
      return {
        text: event.text,
        thought: true,
        ...(event.signature === undefined ? {} : { thoughtSignature: event.signature }),
      };
    case 'tool-call':
      return { functionCall: { name: event.name, args: parsedArguments(event.argumentFragments) } };
    default:
      return undefined;
  }
}

interface GeminiChunks {
  frames: Frame[];
  chunks: Record<string, unknown>[];
}

function geminiChunks(script: MockScript, context: RenderContext, frameOf: (value: unknown) => string): GeminiChunks {
  const model = script.model ?? context.requestedModel ?? DEFAULT_MODEL;
  const responseId = script.id ?? `mock-response-${paddedSequence(context.sequence)}`;
  const usage = usageOf(script);
  const frames: Frame[] = [];
  const chunks: Record<string, unknown>[] = [];
  const push = (value: Record<string, unknown>, eventIndex: number) => {
    chunks.push(value);
    frames.push({ data: frameOf(value), eventIndex });
  };
  if (script.promptBlockReason) {
    push(
      {
        promptFeedback: { blockReason: script.promptBlockReason },
        usageMetadata: { promptTokenCount: usage.inputTokens, totalTokenCount: usage.inputTokens },
        modelVersion: model,
        responseId,
      },
      -1,
    );
    return { frames, chunks };
  }
  const events = script.events ?? [];
  const contentCount = events.filter((event) => partOf(event) !== undefined).length;
  const errorIndex = events.findIndex((event) => event.type === 'error');
  const endsCleanly = errorIndex === -1 && !script.omitTerminal;
  let contentSeen = 0;
  const candidateChunk = (parts: Record<string, unknown>[], finishReason: string | undefined, tokens: number) => ({
    candidates: [
      {
        content: { parts, role: 'model' },
        ...(finishReason === undefined ? {} : { finishReason }),
        index: 0,
      },
    ],
    usageMetadata: usageMetadata(usage, tokens),
    modelVersion: model,
    responseId,
  });
  for (const [eventIndex, event] of events.entries()) {
    const part = partOf(event);
    if (part) {
      contentSeen += 1;
      const isLast = contentSeen === contentCount;
      // Cumulative, as Google reports it: the last chunk carries the whole count.
      const tokens = Math.round((usage.outputTokens * contentSeen) / contentCount);
      push(candidateChunk([part], isLast && endsCleanly ? finishReasonOf(script) : undefined, tokens), eventIndex);
    } else if (event.type === 'comment') {
      // Google never sends comments and its SDK cannot parse them: written anyway, faithfully, to show that.
      frames.push({ data: `: ${event.text ?? 'keep-alive'}\n\n`, eventIndex });
    } else if (event.type === 'error') {
      push(geminiErrorObject(event.status, event.message), eventIndex);
      break;
    } else if (event.type === 'raw') {
      frames.push({ data: event.data, eventIndex, raw: true });
    }
  }
  if (contentCount === 0 && endsCleanly) {
    push(candidateChunk([{ text: '' }], finishReasonOf(script), usage.outputTokens), events.length);
  }
  return { frames, chunks };
}

/** Renders a script as a Gemini `streamGenerateContent` body: SSE with `alt=sse`, else a JSON array. */
export function geminiStream(script: MockScript, context: RenderContext, sse: boolean): RenderedResponse {
  if (sse) {
    const { frames } = geminiChunks(script, context, (value) => `data: ${JSON.stringify(value)}\n\n`);
    return { status: 200, headers: { 'content-type': 'text/event-stream', ...script.headers }, frames };
  }
  const { frames } = geminiChunks(script, context, (value) => JSON.stringify(value));
  // Without alt=sse Google streams one JSON array; its elements are the same chunks.
  const arrayFrames: Frame[] = frames.map((frame, index) => ({
    ...frame,
    data: `${index === 0 ? '[' : ',\r\n'}${frame.data as string}`,
    raw: true,
  }));
  arrayFrames.push({
    data: arrayFrames.length === 0 ? '[]' : ']',
    eventIndex: (script.events ?? []).length,
    raw: true,
  });
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=UTF-8', ...script.headers },
    frames: arrayFrames,
  };
}

/** Renders a script as one `generateContent` JSON body: the streamed chunks merged into one candidate. */
export function geminiContent(script: MockScript, context: RenderContext): RenderedResponse {
  const events = script.events ?? [];
  const error = events.find((event) => event.type === 'error');
  if (error) return geminiHttpError({ httpError: { status: error.status, message: error.message } });
  const { chunks } = geminiChunks(script, context, () => '');
  const lastChunk = chunks[chunks.length - 1] ?? {};
  if (script.promptBlockReason) return jsonResponse(200, lastChunk, script.headers);
  const parts: Record<string, unknown>[] = [];
  for (const event of events) {
    const part = partOf(event);
    if (!part) continue;
    const previous = parts[parts.length - 1];
    const mergeable = previous && 'text' in part && 'text' in previous && previous.thought === part.thought;
    if (mergeable && previous.thoughtSignature === undefined)
      previous.text = `${previous.text as string}${part.text as string}`;
    else parts.push({ ...part });
  }
  const usage = usageOf(script);
  return jsonResponse(
    200,
    {
      candidates: [
        {
          content: { parts: parts.length > 0 ? parts : [{ text: '' }], role: 'model' },
          finishReason: finishReasonOf(script),
          index: 0,
        },
      ],
      usageMetadata: usageMetadata(usage, usage.outputTokens),
      modelVersion: (lastChunk as { modelVersion?: string }).modelVersion ?? DEFAULT_MODEL,
      responseId: (lastChunk as { responseId?: string }).responseId,
    },
    script.headers,
  );
}
