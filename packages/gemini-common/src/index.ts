// The Gemini JSON shapes. The mapping itself is `@rxllm/gemini-common/internal`; the test tables `./testing`.
export type { GoogleErrorDetail } from './error-details.js';
export type { GeminiContent } from './gemini-contents.js';
export type { GeminiRequestPart } from './gemini-parts.js';
export type {
  GeminiFunctionCallingMode,
  GeminiOutputConfig,
  GeminiToolConfig,
} from './gemini-request-options.js';
export type { GeminiPart, GeminiResponse, GeminiUsageMetadata } from './response-mapper.js';
