// `@rxllm/anthropic/internal`: the pieces `createAnthropic` is built from (request body, event mapper, finish reason,
// error mapping), for other rxllm packages, benchmarks and tests. Not covered by semver: they change whenever the
// provider needs them to.
export { kindFromErrorType, type ToLLMErrorOptions, toLLMError } from './errors.js';
export { type AnthropicEventMapper, type AnthropicEventMapperOptions, createEventMapper } from './event-mapper.js';
export { finishReasonFromStopReason } from './finish-reason.js';
export { type ToMessageCreateParamsOptions, toMessageCreateParams } from './request-body.js';
