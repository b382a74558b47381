import { describe, expect, expectTypeOf, it } from 'vitest';
import { CHUNK_TYPES, type Chunk, type ChunkType } from './chunk.js';
import { isToolLoopChunk, type LoopChunk, TOOL_LOOP_CHUNK_TYPES, type ToolLoopChunk } from './loop-chunks.js';

const providerChunks: Chunk[] = [
  { type: 'start', provider: 'openai', model: 'gpt-test' },
  { type: 'text', text: 'Hi' },
  { type: 'reasoning', text: 'hmm' },
  { type: 'tool-call', index: 0, id: 'call_1', name: 'weather', argumentsDelta: '{"city":' },
  { type: 'usage', usage: { inputTokens: 3, outputTokens: 2 } },
  { type: 'finish', reason: 'tool-calls', rawReason: 'tool_calls' },
];

const loopChunks: ToolLoopChunk[] = [
  { type: 'step-start', step: 1 },
  {
    type: 'tool-call-ready',
    step: 1,
    index: 0,
    id: 'call_1',
    name: 'weather',
    input: { city: 'Paris' },
    arguments: '{"city":"Paris"}',
  },
  { type: 'tool-approval-request', step: 1, toolCallId: 'call_1', name: 'weather', input: { city: 'Paris' } },
  { type: 'tool-result', step: 1, toolCallId: 'call_1', name: 'weather', output: { celsius: 21 }, durationMs: 4 },
  { type: 'step-finish', step: 1, reason: 'tool-calls', toolCalls: 1 },
];

describe('loop chunks', () => {
  it('isToolLoopChunk is true for every loop chunk and false for every provider chunk', () => {
    for (const chunk of loopChunks) expect(isToolLoopChunk(chunk), chunk.type).toBe(true);
    for (const chunk of providerChunks) expect(isToolLoopChunk(chunk), chunk.type).toBe(false);
  });

  it('TOOL_LOOP_CHUNK_TYPES names each loop chunk type once, none of them a provider chunk type', () => {
    expect([...TOOL_LOOP_CHUNK_TYPES].sort()).toEqual(loopChunks.map((chunk) => chunk.type).sort());
    for (const type of CHUNK_TYPES) expect(TOOL_LOOP_CHUNK_TYPES).not.toContain(type);
  });

  it('CHUNK_TYPES names every provider chunk type once', () => {
    const providerTypes: ChunkType[] = ['start', 'text', 'reasoning', 'tool-call', 'usage', 'finish', 'failover'];
    expect([...CHUNK_TYPES].sort()).toEqual(providerTypes.sort());
  });

  it('narrows a LoopChunk on type, and the guard leaves provider chunks typed as Chunk', () => {
    const chunk = providerChunks[3] as LoopChunk;
    if (chunk.type === 'tool-call') expectTypeOf(chunk.argumentsDelta).toEqualTypeOf<string>();
    if (!isToolLoopChunk(chunk)) expectTypeOf(chunk).toEqualTypeOf<Chunk>();
    expectTypeOf<Extract<LoopChunk, { type: 'tool-call' }>>().toEqualTypeOf<Extract<Chunk, { type: 'tool-call' }>>();
  });
});
