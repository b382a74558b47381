import { hasToolResult, matchRequests, type RecordedRequest, toolResults } from '@rxllm/testing';
import OpenAI from 'openai';
import { zodTextFormat } from 'openai/helpers/zod';
import type { FunctionTool, ResponseInputItem, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { containsNoKey, postJson, readSse, startTestAgent, type TestAgent } from '../../test-helpers.js';

/** The providers behind the mock upstream; `simulated` answers without one. */
const upstreamProviders = ['openai', 'anthropic', 'gemini', 'google-genai'] as const;
const allProviders = [...upstreamProviders, 'simulated'] as const;
const agentKey = 'agent-key-MARKER-9c2d';
const scripted = ['Hallo ', 'Wélt ', '🚀 ', '漢字', '!'];
const weatherTool: FunctionTool = {
  type: 'function',
  name: 'weather',
  description: 'The current weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};
const calculatorTool: FunctionTool = {
  type: 'function',
  name: 'calculator',
  parameters: { type: 'object', properties: { expression: { type: 'string' } } },
  strict: false,
};
/** Each vendor's own length stop, as the mock writes it. */
const lengthReasons: Record<(typeof upstreamProviders)[number], string> = {
  openai: 'length',
  anthropic: 'max_tokens',
  gemini: 'MAX_TOKENS',
  'google-genai': 'MAX_TOKENS',
};

/** The mock: a tool call until the request sends a tool result back, then the answer in words. */
const toolResponder = matchRequests(
  [{ when: hasToolResult, script: { events: [{ type: 'text', text: 'It is 21 °C in Paris.' }] } }],
  { events: [{ type: 'tool-call', id: 'call_w1', name: 'weather', argumentFragments: ['{"city":', '"Paris"}'] }] },
);

/** Sequence numbers count from 0 with no gap, as the SDK's `starting_after` resumption assumes. */
function expectSequenced(events: ReadonlyArray<{ sequence_number: number }>): void {
  expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
}

describe('POST /v1/responses with the official openai client', () => {
  let harness: TestAgent;
  let client: OpenAI;
  beforeAll(async () => {
    harness = await startTestAgent(
      { AGENT_API_KEY: agentKey, SIMULATED_TTFT_MS: '0', SIMULATED_TOKENS_PER_SECOND: '1000' },
      { respond: (request) => (JSON.stringify(request.body).includes('[tools]') ? toolResponder(request) : undefined) },
    );
    client = new OpenAI({ apiKey: agentKey, baseURL: `${harness.agent.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await harness.close();
  });

  const upstreamSince = (count: number) => harness.upstream.requests.slice(count);

  for (const provider of allProviders) {
    it(`${provider}: responses.create answers one Response (a message with output_text, usage)`, async () => {
      const before = harness.upstream.requests.length;
      if (provider !== 'simulated') {
        harness.upstream.enqueue({
          events: scripted.map((text) => ({ type: 'text' as const, text })),
          usage: { inputTokens: 7, outputTokens: 5, cachedInputTokens: 2 },
        });
      }
      const response = await client.responses.create({
        model: provider,
        instructions: 'Be brief.',
        input: 'Hi',
        max_output_tokens: 256,
        metadata: { trace: 't-1' },
        store: false,
      });
      expect(response).toMatchObject({
        object: 'response',
        status: 'completed',
        model: provider,
        instructions: 'Be brief.',
        error: null,
        incomplete_details: null,
        store: false,
        metadata: { trace: 't-1' },
      });
      expect(response.id).toMatch(/^resp_[0-9a-f]{32}$/);
      expect(response.output).toHaveLength(1);
      const [message] = response.output;
      expect(message).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
      expect(message?.id).toMatch(/^msg_/);
      if (provider === 'simulated') {
        expect(response.output_text).toContain('You said: "Hi"');
        return;
      }
      expect(response.output_text).toBe(scripted.join(''));
      expect(response.usage).toEqual({
        input_tokens: 7,
        input_tokens_details: { cached_tokens: 2 },
        output_tokens: 5,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: expect.any(Number),
      });
      const [sent] = upstreamSince(before);
      expect(sent?.rejected).toBeUndefined();
      // The instructions and the output limit went upstream in the vendor's own fields.
      expect(JSON.stringify(sent?.body)).toContain('Be brief.');
      expect(JSON.stringify(sent?.body)).toContain('256');
    });
  }

  for (const provider of allProviders) {
    it(`${provider}: responses.stream() streams reasoning summaries and text, finalResponse() has the items`, async () => {
      if (provider !== 'simulated') {
        harness.upstream.enqueue({
          events: [
            { type: 'reasoning', text: 'Let me ' },
            { type: 'reasoning', text: 'think.' },
            ...scripted.map((text) => ({ type: 'text' as const, text })),
          ],
          usage: { inputTokens: 11, outputTokens: 13, reasoningTokens: 4 },
          delivery: { split: 7 },
        });
      }
      const stream = client.responses.stream({ model: provider, input: [{ role: 'user', content: 'Hi' }] });
      let text = '';
      let summary = '';
      const events: ResponseStreamEvent[] = [];
      stream.on('event', (event) => events.push(event));
      stream.on('response.output_text.delta', (event) => {
        text += event.delta;
        expect(event.snapshot).toBe(text);
      });
      stream.on('response.reasoning_summary_text.delta', (event) => {
        summary += event.delta;
      });
      const response = await stream.finalResponse();
      expectSequenced(events);
      expect(events.slice(0, 2).map((event) => event.type)).toEqual(['response.created', 'response.in_progress']);
      expect(events.at(-1)?.type).toBe('response.completed');
      expect(response.status).toBe('completed');
      // The stream helper's final response has no `output_text` (only `create` adds it): read the message item.
      const message = response.output.find((item) => item.type === 'message');
      expect(message?.type === 'message' ? message.content[0] : undefined).toMatchObject({ type: 'output_text', text });
      if (provider === 'simulated') {
        expect(text).toContain('This is the simulated provider');
        return;
      }
      expect(text).toBe(scripted.join(''));
      expect(summary).toBe('Let me think.');
      expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
      expect(response.output[0]).toMatchObject({ summary: [{ type: 'summary_text', text: 'Let me think.' }] });
      expect(events.map((event) => event.type)).toEqual([
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.reasoning_summary_part.added',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.done',
        'response.reasoning_summary_part.done',
        'response.output_item.done',
        'response.output_item.added',
        'response.content_part.added',
        ...scripted.map(() => 'response.output_text.delta'),
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.completed',
      ]);
      expect(response.usage).toMatchObject({ input_tokens: 11, output_tokens: 13 });
    });
  }

  for (const provider of allProviders) {
    it(`${provider}: a two-step function call (function_call item, function_call_output, the answer)`, async () => {
      const before = harness.upstream.requests.length;
      const tools = [provider === 'simulated' ? calculatorTool : weatherTool];
      const question = provider === 'simulated' ? 'What is 6 * 7?' : 'Weather in Paris? [tools]';
      const input: ResponseInputItem[] = [{ role: 'user', content: question }];
      const stream = client.responses.stream({ model: provider, input, tools });
      const fragments: string[] = [];
      stream.on('response.function_call_arguments.delta', (event) => fragments.push(event.delta));
      const first = await stream.finalResponse();
      const call = first.output.find((item) => item.type === 'function_call');
      expect(call?.type).toBe('function_call');
      if (call?.type !== 'function_call') return;
      expect(call.name).toBe(tools[0]?.name);
      expect(call.status).toBe('completed');
      expect(call.id).toMatch(/^fc_/);
      expect(fragments.join('')).toBe(call.arguments);
      expect(JSON.parse(call.arguments)).toEqual(
        provider === 'simulated' ? { expression: '6 * 7' } : { city: 'Paris' },
      );
      if (provider === 'openai' || provider === 'anthropic') expect(call.call_id).toBe('call_w1');

      input.push(...(first.output as ResponseInputItem[]), {
        type: 'function_call_output',
        call_id: call.call_id,
        output: provider === 'simulated' ? '42' : '21 °C',
      });
      const second = await client.responses.create({ model: provider, input, tools });
      expect(second.status).toBe('completed');
      expect(second.output_text).toContain(provider === 'simulated' ? '42' : '21 °C');
      if (provider === 'simulated') return;
      const [asked, answered] = upstreamSince(before);
      expect(asked?.rejected).toBeUndefined();
      expect(answered?.rejected).toBeUndefined();
      // The result went upstream in the vendor's own dialect, under the tool's name.
      expect(hasToolResult(asked as RecordedRequest)).toBe(false);
      expect(hasToolResult(answered as RecordedRequest, 'weather')).toBe(true);
      expect(JSON.stringify(toolResults(answered as RecordedRequest))).toContain('21 °C');
    });
  }

  for (const provider of allProviders) {
    it(`${provider}: text.format json_schema asks the provider for that JSON (responses.parse)`, async () => {
      const before = harness.upstream.requests.length;
      const schema = z.object({ city: z.string(), celsius: z.number() });
      if (provider !== 'simulated') {
        harness.upstream.enqueue({
          events: [
            { type: 'text', text: '{"city":"Paris",' },
            { type: 'text', text: '"celsius":21}' },
          ],
        });
      }
      const response = await client.responses.parse({
        model: provider,
        input: 'The weather in Paris, as JSON',
        text: { format: zodTextFormat(schema, 'weather') },
      });
      const parsed = response.output_parsed;
      expect(schema.safeParse(parsed).success).toBe(true);
      if (provider === 'simulated') return;
      expect(parsed).toEqual({ city: 'Paris', celsius: 21 });
      const [sent] = upstreamSince(before);
      expect(sent?.rejected).toBeUndefined();
      expect(JSON.stringify(sent?.body)).toContain('celsius');
    });
  }

  for (const provider of allProviders) {
    it(`${provider}: previous_response_id, store: true and background: true are a clear 400`, async () => {
      const bad = async (body: Record<string, unknown>) => {
        const failure = await client.responses
          .create({ model: provider, input: 'Hi', ...body } as never)
          .catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
        const error = failure as InstanceType<typeof OpenAI.BadRequestError>;
        expect(error.type).toBe('invalid_request_error');
        return { message: error.message, param: error.param };
      };
      const before = harness.upstream.requests.length;
      expect(await bad({ previous_response_id: 'resp_123' })).toEqual({
        message: expect.stringContaining('previous_response_id: is not supported: the agent does not store responses'),
        param: 'previous_response_id',
      });
      expect(await bad({ store: true })).toMatchObject({
        message: expect.stringContaining('store: false'),
        param: 'store',
      });
      expect(await bad({ background: true })).toMatchObject({ param: 'background' });
      expect(harness.upstream.requests.length).toBe(before);
    });
  }

  for (const provider of upstreamProviders) {
    it(`${provider}: an upstream error before the first byte is its HTTP status with OpenAI's error JSON`, async () => {
      harness.upstream.enqueue({ httpError: { status: 429, message: 'slow down', headers: { 'retry-after': '3' } } });
      const failure = await client.responses
        .create({ model: provider, input: 'Hi', stream: true })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OpenAI.RateLimitError);
      const limited = failure as InstanceType<typeof OpenAI.RateLimitError>;
      expect(limited.type).toBe('rate_limit_exceeded');
      expect(limited.headers?.get('retry-after')).toBe('3');
      expect(containsNoKey(JSON.stringify(limited))).toBe(true);
      harness.upstream.enqueue({ httpError: { status: 400, message: 'bad image' } });
      const plain = await client.responses.create({ model: provider, input: 'Hi' }).catch((error: unknown) => error);
      expect(plain).toBeInstanceOf(OpenAI.BadRequestError);
      expect((plain as InstanceType<typeof OpenAI.BadRequestError>).type).toBe('invalid_request_error');
    });

    it(`${provider}: an upstream error after the first byte is an error event and response.failed`, async () => {
      harness.upstream.enqueue({
        events: [
          { type: 'text', text: 'partial' },
          { type: 'error', status: 500, message: 'boom' },
        ],
      });
      const stream = client.responses.stream({ model: provider, input: 'Hi' });
      let text = '';
      stream.on('response.output_text.delta', (event) => {
        text += event.delta;
      });
      const failure = await stream.finalResponse().catch((error: unknown) => error);
      expect(text).toBe('partial');
      expect(failure).toBeInstanceOf(OpenAI.APIError);
      expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBeUndefined();
      expect((failure as InstanceType<typeof OpenAI.APIError>).message).toEqual(expect.any(String));
    });

    it(`${provider}: a length stop is response.incomplete with incomplete_details`, async () => {
      harness.upstream.enqueue({ events: [{ type: 'text', text: 'cut sho' }], finishReason: lengthReasons[provider] });
      const events: ResponseStreamEvent[] = [];
      const stream = client.responses.stream({ model: provider, input: 'Hi', max_output_tokens: 3 });
      stream.on('event', (event) => events.push(event));
      await stream.done();
      const last = events.at(-1);
      expect(last?.type).toBe('response.incomplete');
      if (last?.type !== 'response.incomplete') return;
      expect(last.response).toMatchObject({
        status: 'incomplete',
        incomplete_details: { reason: 'max_output_tokens' },
      });
      expect(last.response.output[0]).toMatchObject({ type: 'message', status: 'incomplete' });
      harness.upstream.enqueue({ events: [{ type: 'text', text: 'cut sho' }], finishReason: lengthReasons[provider] });
      const whole = await client.responses.create({ model: provider, input: 'Hi', max_output_tokens: 3 });
      expect(whole).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    });
  }

  it('on the wire: event names equal data.type, numbered in order; a failure after the first byte as recorded', async () => {
    harness.upstream.enqueue({
      events: [
        { type: 'text', text: 'Hi' },
        { type: 'tool-call', id: 'call_9', name: 'weather', argumentFragments: ['{"city":"Köln"}'] },
      ],
      usage: { inputTokens: 3, outputTokens: 4 },
    });
    const request = { model: 'openai', stream: true, input: 'x' };
    const headers = { Authorization: `Bearer ${agentKey}` };
    const response = await postJson(`${harness.agent.url}/v1/responses`, request, headers);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = await readSse(response);
    for (const event of events) expect((event.data as { type: string }).type).toBe(event.event);
    expectSequenced(events.map((event) => event.data as { sequence_number: number }));
    expect(events.map((event) => event.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events[8]?.data).toMatchObject({
      output_index: 1,
      item: { type: 'function_call', status: 'in_progress', arguments: '', call_id: 'call_9', name: 'weather' },
    });
    expect(events[10]?.data).toMatchObject({ name: 'weather', arguments: '{"city":"Köln"}', output_index: 1 });
    expect(events[12]?.data).toMatchObject({
      response: { status: 'completed', usage: { input_tokens: 3, output_tokens: 4, total_tokens: 7 } },
    });

    harness.upstream.enqueue({
      events: [
        { type: 'text', text: 'partial' },
        { type: 'error', status: 429, message: 'slow down' },
      ],
    });
    const failing = await readSse(await postJson(`${harness.agent.url}/v1/responses`, request, headers));
    expect(failing.slice(-2).map((event) => event.event)).toEqual(['error', 'response.failed']);
    expect(failing.at(-2)?.data).toMatchObject({ type: 'error', error: { type: 'rate_limit_exceeded' } });
    expect(failing.at(-1)?.data).toMatchObject({
      response: { status: 'failed', error: { code: 'rate_limit_exceeded' }, output: [{ type: 'message' }] },
    });
  });

  it('bad input is a 400 naming the field in OpenAI error shape, and the agent keeps serving', async () => {
    const bad = async (body: Record<string, unknown>) => {
      const failure = await client.responses.create(body as never).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
      return (failure as InstanceType<typeof OpenAI.BadRequestError>).message;
    };
    expect(await bad({ model: 'openai' })).toContain('input: is required');
    expect(await bad({ model: 'no-such-model', input: 'Hi' })).toContain('model "no-such-model"');
    expect(await bad({ model: 'openai', input: 'Hi', tools: [{ type: 'web_search' }] })).toContain(
      'tools.0.type: "web_search" is not supported',
    );
    expect(
      await bad({ model: 'openai', input: [{ type: 'function_call_output', call_id: 'call_x', output: 'x' }] }),
    ).toContain('answers no function_call');
    expect(await bad({ model: 'openai', input: [{ type: 'item_reference', id: 'msg_1' }] })).toContain(
      'item_reference',
    );
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'still here' }] });
    const ok = await client.responses.create({ model: 'openai', input: 'Hi' });
    expect(ok.output_text).toBe('still here');
  });

  it('reasoning.effort goes to the OpenAI provider only (reasoning_effort); the others get no such field', async () => {
    const before = harness.upstream.requests.length;
    for (const model of ['openai', 'anthropic']) {
      harness.upstream.enqueue({ events: [{ type: 'text', text: 'ok' }] });
      const response = await client.responses.create({ model, input: 'Hi', reasoning: { effort: 'low' } });
      expect(response.reasoning).toEqual({ effort: 'low', summary: null });
    }
    const [openai, anthropic] = upstreamSince(before);
    expect(openai?.rejected).toBeUndefined();
    expect((openai?.body as { reasoning_effort?: unknown } | undefined)?.reasoning_effort).toBe('low');
    expect(anthropic?.rejected).toBeUndefined();
    expect(JSON.stringify(anthropic?.body)).not.toContain('effort');
  });

  it('a wrong key is refused with 401 in OpenAI error shape; GET is a 405', async () => {
    const wrong = new OpenAI({ apiKey: 'wrong-key', baseURL: `${harness.agent.url}/v1`, maxRetries: 0 });
    const failure = await wrong.responses.create({ model: 'openai', input: 'Hi' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((failure as InstanceType<typeof OpenAI.AuthenticationError>).type).toBe('authentication_error');
    const get = await fetch(`${harness.agent.url}/v1/responses`, { headers: { Authorization: `Bearer ${agentKey}` } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toContain('POST');
  });

  it('an image as a data URL goes upstream as an image', async () => {
    const before = harness.upstream.requests.length;
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'A dot.' }] });
    const response = await client.responses.create({
      model: 'openai',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is this?' },
            { type: 'input_image', image_url: `data:image/png;base64,${png}`, detail: 'low' },
          ],
        },
      ],
    });
    expect(response.output_text).toBe('A dot.');
    const [sent] = upstreamSince(before);
    expect(sent?.rejected).toBeUndefined();
    expect(JSON.stringify(sent?.body)).toContain(`data:image/png;base64,${png}`);
  });

  it('a client that goes away mid-stream aborts the upstream request', async () => {
    harness.upstream.reset();
    harness.upstream.enqueue({
      events: Array.from({ length: 200 }, (_, index) => ({ type: 'text' as const, text: `word${index} ` })),
      delivery: { eventDelayMs: 20 },
    });
    const controller = new AbortController();
    const response = await postJson(
      `${harness.agent.url}/v1/responses`,
      { model: 'anthropic', stream: true, input: 'long story' },
      { Authorization: `Bearer ${agentKey}` },
      controller.signal,
    );
    let deltas = 0;
    await readSse(response, (event) => {
      if (event.event === 'response.output_text.delta') deltas += 1;
      return deltas >= 3;
    }).catch(() => []);
    controller.abort();
    const [upstreamRequest] = await harness.upstream.waitForRequests(1);
    await upstreamRequest?.closed;
    expect(upstreamRequest?.closedEarlyAt).toBeDefined();
    expect(upstreamRequest?.finishedAt).toBeUndefined();
  });

  it('logs in the agent voice with the route, and never a key', () => {
    const logs = harness.logs.join('\n');
    expect(logs).toContain('"route":"/v1/responses"');
    expect(logs).toContain('Received message: Hi');
    expect(containsNoKey(logs)).toBe(true);
    expect(logs).not.toContain(agentKey);
  });
});
