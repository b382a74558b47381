export type { ChunkMapper, ChunkMapperOptions, OpenAIStreamEvent } from './chunk-mapper.js';
export { createChunkMapper } from './chunk-mapper.js';
export type { OllamaProviderOptions } from './create-ollama.js';
export {
  createOllama,
  DEFAULT_OLLAMA_BASE_URL,
  DEFAULT_OLLAMA_MODEL,
  ollamaBaseURL,
  ollamaProvider,
  ollamaProviderWith,
} from './create-ollama.js';
export type { OpenAIProvider, OpenAIProviderOptions } from './create-openai.js';
export { createOpenAI, DEFAULT_OPENAI_MODEL, openaiProvider, openaiProviderWith } from './create-openai.js';
export type { EventReader } from './event-reader.js';
export { createEventReader, MAX_EVENT_CHARS } from './event-reader.js';
export { finishReasonFromOpenAI } from './finish-reason.js';
export type { ToLLMErrorOptions } from './map-error.js';
export { toLLMError } from './map-error.js';
export type { MaxTokensField, OpenAIRequestDefaults, RequestBodyOptions } from './request-body.js';
export { toChatCompletionBody } from './request-body.js';
export type { OpenAIUsage } from './usage.js';
export { usageFromOpenAI } from './usage.js';
