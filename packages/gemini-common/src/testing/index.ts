export { FINISH_REASON_CASES, HTTP_STATUS_CASES } from './case-tables.js';
export type { RequestShapeCase } from './request-cases.js';
export {
  IGNORED_USER,
  PDF_BASE64,
  PNG_BASE64,
  REQUEST_SHAPE_CASES,
  UNSUPPORTED_PART_REQUEST,
} from './request-cases.js';
export type { StreamOutcome } from './stream-outcome.js';
export { ofType, streamOutcome, texts } from './stream-outcome.js';
