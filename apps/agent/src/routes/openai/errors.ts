import type { HttpError } from '../../http/errors.js';

const openAIErrorTypes: Record<string, string> = {
  'invalid-request': 'invalid_request_error',
  'content-filter': 'invalid_request_error',
  auth: 'authentication_error',
  forbidden: 'permission_error',
  'budget-exceeded': 'insufficient_quota',
  'not-found': 'not_found_error',
  'rate-limit': 'rate_limit_exceeded',
  timeout: 'timeout',
  overloaded: 'server_error',
  network: 'server_error',
  'invalid-output': 'server_error',
  unknown: 'server_error',
  shutdown: 'server_error',
  'slow-consumer': 'server_error',
  aborted: 'server_error',
};

/**
 * OpenAI's error shape, plus our `kind`: `{error:{message,type,param,code,kind}}`.
 *
 * @example
 * ```ts
 * openAIErrorBody(new HttpError({ kind: 'rate-limit', message: 'slow down' }));
 * // { error: { message: 'slow down', type: 'rate_limit_exceeded', param: null, code: 'rate-limit', kind: 'rate-limit' } }
 * ```
 */
export function openAIErrorBody(error: HttpError | { kind: string; message: string; param?: string | undefined }) {
  return {
    error: {
      message: error.message,
      type: openAIErrorTypes[error.kind] ?? 'server_error',
      param: error.param ?? null,
      code: error.kind,
      kind: error.kind,
    },
  };
}
