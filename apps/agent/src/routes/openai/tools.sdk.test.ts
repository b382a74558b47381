import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { hasToolResult, matchRequests, type RecordedRequest } from '@rxllm/testing';
import { stepCountIs, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestAgent, type TestAgent } from '../../test-helpers.js';

const providers = ['openai', 'anthropic', 'gemini', 'google-genai'] as const;
const answer = 'It is 21 °C in Paris.';
const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'weather',
    description: 'The current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
// A 1×1 PNG.
const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** The mock: a tool call until the request sends a tool result back, then the answer in words. */
const respond = matchRequests(
  [
    {
      when: hasToolResult,
      script: {
        events: [
          { type: 'text', text: 'It is 21 °C ' },
          { type: 'text', text: 'in Paris.' },
        ],
      },
    },
  ],
  { events: [{ type: 'tool-call', id: 'call_w1', name: 'weather', argumentFragments: ['{"city":', '"Paris"}'] }] },
);

describe('the OpenAI tool protocol through /v1/chat/completions, by real clients', () => {
  let harness: TestAgent;
  let client: OpenAI;
  const models = new Map<string, string>();
  beforeAll(async () => {
    harness = await startTestAgent(
      {},
      { respond: (request) => (isToolRequest(request) ? respond(request) : undefined) },
    );
    client = new OpenAI({ apiKey: 'unused-by-the-agent', baseURL: `${harness.agent.url}/v1`, maxRetries: 0 });
    for (const model of (await client.models.list()).data) {
      if (!models.has(model.owned_by))
        models.set(model.owned_by, model.owned_by === 'openai' ? model.id : `${model.owned_by}/${model.id}`);
    }
  });
  afterAll(async () => {
    await harness.close();
  });

  const modelOf = (provider: string) => models.get(provider) as string;
  const upstreamSince = (count: number) => harness.upstream.requests.slice(count);

  for (const provider of providers) {
    it(`${provider}: the openai client runs a two-step tool call (streamed call, tool message, answer)`, async () => {
      const before = harness.upstream.requests.length;
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris? [tools]' }];
      const stream = await client.chat.completions.create({
        model: modelOf(provider),
        messages,
        tools: [weatherTool],
        tool_choice: 'auto',
        stream: true,
      });
      const calls: Array<{ id?: string; name?: string; arguments: string }> = [];
      let finishReason: string | null = null;
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        finishReason = choice?.finish_reason ?? finishReason;
        for (const fragment of choice?.delta.tool_calls ?? []) {
          const call = calls[fragment.index] ?? { arguments: '' };
          if (calls[fragment.index] === undefined) {
            // OpenAI's exact delta shape: id, type and name on the first fragment of a call.
            expect(fragment.id).toBeTruthy();
            expect(fragment.type).toBe('function');
            expect(fragment.function?.name).toBe('weather');
          } else {
            expect(fragment.id).toBeUndefined();
          }
          call.id ??= fragment.id;
          call.name ??= fragment.function?.name;
          call.arguments += fragment.function?.arguments ?? '';
          calls[fragment.index] = call;
        }
      }
      expect(finishReason).toBe('tool_calls');
      expect(calls).toHaveLength(1);
      expect(JSON.parse(calls[0]?.arguments ?? '')).toEqual({ city: 'Paris' });

      const call = calls[0] as { id: string; name: string; arguments: string };
      messages.push(
        { role: 'assistant', content: null, tool_calls: [{ id: call.id, type: 'function', function: call }] },
        { role: 'tool', tool_call_id: call.id, content: JSON.stringify({ temperature: 21, unit: 'C' }) },
      );
      const second = await client.chat.completions.create({ model: modelOf(provider), messages, tools: [weatherTool] });
      expect(second.choices[0]?.message.content).toBe(answer);
      expect(second.choices[0]?.finish_reason).toBe('stop');

      const [first, last] = upstreamSince(before);
      expect(first?.rejected).toBeUndefined();
      expect(last?.rejected).toBeUndefined();
      expect(hasToolResult(first as RecordedRequest)).toBe(false);
      // The tool's result went upstream in the vendor's own dialect, under the tool's name.
      expect(hasToolResult(last as RecordedRequest, 'weather')).toBe(true);
    });
  }

  it('non-streaming: a tool call is message.tool_calls with content null and finish_reason tool_calls', async () => {
    const completion = await client.chat.completions.create({
      model: modelOf('anthropic'),
      messages: [{ role: 'user', content: 'Weather in Paris? [tools]' }],
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'weather' } },
      parallel_tool_calls: false,
    });
    const message = completion.choices[0]?.message;
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(message?.content).toBeNull();
    expect(message?.tool_calls).toEqual([
      { id: 'call_w1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
    ]);
  });

  for (const provider of providers) {
    it(`${provider}: the Vercel AI SDK's streamText runs a zod tool to the answer (stopWhen stepCountIs(3))`, async () => {
      const before = harness.upstream.requests.length;
      const compatible = createOpenAICompatible({
        name: 'rxllm',
        baseURL: `${harness.agent.url}/v1`,
        apiKey: 'unused',
        includeUsage: true,
      });
      const executed: string[] = [];
      const result = streamText({
        model: compatible(modelOf(provider)),
        prompt: 'Weather in Paris? [tools]',
        tools: {
          weather: tool({
            description: 'The current weather in a city',
            inputSchema: z.object({ city: z.string() }),
            execute: async ({ city }) => {
              executed.push(city);
              return { city, temperature: 21 };
            },
          }),
        },
        stopWhen: stepCountIs(3),
      });
      expect(await result.text).toBe(answer);
      const steps = await result.steps;
      expect(steps).toHaveLength(2);
      expect(steps[0]?.toolCalls.map((call) => [call.toolName, call.input])).toEqual([['weather', { city: 'Paris' }]]);
      expect(executed).toEqual(['Paris']);
      const sent = upstreamSince(before);
      expect(sent).toHaveLength(2);
      expect(sent.map((request) => request.rejected)).toEqual([undefined, undefined]);
      expect(hasToolResult(sent[1] as RecordedRequest, 'weather')).toBe(true);
    });
  }

  for (const provider of providers) {
    it(`${provider}: an image prompt (a data URL) goes upstream as the vendor's image part`, async () => {
      const before = harness.upstream.requests.length;
      harness.upstream.enqueue({ events: [{ type: 'text', text: 'A single pixel.' }] });
      const completion = await client.chat.completions.create({
        model: modelOf(provider),
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in this image?' },
              { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
            ],
          },
        ],
      });
      expect(completion.choices[0]?.message.content).toBe('A single pixel.');
      const [sent] = upstreamSince(before);
      expect(sent?.rejected).toBeUndefined();
      expect(imageIn(sent as RecordedRequest)).toEqual({ mediaType: 'image/png', data: png });
    });
  }

  for (const provider of providers) {
    it(`${provider}: a json_schema reply is parsed by the client (chat.completions.parse with zodResponseFormat)`, async () => {
      const before = harness.upstream.requests.length;
      harness.upstream.enqueue({
        events: ['{"city":"Pa', 'ris","temperature"', ':21}'].map((text) => ({ type: 'text' as const, text })),
      });
      const schema = z.object({ city: z.string(), temperature: z.number() });
      const completion = await client.chat.completions.parse({
        model: modelOf(provider),
        messages: [{ role: 'user', content: 'Weather in Paris as JSON' }],
        response_format: zodResponseFormat(schema, 'weather_report'),
      });
      expect(completion.choices[0]?.message.parsed).toEqual({ city: 'Paris', temperature: 21 });
      const [sent] = upstreamSince(before);
      expect(sent?.rejected).toBeUndefined();
      // The schema reached the vendor in its own field.
      expect(JSON.stringify(schemaIn(sent as RecordedRequest))).toContain('"temperature"');
    });
  }

  it('bad input is a 400 naming the field, and the agent keeps serving', async () => {
    harness.upstream.reset();
    const model = modelOf('openai');
    const bad = async (body: Record<string, unknown>) => {
      const error = await client.chat.completions
        .create({ model, messages: [{ role: 'user', content: 'Hi' }], ...body } as never)
        .then(
          () => undefined,
          (failure: unknown) => failure,
        );
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      return (error as InstanceType<typeof OpenAI.BadRequestError>).message;
    };
    const image = (url: string) => ({
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }],
    });
    expect(await bad({ n: 2 })).toContain('n > 1 is not supported');
    expect(await bad({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] })).toContain(
      'messages.0.content.0',
    );
    expect(await bad(image(`data:image/jpeg;base64,${png}`))).toContain(
      'messages.0.content.0.source.mediaType: says image/jpeg but the bytes are image/png',
    );
    expect(await bad(image(`data:image/png;base64,${'A'.repeat(16 * 1024 * 1024)}`))).toContain('at most');
    expect(await bad(image('http://example.com/a.png'))).toContain('must be an https: URL');
    expect(
      await bad({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'objekt' } } } }),
    ).toContain('response_format.json_schema.schema: is not a valid JSON Schema');
    expect(await bad({ tools: [{ type: 'function', function: { name: 'a b', parameters: {} } }] })).toContain(
      'tools.0.function.name',
    );
    expect(await bad({ tool_choice: { type: 'function', function: { name: 'weather' } } })).toContain('needs tools');
    expect(await bad({ messages: [{ role: 'tool', content: 'x' }] })).toContain('tool_call_id');
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'still here' }] });
    const ok = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }] });
    expect(ok.choices[0]?.message.content).toBe('still here');
  });
});

