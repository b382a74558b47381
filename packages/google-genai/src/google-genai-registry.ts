import { type Env, type ProviderDefinition, RegistryError } from '@rxllm/core';
import { createGoogleGenAI, type GoogleGenAIProviderOptions } from './create-google-genai.js';

const variable = (env: Env, name: string): string | undefined => env[name]?.trim() || undefined;

function vertexRequested(env: Env): boolean {
  return variable(env, 'GOOGLE_GENAI_USE_VERTEXAI')?.toLowerCase() === 'true';
}

function apiKeyOf(env: Env): string | undefined {
  return variable(env, 'GOOGLE_API_KEY') ?? variable(env, 'GEMINI_API_KEY');
}

/**
 * The provider options the registry builds from an environment, or `undefined` when nothing configures it.
 *
 * @example
 * ```ts
 * googleGenAIOptionsFromEnv({ GEMINI_API_KEY: 'AIza…', GEMINI_MODEL: 'gemini-2.5-pro' }); // { apiKey: 'AIza…', model: 'gemini-2.5-pro' }
 * ```
 */
export function googleGenAIOptionsFromEnv(env: Env): GoogleGenAIProviderOptions | undefined {
  const apiKey = apiKeyOf(env);
  const vertex = vertexRequested(env);
  const project = variable(env, 'GOOGLE_CLOUD_PROJECT');
  const location = variable(env, 'GOOGLE_CLOUD_LOCATION');
  if (!apiKey && !(vertex && project)) return undefined;
  const baseURL = variable(env, 'GOOGLE_GENAI_BASE_URL') ?? variable(env, 'GEMINI_BASE_URL');
  const model = variable(env, 'GOOGLE_GENAI_MODEL') ?? variable(env, 'GEMINI_MODEL');
  return {
    ...(apiKey ? { apiKey } : {}),
    ...(vertex ? { vertexai: { ...(project ? { project } : {}), ...(location ? { location } : {}) } } : {}),
    ...(baseURL ? { baseURL } : {}),
    ...(model ? { model } : {}),
  };
}

/**
 * Registry definition for `google-genai`. Configured by `GOOGLE_API_KEY` (or `GEMINI_API_KEY`; `GOOGLE_API_KEY`
 * wins, as in the SDK), or by `GOOGLE_GENAI_USE_VERTEXAI=true` with `GOOGLE_CLOUD_PROJECT` (and
 * `GOOGLE_CLOUD_LOCATION`). `GOOGLE_GENAI_BASE_URL` or `GEMINI_BASE_URL` sets the base URL, `GOOGLE_GENAI_MODEL` or
 * `GEMINI_MODEL` the model.
 *
 * @example
 * ```ts
 * const registry = createRegistry({ 'google-genai': googleGenAIProvider });
 * const provider = registry.create('google-genai', { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'p', GOOGLE_CLOUD_LOCATION: 'us-central1' });
 * ```
 */
export const googleGenAIProvider: ProviderDefinition = {
  apiKeyEnv: 'GOOGLE_API_KEY',
  // A key is one way among two (Vertex needs none), so the check is ours, in `create`.
  requiresApiKey: false,
  isConfigured: (env) => googleGenAIOptionsFromEnv(env) !== undefined,
  create(env) {
    const options = googleGenAIOptionsFromEnv(env);
    if (!options) {
      throw new RegistryError(
        'Provider "google-genai" needs GOOGLE_API_KEY (or GEMINI_API_KEY), or GOOGLE_GENAI_USE_VERTEXAI=true with GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION.',
      );
    }
    return createGoogleGenAI(options);
  },
};
