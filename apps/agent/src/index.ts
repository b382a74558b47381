// The wire protocol lives in @rxllm/protocol; these names stay here for the agent's existing importers.
export type {
  AgentErrorKind,
  AgentEvent,
  DoneEvent,
  ErrorEvent,
  ErrorPayload,
  NumberedEvent,
  StatsSnapshot,
  StreamMetrics,
} from '@rxllm/protocol';
export { encodeSseEvent, encodeWebSocketFrame, toJsonLine } from '@rxllm/protocol';
export type { RunningAgent, StartAgentOptions } from './app/start-agent.js';
export { startAgent } from './app/start-agent.js';
export type { AgentConfig, AgentEnv } from './config.js';
export { ConfigError, loadConfig } from './config.js';
export type { GenerateOptions, GenerationEvent, StreamObserver, StreamOutcome } from './generation/generate.js';
export { generate } from './generation/generate.js';
export { HttpError, statusForKind } from './http/errors.js';
