import { describe, expect, it } from 'vitest';
import { isInvalidKeyDetail, retryAfterMsFromDetails } from './error-details.js';

describe('retryAfterMsFromDetails', () => {
  it('reads RetryInfo.retryDelay', () => {
    expect(
      retryAfterMsFromDetails([{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '34.4s' }]),
    ).toBe(34400);
    expect(retryAfterMsFromDetails([{ retryDelay: '0.5s' }])).toBe(500);
    expect(retryAfterMsFromDetails(undefined)).toBeUndefined();
  });

  it('skips details without a seconds delay', () => {
    expect(retryAfterMsFromDetails([{ reason: 'API_KEY_INVALID' }, { retryDelay: '2s' }])).toBe(2000);
    expect(retryAfterMsFromDetails([{ retryDelay: '2m' }, null])).toBeUndefined();
    expect(retryAfterMsFromDetails({ retryDelay: '2s' })).toBeUndefined();
  });
});

describe('isInvalidKeyDetail', () => {
  it('is true only for a detail with reason API_KEY_INVALID', () => {
    expect(
      isInvalidKeyDetail([{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }]),
    ).toBe(true);
    expect(isInvalidKeyDetail([{ reason: 'API_KEY_EXPIRED' }, null])).toBe(false);
    expect(isInvalidKeyDetail(undefined)).toBe(false);
    expect(isInvalidKeyDetail({ reason: 'API_KEY_INVALID' })).toBe(false);
  });
});
