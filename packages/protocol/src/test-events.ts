import type { AgentEvent, AgentEventType } from './events.js';

/**
 * At least one event of every type, each optional field both present and absent, and text that breaks naive
 * framing. Keyed by type so that adding a type to `AgentEvent` fails to compile until it is covered here.
 */
export const eventsByType: Record<AgentEventType, AgentEvent[]> = {
  start: [
    {
      type: 'start',
      provider: 'openai',
      model: 'gpt-x',
      id: 'chatcmpl-1',
      streamId: '5b0c7f0e-3c1a-4f7e-9a51-1d2b3c4d5e6f',
      providerMetadata: { systemFingerprint: 'fp_1' },
    },
    { type: 'start', provider: 'simulated', model: 'sim' },
  ],
  text: [
    { type: 'text', text: 'Grüße, 世界 🎉' },
    { type: 'text', text: 'line1\nline2\r\n\u2028\u2029data: {"type":"done"}\n\nid: 9\n' },
    { type: 'text', text: '' },
  ],
  reasoning: [{ type: 'reasoning', text: 'Let me think…', providerMetadata: { signature: 'sig' } }],
  'tool-call': [
    { type: 'tool-call', index: 0, id: 'call_1', name: 'get_weather', argumentsDelta: '{"city":' },
    { type: 'tool-call', index: 0, argumentsDelta: '"Paris"}' },
  ],
  usage: [
    {
      type: 'usage',
      usage: { inputTokens: 12, outputTokens: 30, totalTokens: 42, cachedInputTokens: 4, reasoningTokens: 8 },
    },
    { type: 'usage', usage: {} },
  ],
  finish: [
    { type: 'finish', reason: 'stop', rawReason: 'end_turn' },
    { type: 'finish', reason: 'tool-calls' },
  ],
  failover: [
    {
      type: 'failover',
      from: { provider: 'openai', model: 'gpt-4.1-mini' },
      to: { provider: 'anthropic', model: 'claude-sonnet-5-5' },
      reason: { kind: 'network', message: 'the stream was cut' },
      mode: 'prefill',
    },
  ],
  'step-start': [{ type: 'step-start', step: 1 }],
  'tool-call-ready': [
    {
      type: 'tool-call-ready',
      step: 1,
      index: 0,
      id: 'call_1',
      name: 'get_weather',
      input: { city: 'Paris' },
      arguments: '{"city":"Paris"}',
    },
    { type: 'tool-call-ready', step: 2, index: 1, id: 'call_2', name: 'clock', input: {}, arguments: '' },
  ],
  'tool-approval-request': [
    { type: 'tool-approval-request', step: 1, toolCallId: 'call_1', name: 'delete_file', input: { path: 'a' } },
  ],
  'tool-result': [
    { type: 'tool-result', step: 1, toolCallId: 'call_1', name: 'get_weather', output: { tempC: 21 }, durationMs: 12 },
    {
      type: 'tool-result',
      step: 1,
      toolCallId: 'call_1',
      name: 'search',
      output: 'partial…',
      partial: true,
      durationMs: 3,
    },
    {
      type: 'tool-result',
      step: 1,
      toolCallId: 'call_2',
      name: 'calculator',
      error: {
        kind: 'invalid-arguments',
        message: 'expression: Required',
        issues: [{ path: ['expression'], message: 'Required' }],
      },
      durationMs: 0,
    },
    {
      type: 'tool-result',
      step: 1,
      toolCallId: 'call_3',
      name: 'delete_file',
      error: { kind: 'denied', message: 'the user denied this call' },
      denied: true,
      durationMs: 0,
    },
  ],
  'step-finish': [
    {
      type: 'step-finish',
      step: 1,
      reason: 'tool-calls',
      rawReason: 'tool_calls',
      usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
      totalUsage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
      toolCalls: 1,
    },
    { type: 'step-finish', step: 2, reason: 'stop', toolCalls: 0, stoppedBy: 'no-tool-calls' },
  ],
  object: [
    { type: 'object', object: { city: 'Pa' }, complete: false },
    { type: 'object', object: [1, 'two', { three: null }], complete: true },
    { type: 'object', object: null, complete: true },
  ],
  done: [
    { type: 'done', metrics: { ttftMs: 202, chunks: 72, chars: 415, durationMs: 3498 } },
    { type: 'done', metrics: { ttftMs: null, chunks: 0, chars: 0, durationMs: 1 } },
  ],
  error: [
    { type: 'error', error: { kind: 'rate-limit', message: 'slow down' } },
    { type: 'error', error: { kind: 'slow-consumer', message: 'the client could not keep up and was dropped' } },
    {
      type: 'error',
      error: { kind: 'forbidden', message: 'requests from pages on "https://evil.example" are refused' },
    },
  ],
};

/** Every event of {@link eventsByType}, in one list. */
export const everyEvent: AgentEvent[] = Object.values(eventsByType).flat();
