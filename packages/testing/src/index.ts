export type { WireFixtureName } from './fixtures.js';
export { readWireFixture, WIRE_FIXTURES, wireFixturePath } from './fixtures.js';
export type { MockResponder, MockUpstream, MockUpstreamOptions } from './mock/api.js';
export { DEFAULT_MOCK_SCRIPT, mockUpstream } from './mock/mock-upstream.js';
export type { MockDelivery, MockEvent, MockScript, MockUsage, RecordedRequest } from './mock/script.js';
