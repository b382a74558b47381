export type { OpenAIPartSupport } from './content-parts.js';
export type { OllamaProviderOptions } from './create-ollama.js';
export { createOllama, DEFAULT_OLLAMA_BASE_URL, DEFAULT_OLLAMA_MODEL, OLLAMA_PART_SUPPORT } from './create-ollama.js';
export type { OpenAIProvider, OpenAIProviderOptions } from './create-openai.js';
export { createOpenAI, DEFAULT_OPENAI_MODEL } from './create-openai.js';
export { MAX_EVENT_CHARS } from './event-reader.js';
export { ollamaProvider, ollamaProviderWith, openaiProvider, openaiProviderWith } from './openai-registry.js';
export type { MaxTokensField, OpenAIRequestDefaults } from './request-body.js';
