export type { GeminiOptions } from './create-gemini.js';
export { createGemini, DEFAULT_GEMINI_MODEL } from './create-gemini.js';
export { geminiProvider } from './gemini-registry.js';
