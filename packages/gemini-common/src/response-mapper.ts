import {
  type Chunk,
  kindFromStatus,
  LLMError,
  type ProviderMetadata,
  redactSecrets,
  truncatedStreamError,
  type Usage,
} from '@rxllm/core';
import { normaliseFinishReason } from './finish-reason.js';

/** The parts of a Gemini `GenerateContentResponse` this mapper reads, typed loosely because the SDK types lag the API. */
export interface GeminiPart {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  functionCall?: { name?: string; args?: unknown; id?: string };
}

export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  totalTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
}

export interface GeminiResponse {
  candidates?: Array<{
    content?: { parts?: GeminiPart[]; role?: string };
    finishReason?: string;
    finishMessage?: string;
    safetyRatings?: unknown;
  }>;
  promptFeedback?: { blockReason?: string; blockReasonMessage?: string; safetyRatings?: unknown };
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
  /** Present when Google sends an error inside a 200 stream: `data: {"error":{…}}`. */
  error?: { code?: number; message?: string; status?: string };
}

export interface ResponseMapperOptions {
  /** Provider name for chunks and errors. */
  provider: string;
  /** Model asked for: the `start` chunk's model when the response has no `modelVersion`. */
  requestedModel: string;
  /** Values never to repeat in an error message (the API key), in case the upstream echoes them. */
  secrets?: ReadonlyArray<string | undefined>;
  /** Makes tool-call ids; Gemini sends none (or only on Vertex). */
  generateToolCallId?: () => string;
}

/** Turns the stream of Gemini responses into chunks; `end()` closes the stream or reports its truncation. */
export interface ResponseMapper {
  /** The chunks for one response; throws an `LLMError` for an error payload inside the stream. */
  map(response: GeminiResponse): Chunk[];
  /** The closing `usage` and `finish` chunks; throws `truncatedStreamError` if no response carried a finish reason. */
  end(): Chunk[];
}

let toolCallCounter = 0;
const defaultToolCallId = (): string => {
  toolCallCounter += 1;
  return `call_${Date.now().toString(36)}_${toolCallCounter.toString(36)}`;
};

function usageFrom(metadata: GeminiUsageMetadata): Usage {
  const usage: Usage = {};
  if (metadata.promptTokenCount !== undefined) usage.inputTokens = metadata.promptTokenCount;
  if (metadata.candidatesTokenCount !== undefined) usage.outputTokens = metadata.candidatesTokenCount;
  if (metadata.totalTokenCount !== undefined) usage.totalTokens = metadata.totalTokenCount;
  if (metadata.cachedContentTokenCount !== undefined) usage.cachedInputTokens = metadata.cachedContentTokenCount;
  if (metadata.thoughtsTokenCount !== undefined) usage.reasoningTokens = metadata.thoughtsTokenCount;
  return usage;
}

/**
 * An `LLMError` for `{"error":{code,message,status}}` received inside a 200 stream, its kind from `code`.
 *
 * @example
 * ```ts
 * streamErrorToLLMError('gemini', { code: 503, message: 'The model is overloaded.' }).kind; // 'overloaded'
 * ```
 */
export function streamErrorToLLMError(
  provider: string,
  error: NonNullable<GeminiResponse['error']>,
  secrets: ReadonlyArray<string | undefined> = [],
): LLMError {
  const status = typeof error.code === 'number' ? error.code : undefined;
  return new LLMError({
    kind: status === undefined ? 'unknown' : kindFromStatus(status),
    provider,
    ...(status === undefined ? {} : { status }),
    message: redactSecrets(
      `${provider} stream error${error.status ? ` ${error.status}` : ''}: ${error.message ?? 'no message'}`,
      secrets,
    ),
    details: { inStream: true },
  });
}

/**
 * A stateful mapper from Gemini `GenerateContentResponse`s to chunks. Usage and finish wait for the end of the
 * stream because Gemini repeats cumulative `usageMetadata` on every response, and some servers put
 * `finishReason` on every response, not only the last.
 *
 * @example
 * ```ts
 * const mapper = createResponseMapper({ provider: 'gemini', requestedModel: 'gemini-2.5-flash' });
 * for await (const response of stream) yield* mapper.map(response);
 * yield* mapper.end();
 * ```
 */
export function createResponseMapper(options: ResponseMapperOptions): ResponseMapper {
  const { provider, requestedModel } = options;
  const generateToolCallId = options.generateToolCallId ?? defaultToolCallId;
  let started = false;
  let toolCallCount = 0;
  let rawFinishReason: string | undefined;
  let finishMetadata: ProviderMetadata = {};
  let lastUsage: GeminiUsageMetadata | undefined;

  const withSignature = (part: GeminiPart): { providerMetadata?: ProviderMetadata } =>
    part.thoughtSignature ? { providerMetadata: { [provider]: { thoughtSignature: part.thoughtSignature } } } : {};

  return {
    map(response) {
      if (response.error && typeof response.error === 'object')
        throw streamErrorToLLMError(provider, response.error, options.secrets);
      const chunks: Chunk[] = [];
      if (!started) {
        started = true;
        chunks.push({
          type: 'start',
          provider,
          model: response.modelVersion ?? requestedModel,
          ...(response.responseId ? { id: response.responseId } : {}),
        });
      }
      if (response.usageMetadata) lastUsage = response.usageMetadata;
      const candidate = response.candidates?.[0];
      const blockReason = response.promptFeedback?.blockReason;
      if (!candidate && blockReason) {
        rawFinishReason = blockReason;
        finishMetadata = { promptBlocked: true, promptFeedback: response.promptFeedback };
        return chunks;
      }
      for (const part of candidate?.content?.parts ?? []) {
        if (part.functionCall) {
          chunks.push({
            type: 'tool-call',
            index: toolCallCount,
            id: part.functionCall.id ?? generateToolCallId(),
            name: part.functionCall.name ?? '',
            argumentsDelta: JSON.stringify(part.functionCall.args ?? {}),
            ...withSignature(part),
          });
          toolCallCount += 1;
        } else if (typeof part.text === 'string') {
          if (part.text === '') {
            // Gemini 3 closes with an empty part that only carries the signature: keep it on the finish chunk.
            if (part.thoughtSignature) finishMetadata = { ...finishMetadata, thoughtSignature: part.thoughtSignature };
            continue;
          }
          chunks.push({ type: part.thought === true ? 'reasoning' : 'text', text: part.text, ...withSignature(part) });
        }
      }
      if (candidate?.finishReason) {
        rawFinishReason = candidate.finishReason;
        if (candidate.finishMessage) finishMetadata = { ...finishMetadata, finishMessage: candidate.finishMessage };
        if (candidate.safetyRatings) finishMetadata = { ...finishMetadata, safetyRatings: candidate.safetyRatings };
      }
      return chunks;
    },
    end() {
      if (rawFinishReason === undefined) throw truncatedStreamError(provider, 'finishReason');
      const chunks: Chunk[] = [];
      if (lastUsage) chunks.push({ type: 'usage', usage: usageFrom(lastUsage) });
      const promptBlocked = finishMetadata.promptBlocked === true;
      chunks.push({
        type: 'finish',
        reason: promptBlocked ? 'content-filter' : normaliseFinishReason(rawFinishReason, toolCallCount > 0),
        rawReason: rawFinishReason,
        ...(Object.keys(finishMetadata).length > 0 ? { providerMetadata: { [provider]: finishMetadata } } : {}),
      });
      return chunks;
    },
  };
}
