export { anthropicProvider, anthropicProviderWith } from './anthropic-registry.js';
export { type AnthropicProviderOptions, createAnthropic, DEFAULT_ANTHROPIC_MODEL } from './create-anthropic.js';
export { type AnthropicRequestDefaults, DEFAULT_MAX_TOKENS } from './request-body.js';
