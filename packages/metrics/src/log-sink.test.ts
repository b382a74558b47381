import { type Chunk, LLMError } from '@rxllm/core';
import { createChunkTestScheduler } from '@rxllm/testing/marbles';
import { describe, expect, it } from 'vitest';
import { logSink } from './log-sink.js';
import { measure } from './measure.js';

const createTestScheduler = () => createChunkTestScheduler({ errors: 'llm-error-fields' });

const story = ['Once', ' upon', ' a', ' time'];
const values: Record<string, Chunk> = {
  s: { type: 'start', provider: 'openai', model: 'gpt-test' },
  a: { type: 'text', text: story[0]! },
  b: { type: 'text', text: story[1]! },
  c: { type: 'text', text: story[2]! },
  d: { type: 'text', text: story[3]! },
  f: { type: 'finish', reason: 'stop' },
};

function recordingLogger() {
  const lines: string[] = [];
  return {
    lines,
    logger: {
      info: (message: string) => lines.push(`info ${message}`),
      debug: (message: string) => lines.push(`debug ${message}`),
      warn: (message: string) => lines.push(`warn ${message}`),
    },
  };
}

describe('logSink', () => {
  it('writes the seed lines exactly', () => {
    const { lines, logger } = recordingLogger();
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('sabcdf|', values).pipe(measure(logSink(logger)))).toBe('sabcdf|', values);
    });
    expect(lines).toEqual([
      'info Streaming response...',
      'info First chunk received: "Once"',
      'debug Chunk 2: " upon"',
      'debug Chunk 3: " a"',
      'debug Chunk 4: " time"',
      'info Streaming complete - Total chunks: 4, Total length: 16 characters',
    ]);
  });

  it('logs failures by kind, never the error message (which might echo a key)', () => {
    const { lines, logger } = recordingLogger();
    const marker = 'sk-MARKER-do-not-log-1234';
    const failure = new LLMError({
      kind: 'auth',
      provider: 'openai',
      status: 401,
      message: `Incorrect API key: ${marker}`,
    });
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('sa#', values, failure).pipe(measure(logSink(logger)))).toBe('sa#', values, failure);
    });
    expect(lines.at(-1)).toBe('warn Streaming failed (auth) - Total chunks: 1, Total length: 4 characters');
    expect(lines.join('\n')).not.toContain(marker);
  });

  it('logs an early stop, falling back to info without warn', () => {
    const lines: string[] = [];
    const logger = { info: (message: string) => lines.push(message), debug: () => undefined };
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('sab-|', values).pipe(measure(logSink(logger))), '^--!').toBe('sab', values);
    });
    expect(lines.at(-1)).toBe('Streaming stopped - Total chunks: 2, Total length: 9 characters');
  });

  it('does not build the per-chunk debug line while the logger says debug is off', () => {
    let debugEnabled = false;
    const asked: string[] = [];
    const { lines, logger } = recordingLogger();
    const sink = logSink({
      ...logger,
      isLevelEnabled: (level: string) => {
        asked.push(level);
        return debugEnabled;
      },
    });
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('sabcdf|', values).pipe(measure(sink))).toBe('sabcdf|', values);
    });
    expect(lines.filter((line) => line.startsWith('debug'))).toEqual([]);
    expect(asked).toEqual(['debug', 'debug', 'debug']);
    expect(lines).toContain('info First chunk received: "Once"');
    debugEnabled = true;
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('sabf|', values).pipe(measure(sink))).toBe('sabf|', values);
    });
    expect(lines.filter((line) => line.startsWith('debug'))).toEqual(['debug Chunk 2: " upon"']);
  });
});
