import type { MockScript } from '@rxllm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { postJson, readSse, startTestAgent, type TestAgent } from '../test-helpers.js';

const schema = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    temperature: { type: 'number' },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['city', 'temperature'],
};
const jsonScript = (pieces: string[]): MockScript => ({ events: pieces.map((text) => ({ type: 'text', text })) });
// The answer as Gemini 2.5 and Claude tend to frame it: prose, a fence split across chunks, the JSON in pieces.
const framed = ['Here it is:\n``', '`json\n{"city":"Pa', 'ris","temperature":2', '1.5,"tags":["su', 'nny"]}\n```'];
const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

interface ObjectData {
  type: string;
  object?: unknown;
  complete?: boolean;
  error?: { kind: string; message: string };
}

describe('POST /chat and the WebSocket with responseFormat and content parts', () => {
  let harness: TestAgent;
  beforeAll(async () => {
    harness = await startTestAgent();
  });
  afterAll(async () => {
    await harness.close();
  });
  const chat = (body: unknown) => postJson(`${harness.agent.url}/chat`, body);

  it('streams object events: growing partials, then the checked object once, before done', async () => {
    harness.upstream.enqueue(jsonScript(framed));
    const response = await chat({ message: 'Weather in Paris', responseFormat: { type: 'json', schema } });
    expect(response.status).toBe(200);
    const events = (await readSse(response)).map((event) => event.data as ObjectData);
    const objects = events.filter((event) => event.type === 'object');
    const partials = objects.filter((event) => !event.complete).map((event) => event.object);
    expect(partials).toEqual([
      { city: 'Pa' },
      { city: 'Paris', temperature: 2 },
      { city: 'Paris', temperature: 21.5, tags: ['su'] },
      { city: 'Paris', temperature: 21.5, tags: ['sunny'] },
    ]);
    expect(objects.filter((event) => event.complete)).toEqual([
      { type: 'object', object: { city: 'Paris', temperature: 21.5, tags: ['sunny'] }, complete: true },
    ]);
    // The text still streams as it came; the complete object comes after the last content, before done.
    expect(events.filter((event) => event.type === 'text').length).toBe(framed.length);
    const types = events.map((event) => event.type);
    expect(types.lastIndexOf('object')).toBeGreaterThan(types.lastIndexOf('text'));
    expect(types.at(-1)).toBe('done');
    const [sent] = await harness.upstream.waitForRequests(1);
    expect((sent?.body as { response_format?: unknown } | undefined)?.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { schema },
    });
  });

  it('an answer that fails the schema ends the stream with invalid-output, naming the field', async () => {
    harness.upstream.enqueue(jsonScript(['{"city":"Paris","temperature":"warm"}']));
    const response = await chat({ message: 'Weather', responseFormat: { type: 'json', schema } });
    const events = (await readSse(response)).map((event) => event.data as ObjectData);
    const last = events.at(-1);
    expect(last?.type).toBe('error');
    expect(last?.error?.kind).toBe('invalid-output');
    expect(last?.error?.message).toContain('does not match the schema');
    expect(events.some((event) => event.type === 'object' && event.complete)).toBe(false);
  });

  it('stream:false answers with the checked object in the body', async () => {
    harness.upstream.enqueue(jsonScript(['{"city":"Oslo",', '"temperature":-3}']));
    const response = await chat({ message: 'Weather', stream: false, responseFormat: { type: 'json', schema } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: unknown; text: string };
    expect(body.object).toEqual({ city: 'Oslo', temperature: -3 });
    expect(body.text).toBe('{"city":"Oslo","temperature":-3}');
  });

  it('a schema that is not JSON Schema is a 400 naming responseFormat.schema; the agent keeps serving', async () => {
    const response = await chat({ message: 'x', responseFormat: { type: 'json', schema: { type: 'objekt' } } });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { kind: string; message: string } };
    expect(error.kind).toBe('invalid-request');
    expect(error.message).toContain('responseFormat.schema: is not a valid JSON Schema');
    harness.upstream.enqueue(jsonScript(['fine']));
    expect((await chat({ message: 'still there?' })).status).toBe(200);
  });

  it('an image part goes upstream as the vendor part, and its bytes never reach a log line', async () => {
    harness.upstream.reset();
    harness.upstream.enqueue(jsonScript(['A pixel.']));
    const image = { type: 'image', source: { type: 'base64', data: png, mediaType: 'image/png' } };
    const response = await chat({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is it?' }, image] }],
    });
    expect(response.status).toBe(200);
    await readSse(response);
    const [sent] = await harness.upstream.waitForRequests(1);
    expect(sent?.rejected).toBeUndefined();
    expect(JSON.stringify(sent?.body)).toContain(`data:image/png;base64,${png}`);
    expect(harness.logs.join('\n')).not.toContain(png.slice(0, 24));
    expect(harness.logs.some((line) => line.includes('Received message: What is it?'))).toBe(true);
  });

  it('the WebSocket carries the same object frames', async () => {
    harness.upstream.enqueue(jsonScript(framed));
    const socket = new WebSocket(`${harness.agent.url.replace('http', 'ws')}/ws`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const frames: ObjectData[] = [];
    const done = new Promise<void>((resolve) => {
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as ObjectData;
        frames.push(frame);
        if (frame.type === 'done' || frame.type === 'error') resolve();
      });
    });
    socket.send(JSON.stringify({ message: 'Weather', responseFormat: { type: 'json', schema } }));
    await done;
    socket.close();
    const complete = frames.filter((frame) => frame.type === 'object' && frame.complete);
    expect(complete.map((frame) => frame.object)).toEqual([{ city: 'Paris', temperature: 21.5, tags: ['sunny'] }]);
    expect(frames.filter((frame) => frame.type === 'object').length).toBe(5);
  });
});
