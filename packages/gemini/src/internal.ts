// `@rxllm/gemini/internal`: the pieces `createGemini` is built from (request body, error mapping), for other rxllm
// packages, benchmarks and tests. Not covered by semver: they change whenever the provider needs them to. The
// response mapping shared with `@rxllm/google-genai` is `@rxllm/gemini-common/internal`.
export type { ToLLMErrorOptions } from './errors.js';
export { toLLMError } from './errors.js';
export type { GeminiRequestBody } from './request-body.js';
export { toGeminiRequestBody } from './request-body.js';
