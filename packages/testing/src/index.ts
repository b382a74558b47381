// The simulated provider lives in `@rxllm/simulated` (what an app needs at run time); the kit keeps exporting it.
export type { Chunking, SimulatedEvent, SimulatedProviderOptions } from '@rxllm/simulated';
export { cannedReply, simulatedProvider, simulatedProviderDefinition, splitText } from '@rxllm/simulated';
export type { WireFixtureName } from './fixtures.js';
export { readWireFixture, WIRE_FIXTURES, wireFixturePath } from './fixtures.js';
export { chunkValues, finish, reasoning, start, text, toolCall, usage } from './marbles/chunk-factories.js';
export type { MockResponder, MockUpstream, MockUpstreamOptions } from './mock/api.js';
export type { MatchRule, RequestMatcher } from './mock/match.js';
export { hasToolResult, matchRequests, toolResults } from './mock/match.js';
export { DEFAULT_MOCK_SCRIPT, mockUpstream } from './mock/mock-upstream.js';
export type { MockDelivery, MockEvent, MockScript, MockUsage, RecordedRequest } from './mock/script.js';
export type {
  FaultProxy,
  FaultProxyOptions,
  ProxyCloseReason,
  ProxyConnection,
  ProxyFaults,
} from './proxy/fault-proxy.js';
export { faultProxy } from './proxy/fault-proxy.js';
export type { RedisServer } from './redis/redis-server.js';
export { startRedisServer } from './redis/redis-server.js';
