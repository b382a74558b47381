import type { Chunk } from '@rxllm/core';

export const values: Record<string, Chunk> = {
  s: { type: 'start', provider: 'openai', model: 'gpt-test' },
  a: { type: 'text', text: 'Once' },
  b: { type: 'text', text: ' upon' },
  r: { type: 'reasoning', text: 'hmm' },
  u: { type: 'usage', usage: { outputTokens: 2 } },
  f: { type: 'finish', reason: 'stop' },
};

export const expectedError = (clock: 'first-chunk' | 'idle' | 'total', ms: number, provider = 'openai') => ({
  kind: 'timeout',
  message: {
    'first-chunk': `No first chunk within ${ms} ms`,
    idle: `No chunk for ${ms} ms`,
    total: `Stream took longer than ${ms} ms`,
  }[clock],
  provider,
  retryable: true,
  details: { clock, ms },
});
