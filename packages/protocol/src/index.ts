export type { ChatMessage, ChatRequestBody } from './chat-request.js';
export type { AgentErrorKind, ErrorPayload } from './errors.js';
export { AGENT_ERROR_KINDS, isAgentErrorKind, parseErrorBody, parseErrorPayload } from './errors.js';
export type {
  AgentEvent,
  AgentEventType,
  DoneEvent,
  ErrorEvent,
  NumberedEvent,
  ObjectEvent,
  ReceivedEvent,
  StartEvent,
  StreamMetrics,
} from './events.js';
export { AGENT_EVENT_TYPES, isAgentEvent, isTerminalEvent } from './events.js';
export { toJsonLine } from './json-line.js';
export type { ProtocolErrorReason } from './protocol-error.js';
export { ProtocolError } from './protocol-error.js';
export type { ReadSseOptions, SseMessage } from './sse.js';
export { decodeSseEvent, encodeSseEvent, MAX_EVENT_CHARS, readAgentEvents, readServerSentEvents } from './sse.js';
export type { StatsSnapshot } from './stats.js';
export { decodeStatsEvent, encodeStatsEvent, isStatsSnapshot, readStatsSnapshots } from './stats.js';
export type {
  ApproveMessage,
  CancelMessage,
  ResumeMessage,
  ToolApprovalBody,
  WebSocketClientMessage,
  WebSocketFrame,
} from './websocket.js';
export { decodeWebSocketFrame, encodeWebSocketFrame } from './websocket.js';
