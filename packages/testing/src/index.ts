export type { MockResponder, MockUpstream, MockUpstreamOptions } from './mock/api.js';
export { DEFAULT_MOCK_SCRIPT, mockUpstream } from './mock/mock-upstream.js';
export type { MockDelivery, MockEvent, MockScript, MockUsage, RecordedRequest } from './mock/script.js';
