import type { Observable } from 'rxjs';
import type { Chunk } from './chunk.js';
import type { CompletionRequest } from './request.js';

/**
 * A source of streamed completions.
 *
 * `stream` is cold: each subscription makes exactly one upstream request, and unsubscribing aborts it.
 * The stream emits a `start` chunk, content chunks, optional `usage`, and ends with a `finish` chunk, or errors
 * with an {@link LLMError}. A stream that ends without the vendor's terminal event is an error.
 */
export interface Provider {
  /** Registry name, e.g. `openai`, `anthropic`, `gemini`, `ollama`, `simulated`. */
  readonly name: string;
  /** Model used when the request names none. */
  readonly defaultModel: string;
  stream(request: CompletionRequest): Observable<Chunk>;
}
