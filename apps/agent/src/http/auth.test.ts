import { describe, expect, it } from 'vitest';
import { apiKeyHeaderToken, isAuthorized } from './auth.js';

describe('isAuthorized', () => {
  it('takes the key as a bearer token or as x-api-key (the Anthropic SDK header)', () => {
    expect(isAuthorized({ authorization: 'Bearer secret' }, 'secret')).toBe(true);
    expect(isAuthorized({ 'x-api-key': 'secret' }, 'secret')).toBe(true);
    expect(isAuthorized({ 'x-api-key': ' secret ' }, 'secret')).toBe(true);
    expect(isAuthorized({ 'x-api-key': 'wrong' }, 'secret')).toBe(false);
    expect(isAuthorized({ 'x-api-key': '' }, 'secret')).toBe(false);
    expect(isAuthorized({}, 'secret')).toBe(false);
    expect(isAuthorized({}, undefined)).toBe(true);
  });

  it('prefers the bearer token: a wrong bearer is not rescued by x-api-key', () => {
    expect(isAuthorized({ authorization: 'Bearer wrong', 'x-api-key': 'secret' }, 'secret')).toBe(false);
  });

  it('reads x-api-key only as one string', () => {
    expect(apiKeyHeaderToken({ 'x-api-key': 'k' })).toBe('k');
    expect(apiKeyHeaderToken({})).toBeUndefined();
  });
});
