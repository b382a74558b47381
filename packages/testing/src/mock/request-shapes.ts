import { anthropicRequestProblem } from './anthropic-request-shape.js';
import { geminiRequestProblem } from './gemini-request-shape.js';
import { openaiRequestProblem } from './openai-request-shape.js';
import { openaiResponsesRequestProblem } from './openai-responses-request-shape.js';
import type { Route } from './routes.js';

/**
 * What is wrong with a request body by its vendor's own rules (content parts, response formats, tool choice …), or
 * `undefined` when it has the vendor's exact shape. The mock answers a problem with the vendor's 400.
 */
export function requestShapeProblem(route: Route, body: unknown): string | undefined {
  switch (route.kind) {
    case 'openai-chat':
      return openaiRequestProblem(body);
    case 'openai-responses':
      return openaiResponsesRequestProblem(body);
    case 'anthropic-messages':
      return anthropicRequestProblem(body);
    case 'gemini':
      return geminiRequestProblem(body);
    default:
      return undefined;
  }
}
