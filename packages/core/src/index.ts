export type {
  Chunk,
  ChunkType,
  FailoverChunk,
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
export { CHUNK_TYPES, isContentChunk } from './chunk.js';
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
export type { RelayOptions } from './from-abortable.js';
export { fromAbortable, fromAbortableBatches, RELAY_VALUES_PER_RUN } from './from-abortable.js';
export type {
  LoopChunk,
  LoopChunkType,
  LoopStopReason,
  StepFinishChunk,
  StepStartChunk,
  ToolApprovalRequestChunk,
  ToolCallReadyChunk,
  ToolErrorKind,
  ToolLoopChunk,
  ToolResultChunk,
  ToolResultError,
} from './loop-chunks.js';
export { isToolLoopChunk, TOOL_LOOP_CHUNK_TYPES } from './loop-chunks.js';
export type { ImageMediaType } from './media.js';
export {
  base64ByteLength,
  IMAGE_MEDIA_TYPES,
  inlineDataUrl,
  isBase64,
  isImageMediaType,
  parseDataUrl,
  sniffMediaType,
} from './media.js';
export type { Provider } from './provider.js';
export type { Env, ProviderDefinition, ProviderFactory, ProviderRegistry, ResolvedProvider } from './registry.js';
export { createRegistry, RegistryError } from './registry.js';
export type { RelayBudget, RelayBudgetOptions } from './relay-budget.js';
export { createRelayBudget, RELAY_RUN_MS, RELAY_SOLO_FACTOR, RELAY_TURN_MS, yieldToEventLoop } from './relay-budget.js';
export type {
  AssistantToolCall,
  CacheControl,
  CompletionRequest,
  ContentPart,
  FilePart,
  ImagePart,
  MediaSource,
  Message,
  ResponseFormat,
  Role,
  TextPart,
  ToolChoice,
  ToolDefinition,
} from './request.js';
export { contentParts, messageText, systemPrompt, unsupportedPartError } from './request.js';
export type { EventSplitter, ReadEventBatchesOptions, SseEvent, SseReader, SseReaderOptions } from './sse-reader.js';
export {
  createSseReader,
  MAX_SSE_EVENT_CHARS,
  readEventBatches,
  SSE_SLICE_BYTES,
} from './sse-reader.js';
export type { NextAttempt } from './subscribe-until-content.js';
export { subscribeUntilContent } from './subscribe-until-content.js';