function isToolRequest(request: RecordedRequest): boolean {
  return JSON.stringify(request.body).includes('[tools]');
}

type Json = Record<string, unknown>;

/** The first image of a request body, in whichever dialect it was sent. */
function imageIn(request: RecordedRequest): { mediaType: string; data: string } | undefined {
  const text = JSON.stringify(request.body);
  const openai = /"url":"data:([^;]+);base64,([^"]+)"/.exec(text);
  if (openai) return { mediaType: openai[1] as string, data: openai[2] as string };
  const anthropic = /"type":"base64","media_type":"([^"]+)","data":"([^"]+)"/.exec(text);
  if (anthropic) return { mediaType: anthropic[1] as string, data: anthropic[2] as string };
  const gemini = /"inlineData":\{"mimeType":"([^"]+)","data":"([^"]+)"/.exec(text);
  if (gemini) return { mediaType: gemini[1] as string, data: gemini[2] as string };
  return undefined;
}

/** Where the response schema went: OpenAI `response_format`, Gemini `generationConfig`, else the whole body. */
function schemaIn(request: RecordedRequest): unknown {
  const body = request.body as Json;
  if (request.vendor === 'openai') return body.response_format;
  if (request.vendor === 'gemini') return (body.generationConfig as Json | undefined)?.responseJsonSchema;
  return body;
}
