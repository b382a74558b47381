// The shared Gemini mapping, re-exported so that this package's public API is unchanged.
export type {
  GeminiPart,
  GeminiResponse,
  GeminiUsageMetadata,
  ResponseMapper,
  ResponseMapperOptions,
} from '@rxllm/gemini-common';
export {
  createResponseMapper,
  normaliseFinishReason,
  retryAfterMsFromDetails,
  streamErrorToLLMError,
} from '@rxllm/gemini-common';
export type { ToLLMErrorOptions } from './errors.js';
export { errorBodyFromMessage, toLLMError } from './errors.js';
export type { GoogleGenAIProviderOptions, VertexOptions } from './google-genai-provider.js';
export { createGoogleGenAI, DEFAULT_GOOGLE_GENAI_MODEL } from './google-genai-provider.js';
export { googleGenAIOptionsFromEnv, googleGenAIProvider } from './google-genai-registry.js';
export type { GoogleGenAIRequest } from './request-mapper.js';
export { toGoogleGenAIRequest } from './request-mapper.js';
