export type { GoogleGenAIProviderOptions, VertexOptions } from './create-google-genai.js';
export { createGoogleGenAI, DEFAULT_GOOGLE_GENAI_MODEL } from './create-google-genai.js';
export { googleGenAIProvider } from './google-genai-registry.js';
