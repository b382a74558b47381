import type { MockDelivery, MockResponder, MockScript } from '@rxllm/testing';

/** A request id travels inside the user message as `rid:<id>;` so the mock can script a distinct reply per client. */
export const messageFor = (requestId: string, words = 'tell me a story') => `${words} rid:${requestId};`;

const requestIdPattern = /rid:([A-Za-z0-9_-]+);/;

/** Finds the request id in any vendor's request body (OpenAI, Anthropic and Gemini all carry the message text). */
export function requestIdOf(body: unknown): string | undefined {
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? '');
  return requestIdPattern.exec(text)?.[1];
}

/**
 * The scripted reply for a request id: `count` pieces, each naming the id and its index, with multi-byte characters
 * (2-, 3- and 4-byte UTF-8) so byte splits land inside characters and a mixed-up chunk is always detectable.
 */
export function piecesFor(requestId: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${requestId}#${index} é中😀 `);
}

export const expectedTextFor = (requestId: string, count: number) => piecesFor(requestId, count).join('');

/** Pieces per reply and delivery, chosen per request id (e.g. a slow stream for one group of clients). */
export interface ScriptPlan {
  pieces: number;
  delivery?: MockDelivery;
  /** Replace the scripted pieces (e.g. hostile model output). */
  texts?: string[];
}

/**
 * A mock responder that answers each request with its own scripted text, derived from the `rid:` in the message.
 * Requests without an id fall back to the mock's queue/default.
 */
export function scriptedResponder(plan: (requestId: string) => ScriptPlan): MockResponder {
  return (request) => {
    const requestId = requestIdOf(request.body);
    if (!requestId) return undefined;
    const chosen = plan(requestId);
    const texts = chosen.texts ?? piecesFor(requestId, chosen.pieces);
    const script: MockScript = {
      events: texts.map((text) => ({ type: 'text' as const, text })),
      usage: { inputTokens: 5, outputTokens: texts.length },
      ...(chosen.delivery ? { delivery: chosen.delivery } : {}),
    };
    return script;
  };
}
