export type { ToLLMErrorOptions } from './errors.js';
export { isInvalidKeyDetail, retryAfterMsFromDetails, toLLMError } from './errors.js';
export { normaliseFinishReason } from './finish-reason.js';
export type { GeminiOptions } from './gemini-provider.js';
export { createGemini, DEFAULT_GEMINI_MODEL } from './gemini-provider.js';
export { geminiProvider } from './gemini-registry.js';
export type { GeminiContent, GeminiRequestBody } from './request-mapper.js';
export { toGeminiRequestBody } from './request-mapper.js';
export type {
  GeminiPart,
  GeminiResponse,
  GeminiUsageMetadata,
  ResponseMapper,
  ResponseMapperOptions,
} from './response-mapper.js';
export { createResponseMapper, streamErrorToLLMError } from './response-mapper.js';
