// `@rxllm/openai/internal`: the pieces `createOpenAI` is built from (request body, event reader, chunk mapper,
// finish reason, usage, error mapping), for other rxllm packages, benchmarks and tests. Not covered by semver: they
// change whenever the provider needs them to.
export type { ChunkMapper, ChunkMapperOptions, OpenAIStreamEvent } from './chunk-mapper.js';
export { createChunkMapper } from './chunk-mapper.js';
export type { PartContext } from './content-parts.js';
export { toOpenAIUserContent, toResponsesUserContent } from './content-parts.js';
export { ollamaBaseURL } from './create-ollama.js';
export type { ToLLMErrorOptions } from './errors.js';
export { toLLMError } from './errors.js';
export type { EventReader } from './event-reader.js';
export { createEventReader } from './event-reader.js';
export { finishReasonFromOpenAI } from './finish-reason.js';
export type { RequestBodyOptions } from './request-body.js';
export { toChatCompletionBody } from './request-body.js';
export type { ResponsesBodyOptions } from './responses-body.js';
export { toResponsesBody } from './responses-body.js';
export type { ResponsesMapper, ResponsesMapperOptions, ResponsesStreamEvent } from './responses-mapper.js';
export { createResponsesMapper, responsesErrorBody } from './responses-mapper.js';
export type { OpenAIUsage, ResponsesUsage } from './usage.js';
export { usageFromOpenAI, usageFromResponses } from './usage.js';
