import { encodeSseEvent, encodeWebSocketFrame } from '@rxllm/agent';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postChat, socketChat } from './harness/clients.js';
import { type Harness, startHarness } from './harness/in-process-agent.js';
import { writeResult } from './harness/results.js';
import { messageFor, scriptedResponder } from './harness/scripted-text.js';
import { SecretScanner } from './harness/secrets.js';
import { verifyTranscript } from './harness/verify.js';

const scanner = new SecretScanner('sse-encoder');

/** Pieces that break naive SSE framing: line terminators of every kind, field names, NUL, lone surrogates. */
const hostilePiece = fc.constantFrom(
  '\n',
  '\r',
  '\r\n',
  '\n\n',
  '\r\r',
  'data: {"type":"done"}',
  '\n\ndata: {"evil":1}\n\n',
  'event: error',
  'id: 999',
  'retry: 1',
  ': comment',
  '\u2028',
  '\u2029',
  '\u0085',
  '\0',
  '\ufeff',
  '😀',
  'é',
);
const loneSurrogate = fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff');
const modelOutput = (withLoneSurrogates: boolean, withUnicodeLineSeparators = true) =>
  fc
    .array(
      fc.oneof(
        withUnicodeLineSeparators ? hostilePiece : hostilePiece.filter((piece) => !/[\u2028\u2029]/.test(piece)),
        fc.string({ maxLength: 12, unit: 'binary' }),
        ...(withLoneSurrogates ? [loneSurrogate] : []),
      ),
      { maxLength: 12 },
    )
    .map((pieces) => pieces.join(''));

/** Splits a string at the given fractions, to feed a parser the way TCP might deliver it. */
function splitAt(text: string, cuts: number[]): string[] {
  const offsets = [...new Set(cuts.map((cut) => Math.floor(cut * text.length)))].sort((a, b) => a - b);
  const parts: string[] = [];
  let start = 0;
  for (const offset of [...offsets, text.length]) {
    parts.push(text.slice(start, offset));
    start = offset;
  }
  return parts;
}

describe('the SSE encoder: model output can never create a second event', () => {
  it('one event per chunk, text byte-for-byte, for any string (10,000 runs, split anywhere)', () => {
    let runs = 0;
    fc.assert(
      fc.property(
        modelOutput(true),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
        (text, id, cuts) => {
          runs += 1;
          const seen: EventSourceMessage[] = [];
          const parser = createParser({ onEvent: (event) => seen.push(event) });
          for (const part of splitAt(encodeSseEvent({ id, event: { type: 'text', text } }), cuts)) parser.feed(part);
          expect(seen).toHaveLength(1);
          expect(seen[0]?.id).toBe(String(id));
          expect(seen[0]?.event).toBe('text');
          expect(JSON.parse(seen[0]?.data ?? '')).toEqual({ type: 'text', text });
          const frame = JSON.parse(encodeWebSocketFrame({ id, event: { type: 'text', text } }));
          expect(frame).toEqual({ type: 'text', text, id });
        },
      ),
      { numRuns: 10_000 },
    );
    writeResult('sse-encoder-property', { runs });
  });
});

describe('hostile model output through the whole agent (mock → SDK → agent → client)', () => {
  let harness: Harness;
  const scripted = new Map<string, string[]>();
  beforeAll(async () => {
    harness = await startHarness({
      scanner,
      respond: scriptedResponder((requestId) => ({ pieces: 0, texts: scripted.get(requestId) ?? [] })),
    });
  });
  afterAll(async () => {
    writeResult('hostile-model-output', { separators, propertyRuns, propertyHeld });
    await harness.close();
    expect(scanner.report().hits).toBe(0);
  });

  // Lone surrogates cannot cross a UTF-8 wire (they become U+FFFD at the mock), so they are left to the unit property.
  // U+2028/U+2029 break @google/generative-ai's reader (see the dedicated test below), so the gemini property runs
  // without them and the dedicated test shows the defect on its own.
  const pieces = (vendor: string) =>
    fc.array(
      modelOutput(false, vendor !== 'gemini').filter(
        (text) => text.length > 0 && !(vendor === 'gemini' && /[\u2028\u2029]/.test(text)),
      ),
      { minLength: 1, maxLength: 6 },
    );
  let counter = 0;
  const separators: Record<string, unknown> = {};
  const propertyRuns: Record<string, number> = {};
  const propertyHeld: Record<string, boolean> = {};

  for (const vendor of ['gemini', 'google-genai'] as const) {
    it(`${vendor}: U+2028 and U+2029 in model output arrive intact (Google sends raw UTF-8 in its JSON)`, async () => {
      counter += 1;
      const requestId = `separators-${vendor}-${counter}`;
      const texts = ['line\u2028separator ', 'paragraph\u2029separator'];
      scripted.set(requestId, texts);
      const reply = await postChat(
        `${harness.agent.url}/chat`,
        { message: messageFor(requestId), provider: vendor },
        { deadlineMs: 10_000 },
      );
      scanner.body(reply.raw);
      separators[vendor] = {
        status: reply.status,
        texts: reply.events.filter((event) => event.type === 'text').map((event) => event.data.text),
        body: reply.status === 200 ? undefined : reply.raw.slice(0, 300),
      };
      expect(reply.status, `reply: ${reply.raw.slice(0, 300)}`).toBe(200);
      expect(reply.events.filter((event) => event.type === 'text').map((event) => event.data.text)).toEqual(texts);
    });
  }

  for (const vendor of ['openai', 'anthropic', 'gemini', 'google-genai'] as const) {
    it(`${vendor}: every scripted chunk arrives as exactly one event with the same text (SSE and WebSocket)`, async () => {
      const texts = pieces(vendor);
      await fc.assert(
        fc.asyncProperty(texts, fc.boolean(), async (chosen, overSocket) => {
          counter += 1;
          propertyRuns[vendor] = (propertyRuns[vendor] ?? 0) + 1;
          const requestId = `hostile-${vendor}-${counter}`;
          scripted.set(requestId, chosen);
          const body = { message: messageFor(requestId), provider: vendor };
          const reply = overSocket
            ? await socketChat(harness.agent.url, body, { deadlineMs: 10_000 })
            : await postChat(`${harness.agent.url}/chat`, body, { deadlineMs: 10_000 });
          const raw = Array.isArray(reply.raw) ? reply.raw.join('\n') : reply.raw;
          scanner.body(raw);
          const { events } = reply;
          const verdict = verifyTranscript(events);
          expect(verdict.problems, `reply: ${raw.slice(0, 400)}`).toEqual([]);
          expect(verdict.terminal).toBe('done');
          expect(events.filter((event) => event.type === 'text').map((event) => event.data.text)).toEqual(chosen);
        }),
        { numRuns: 40 },
      );
      propertyHeld[vendor] = true;
    });
  }
});
