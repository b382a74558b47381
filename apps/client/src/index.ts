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
export type {
  ChatMessage,
  FollowTarget,
  StreamChatOptions,
  ToolApprovalDecision,
  ToolApprovalOptions,
} from './stream-chat.js';
export { streamChat } from './stream-chat.js';
export type { ApprovalPolicy, AskFunction } from './tool-approval.js';
export {
  createApprovalDecider,
  createTerminalAsk,
  DECLINED_REASON,
  isYes,
  NO_TERMINAL_REASON,
} from './tool-approval.js';
export type { LineStyle, ToolDisplay, ToolLine, ToolLineKind } from './tool-display.js';
export {
  colorEnabled,
  createToolDisplay,
  DEFAULT_LINE_WIDTH,
  formatApprovalQuestion,
  formatDuration,
  formatToolCall,
  formatToolResult,
  lineStyle,
  oneLine,
  styleToolLine,
} from './tool-display.js';
