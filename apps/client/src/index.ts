// The events are @rxllm/protocol's; the client's names for them stay.
export type {
  AgentEvent,
  DoneEvent as AgentDoneEvent,
  ErrorEvent as AgentErrorEvent,
  StreamMetrics as AgentStreamMetrics,
} from '@rxllm/protocol';
export { isAgentEvent } from '@rxllm/protocol';
export {
  abortedError,
  agentError,
  connectionError,
  displayKind,
  isUnreachable,
  truncatedError,
} from './agent-error.js';
export type { ClientArguments } from './arguments.js';
export { DEFAULT_URL, parseArguments, USAGE, UsageError } from './arguments.js';
export type { AttachmentRequest } from './attachments.js';
export { ATTACHMENT_LIMITS, readAttachments, readJsonSchema } from './attachments.js';
export type { ReplyMeter, ReplySummary } from './reply-meter.js';
export { createReplyMeter, formatComplete, formatFollowed, formatProgress } from './reply-meter.js';
export type { ReconnectAttempt, ResolvedResumeOptions, ResumeOptions } from './resume-policy.js';
export { reconnectDelayMs, resolveResumeOptions } from './resume-policy.js';
export type { ClientIo } from './run-client.js';
export { EXIT_CODES, runClient } from './run-client.js';
export type { ChatMessage, FollowTarget, StreamChatOptions } from './stream-chat.js';
export { streamChat } from './stream-chat.js';
