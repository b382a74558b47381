import { kindFromStatus } from '@rxllm/core';
import { describe, expect, it } from 'vitest';
import { normaliseFinishReason } from '../finish-reason.js';
import { FINISH_REASON_CASES, HTTP_STATUS_CASES } from './case-tables.js';

// The tables are expectations for the provider tests; these checks keep them in step with the mapping they test.
describe('case tables', () => {
  it('FINISH_REASON_CASES agree with normaliseFinishReason without a function call', () => {
    expect(FINISH_REASON_CASES.map(([raw]) => [raw, normaliseFinishReason(raw, false)])).toEqual(FINISH_REASON_CASES);
  });

  it('HTTP_STATUS_CASES agree with kindFromStatus', () => {
    expect(HTTP_STATUS_CASES.map(([status]) => [status, kindFromStatus(status)])).toEqual(HTTP_STATUS_CASES);
  });
});
