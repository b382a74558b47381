// `@rxllm/google-genai/internal`: the pieces `createGoogleGenAI` is built from (request, error mapping, the
// environment the registry reads), for other rxllm packages, benchmarks and tests. Not covered by semver: they change
// whenever the provider needs them to. The response mapping shared with `@rxllm/gemini` is
// `@rxllm/gemini-common/internal`.
export type { ToLLMErrorOptions } from './errors.js';
export { errorBodyFromMessage, toLLMError } from './errors.js';
export { googleGenAIOptionsFromEnv } from './google-genai-registry.js';
export type { GoogleGenAIRequest } from './request-body.js';
export { toGoogleGenAIRequest } from './request-body.js';
