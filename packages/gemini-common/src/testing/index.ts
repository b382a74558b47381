export { FINISH_REASON_CASES, HTTP_STATUS_CASES } from './case-tables.js';
export type { StreamOutcome } from './stream-outcome.js';
export { ofType, streamOutcome, texts } from './stream-outcome.js';
