import type { RecordedRequest } from './script.js';

/** Which API a request is for, decided by method and path alone. */
export type Route =
  | { kind: 'openai-chat' }
  | { kind: 'openai-models' }
  | { kind: 'openai-responses' }
  | { kind: 'anthropic-messages' }
  | { kind: 'gemini'; model: string; streaming: boolean; sse: boolean }
  | { kind: 'unknown' };

// The model segment holds no slash but the path holds a colon: `/v1beta/models/gemini-2.5-flash:streamGenerateContent`,
// or Vertex `/v1beta1/projects/p/locations/l/publishers/google/models/m:streamGenerateContent`.
const GEMINI_PATH = /\/(?:models|tunedModels)\/([^/:]+):(streamGenerateContent|generateContent)$/;

export function routeOf(method: string, url: URL): Route {
  const path = url.pathname.replace(/\/+$/, '');
  if (method === 'POST' && path === '/v1/chat/completions') return { kind: 'openai-chat' };
  if (method === 'GET' && path === '/v1/models') return { kind: 'openai-models' };
  if (method === 'POST' && path === '/v1/responses') return { kind: 'openai-responses' };
  if (method === 'POST' && path === '/v1/messages') return { kind: 'anthropic-messages' };
  const gemini = method === 'POST' ? GEMINI_PATH.exec(path) : null;
  if (gemini) {
    return {
      kind: 'gemini',
      model: decodeURIComponent(gemini[1]!),
      streaming: gemini[2] === 'streamGenerateContent',
      sse: url.searchParams.get('alt') === 'sse',
    };
  }
  return { kind: 'unknown' };
}

export function vendorOf(route: Route): RecordedRequest['vendor'] {
  switch (route.kind) {
    case 'openai-chat':
    case 'openai-models':
    case 'openai-responses':
      return 'openai';
    case 'anthropic-messages':
      return 'anthropic';
    case 'gemini':
      return 'gemini';
    default:
      return 'unknown';
  }
}
