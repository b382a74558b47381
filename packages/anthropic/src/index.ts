export { anthropicProvider, anthropicProviderWith } from './anthropic-provider.js';
export { type AnthropicProviderOptions, createAnthropic, DEFAULT_ANTHROPIC_MODEL } from './create-anthropic.js';
export { kindFromErrorType, type ToLLMErrorOptions, toLLMError } from './errors.js';
export { type AnthropicEventMapper, type AnthropicEventMapperOptions, createEventMapper } from './event-mapper.js';
export { finishReasonFromStopReason } from './finish-reason.js';
export {
  type AnthropicRequestDefaults,
  DEFAULT_MAX_TOKENS,
  type ToMessageCreateParamsOptions,
  toMessageCreateParams,
} from './request-body.js';
