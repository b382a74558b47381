export type { GoogleErrorDetail } from './error-details.js';
export { isInvalidKeyDetail, retryAfterMsFromDetails } from './error-details.js';
export { normaliseFinishReason } from './finish-reason.js';
export type { GeminiContent } from './gemini-contents.js';
export { toGeminiContents } from './gemini-contents.js';
export type {
  GeminiPart,
  GeminiResponse,
  GeminiUsageMetadata,
  ResponseMapper,
  ResponseMapperOptions,
} from './response-mapper.js';
export { createResponseMapper, streamErrorToLLMError } from './response-mapper.js';
