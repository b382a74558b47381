export type {
  Chunk,
  ChunkType,
  FinishChunk,
  FinishReason,
  ProviderMetadata,
  ReasoningChunk,
  StartChunk,
  TextChunk,
  ToolCallChunk,
  Usage,
  UsageChunk,
} from './chunk.js';
export { isContentChunk } from './chunk.js';
export type { CollectedToolCall, CompleteOptions, Completion } from './collect.js';
export { applyChunk, collectCompletion, collectText, complete, emptyCompletion, textDeltas } from './collect.js';
export type { LLMErrorKind, LLMErrorOptions } from './errors.js';
export {
  isAbortError,
  kindFromStatus,
  LLM_ERROR_KINDS,
  LLMError,
  redactSecrets,
  requestIdFromHeaders,
  retryAfterMsFromHeaders,
  truncatedStreamError,
} from './errors.js';
export { fromAbortable, fromAbortableBatches } from './from-abortable.js';
export type { Provider } from './provider.js';
export type { Env, ProviderDefinition, ProviderFactory, ProviderRegistry, ResolvedProvider } from './registry.js';
export { createRegistry, RegistryError } from './registry.js';
export type { AssistantToolCall, CompletionRequest, Message, Role, ToolDefinition } from './request.js';
export { systemPrompt } from './request.js';
export type { EventSplitter, SseEvent, SseReader, SseReaderOptions } from './sse-reader.js';
export { createSseReader, MAX_SSE_EVENT_CHARS, readEventBatches } from './sse-reader.js';
