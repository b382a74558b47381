import type { Chunk, CompletionRequest, LoopChunk, Provider } from '@rxllm/core';
import { defer, type Observable } from 'rxjs';

/** A provider that answers its n-th request with `answer(request, n)` and keeps every request it got. */
export interface ScriptedProvider extends Provider {
  readonly requests: CompletionRequest[];
}

export function scriptedProvider(
  answer: (request: CompletionRequest, index: number) => Observable<Chunk>,
): ScriptedProvider {
  const requests: CompletionRequest[] = [];
  return {
    name: 'test',
    defaultModel: 'test-model',
    requests,
    stream: (request) =>
      defer(() => {
        requests.push(request);
        return answer(request, requests.length - 1);
      }),
  };
}

/** A short, readable code for a chunk, so that marbles can compare loops without spelling out every field. */
export function code(chunk: LoopChunk): string {
  switch (chunk.type) {
    case 'step-start':
      return `step ${chunk.step}`;
    case 'text':
      return `text ${chunk.text}`;
    case 'tool-call':
      return `fragment ${chunk.index}`;
    case 'finish':
      return `finish ${chunk.reason}`;
    case 'tool-call-ready':
      return `ready ${chunk.id} ${chunk.name}`;
    case 'tool-approval-request':
      return `approve? ${chunk.toolCallId}`;
    case 'tool-result': {
      const what = chunk.error ? `${chunk.error.kind}` : JSON.stringify(chunk.output);
      return `${chunk.partial ? 'partial' : 'result'} ${chunk.toolCallId} ${what}`;
    }
    case 'step-finish':
      return `end ${chunk.step} ${chunk.reason}${chunk.stoppedBy ? ` ${chunk.stoppedBy}` : ''}`;
    default:
      return chunk.type;
  }
}

/** The user turn most tests start from. */
export const question: CompletionRequest = { messages: [{ role: 'user', content: 'Weather in Paris?' }] };
