// `@rxllm/gemini-common/internal`: the Gemini wire-format mapping that `@rxllm/gemini` and `@rxllm/google-genai`
// share (contents and their parts, tool config, output config, response mapper, finish reason, error details). Not
// covered by semver: it changes whenever the two providers need it to.
export { isInvalidKeyDetail, retryAfterMsFromDetails } from './error-details.js';
export { normaliseFinishReason } from './finish-reason.js';
export { toGeminiContents } from './gemini-contents.js';
export { toGeminiPart } from './gemini-parts.js';
export { toGeminiOutputConfig, toGeminiToolConfig } from './gemini-request-options.js';
export type { ResponseMapper, ResponseMapperOptions } from './response-mapper.js';
export { createResponseMapper, streamErrorToLLMError } from './response-mapper.js';
