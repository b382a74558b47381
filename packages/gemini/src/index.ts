// The shared Gemini mapping, re-exported so that this package's public API is unchanged.
export type {
  GeminiContent,
  GeminiPart,
  GeminiResponse,
  GeminiUsageMetadata,
  ResponseMapper,
  ResponseMapperOptions,
} from '@rxllm/gemini-common';
export {
  createResponseMapper,
  isInvalidKeyDetail,
  normaliseFinishReason,
  retryAfterMsFromDetails,
  streamErrorToLLMError,
} from '@rxllm/gemini-common';
export type { ToLLMErrorOptions } from './errors.js';
export { toLLMError } from './errors.js';
export type { GeminiOptions } from './gemini-provider.js';
export { createGemini, DEFAULT_GEMINI_MODEL } from './gemini-provider.js';
export { geminiProvider } from './gemini-registry.js';
export type { GeminiRequestBody } from './request-mapper.js';
export { toGeminiRequestBody } from './request-mapper.js';
