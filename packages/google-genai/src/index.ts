export type { ToLLMErrorOptions } from './errors.js';
export { errorBodyFromMessage, retryAfterMsFromDetails, toLLMError } from './errors.js';
export { normaliseFinishReason } from './finish-reason.js';
export type { GoogleGenAIProviderOptions, VertexOptions } from './google-genai-provider.js';
export { createGoogleGenAI, DEFAULT_GOOGLE_GENAI_MODEL } from './google-genai-provider.js';
export { googleGenAIOptionsFromEnv, googleGenAIProvider } from './google-genai-registry.js';
export type { GoogleGenAIRequest } from './request-mapper.js';
export { toGoogleGenAIRequest } from './request-mapper.js';
export type {
  GeminiPart,
  GeminiResponse,
  GeminiUsageMetadata,
  ResponseMapper,
  ResponseMapperOptions,
} from './response-mapper.js';
export { createResponseMapper, streamErrorToLLMError } from './response-mapper.js';
