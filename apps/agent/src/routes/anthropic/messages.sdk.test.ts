import Anthropic from '@anthropic-ai/sdk';
import { hasToolResult, matchRequests, type RecordedRequest, toolResults } from '@rxllm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containsNoKey, postJson, readSse, startTestAgent, type TestAgent } from '../../test-helpers.js';

/** The providers behind the mock upstream; `simulated` answers without one. */
const upstreamProviders = ['openai', 'anthropic', 'gemini', 'google-genai'] as const;
const allProviders = [...upstreamProviders, 'simulated'] as const;
const agentKey = 'agent-key-MARKER-5e1f';
const scripted = ['Hallo ', 'Wélt ', '🚀 ', '漢字', '!'];
const weatherTool: Anthropic.Tool = {
  name: 'weather',
  description: 'The current weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

/** The mock: a tool call until the request sends a tool result back, then the answer in words. */
const toolResponder = matchRequests(
  [{ when: hasToolResult, script: { events: [{ type: 'text', text: 'It is 21 °C in Paris.' }] } }],
  { events: [{ type: 'tool-call', id: 'call_w1', name: 'weather', argumentFragments: ['{"city":', '"Paris"}'] }] },
);

describe('POST /v1/messages with the official @anthropic-ai/sdk client', () => {
  let harness: TestAgent;
  let client: Anthropic;
  beforeAll(async () => {
    harness = await startTestAgent(
      { AGENT_API_KEY: agentKey, SIMULATED_TTFT_MS: '0', SIMULATED_TOKENS_PER_SECOND: '1000' },
      { respond: (request) => (JSON.stringify(request.body).includes('[tools]') ? toolResponder(request) : undefined) },
    );
    // The SDK sends its key as `x-api-key`: the agent's key works there.
    client = new Anthropic({ apiKey: agentKey, baseURL: harness.agent.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await harness.close();
  });

  const upstreamSince = (count: number) => harness.upstream.requests.slice(count);

  for (const provider of allProviders) {
    it(`${provider}: messages.create answers one message (text, end_turn, usage)`, async () => {
      const before = harness.upstream.requests.length;
      if (provider !== 'simulated') {
        harness.upstream.enqueue({
          events: scripted.map((text) => ({ type: 'text' as const, text })),
          usage: { inputTokens: 7, outputTokens: 5 },
        });
      }
      const message = await client.messages.create({
        model: provider,
        max_tokens: 256,
        system: 'Be brief.',
        messages: [{ role: 'user', content: 'Hi' }],
      });
      expect(message).toMatchObject({ type: 'message', role: 'assistant', model: provider, stop_reason: 'end_turn' });
      expect(message.id).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(message.content).toHaveLength(1);
      const [block] = message.content;
      expect(block?.type).toBe('text');
      const text = block?.type === 'text' ? block.text : '';
      if (provider === 'simulated') {
        expect(text).toContain('You said: "Hi"');
        return;
      }
      expect(text).toBe(scripted.join(''));
      expect(message.usage).toMatchObject({ input_tokens: 7, output_tokens: 5 });
      const [sent] = upstreamSince(before);
      expect(sent?.rejected).toBeUndefined();
      // max_tokens and the system prompt went upstream in the vendor's own fields.
      expect(JSON.stringify(sent?.body)).toContain('Be brief.');
      expect(JSON.stringify(sent?.body)).toContain('256');
    });
  }

  for (const provider of allProviders) {
    it(`${provider}: messages.stream() fires text (and thinking) callbacks and finalMessage() has the blocks`, async () => {
      if (provider !== 'simulated') {
        harness.upstream.enqueue({
          events: [
            { type: 'reasoning', text: 'Let me ' },
            { type: 'reasoning', text: 'think.', ...(provider === 'anthropic' ? { signature: 'sig-123' } : {}) },
            ...scripted.map((text) => ({ type: 'text' as const, text })),
          ],
          usage: { inputTokens: 11, outputTokens: 13 },
          delivery: { split: 7 },
        });
      }
      const stream = client.messages.stream({
        model: provider,
        max_tokens: 1024,
        messages: [{ role: 'user', content: 'Hi' }],
      });
      let text = '';
      let thinking = '';
      const signatures: string[] = [];
      const eventTypes: string[] = [];
      stream.on('text', (delta) => {
        text += delta;
      });
      stream.on('thinking', (delta) => {
        thinking += delta;
      });
      stream.on('signature', (signature) => signatures.push(signature));
      stream.on('streamEvent', (event) => eventTypes.push(event.type));
      const message = await stream.finalMessage();
      expect(message.stop_reason).toBe('end_turn');
      expect(eventTypes[0]).toBe('message_start');
      expect(eventTypes.slice(-2)).toEqual(['message_delta', 'message_stop']);
      const textBlock = message.content.find((block) => block.type === 'text');
      expect(textBlock?.type === 'text' ? textBlock.text : undefined).toBe(text);
      if (provider === 'simulated') {
        expect(text).toContain('This is the simulated provider');
        return;
      }
      expect(text).toBe(scripted.join(''));
      expect(thinking).toBe('Let me think.');
      expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text']);
      const thinkingBlock = message.content[0];
      expect(thinkingBlock?.type === 'thinking' ? thinkingBlock.thinking : undefined).toBe('Let me think.');
      // Only Anthropic signs its thinking; the agent invents no signature for the others.
      expect(signatures).toEqual(provider === 'anthropic' ? ['sig-123'] : []);
      expect(message.usage.output_tokens).toBe(13);
      expect(message.usage.input_tokens).toBe(11);
    });
  }

  for (const provider of allProviders) {
    it(`${provider}: a two-step tool use (tool_use block, tool_result, the answer)`, async () => {
      const before = harness.upstream.requests.length;
      const tools: Anthropic.Tool[] =
        provider === 'simulated'
          ? [{ name: 'calculator', input_schema: { type: 'object', properties: { expression: { type: 'string' } } } }]
          : [weatherTool];
      const question = provider === 'simulated' ? 'What is 6 * 7?' : 'Weather in Paris? [tools]';
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: question }];
      const stream = client.messages.stream({ model: provider, max_tokens: 512, messages, tools });
      const fragments: string[] = [];
      stream.on('inputJson', (partial) => fragments.push(partial));
      const first = await stream.finalMessage();
      expect(first.stop_reason).toBe('tool_use');
      const toolUse = first.content.find((block) => block.type === 'tool_use');
      expect(toolUse?.type).toBe('tool_use');
      if (toolUse?.type !== 'tool_use') return;
      expect(toolUse.name).toBe(tools[0]?.name);
      expect(fragments.join('')).toBe(JSON.stringify(toolUse.input));
      if (provider === 'simulated') expect(toolUse.input).toEqual({ expression: '6 * 7' });
      else expect(toolUse.input).toEqual({ city: 'Paris' });

      messages.push(
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: toolUse.id, content: provider === 'simulated' ? '42' : '21 °C' },
          ],
        },
      );
      const second = await client.messages.create({ model: provider, max_tokens: 512, messages, tools });
      expect(second.stop_reason).toBe('end_turn');
      const answer = second.content[0];
      expect(answer?.type === 'text' ? answer.text : '').toContain(provider === 'simulated' ? '42' : '21 °C');
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

  for (const provider of upstreamProviders) {
    it(`${provider}: an upstream error before the first byte is Anthropic's status and error JSON`, async () => {
      harness.upstream.enqueue({ httpError: { status: 429, message: 'slow down', headers: { 'retry-after': '3' } } });
      const failure = await client.messages
        .create({ model: provider, max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }], stream: true })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Anthropic.RateLimitError);
      const limited = failure as InstanceType<typeof Anthropic.RateLimitError>;
      expect(limited.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
      expect(limited.headers?.get('retry-after')).toBe('3');
      expect(containsNoKey(JSON.stringify(limited))).toBe(true);
    });

    it(`${provider}: an upstream error after the first byte is an event: error after the text`, async () => {
      harness.upstream.enqueue({
        events: [
          { type: 'text', text: 'partial' },
          { type: 'error', status: 500, message: 'boom' },
        ],
      });
      const stream = client.messages.stream({
        model: provider,
        max_tokens: 64,
        messages: [{ role: 'user', content: 'Hi' }],
      });
      let text = '';
      stream.on('text', (delta) => {
        text += delta;
      });
      const failure = await stream.finalMessage().catch((error: unknown) => error);
      expect(text).toBe('partial');
      expect(failure).toBeInstanceOf(Anthropic.APIError);
      expect((failure as InstanceType<typeof Anthropic.APIError>).status).toBeUndefined();
      expect((failure as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
        type: 'error',
        error: { type: expect.any(String), message: expect.any(String) },
      });
    });
  }

  it('an overloaded upstream answers 529 overloaded_error, as Anthropic does', async () => {
    harness.upstream.enqueue({ httpError: { status: 529, message: 'Overloaded' } });
    const failure = await client.messages
      .create({ model: 'anthropic', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Anthropic.APIError);
    expect((failure as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((failure as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      error: { type: 'overloaded_error' },
    });
  });

  it('thinking goes to the Anthropic provider only; the others get no such field', async () => {
    const before = harness.upstream.requests.length;
    for (const model of ['anthropic', 'openai']) {
      harness.upstream.enqueue({ events: [{ type: 'text', text: 'ok' }] });
      await client.messages.create({
        model,
        max_tokens: 4096,
        thinking: { type: 'enabled', budget_tokens: 2048 },
        messages: [{ role: 'user', content: 'Hi' }],
      });
    }
    const [anthropic, openai] = upstreamSince(before);
    expect(anthropic?.rejected).toBeUndefined();
    expect((anthropic?.body as { thinking?: unknown } | undefined)?.thinking).toEqual({
      type: 'enabled',
      budget_tokens: 2048,
    });
    expect(JSON.stringify(openai?.body)).not.toContain('budget_tokens');
  });

  it('bad input is a 400 invalid_request_error naming the field, and the agent keeps serving', async () => {
    const bad = async (body: Record<string, unknown>) => {
      const failure = await client.messages.create(body as never).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Anthropic.BadRequestError);
      const error = (failure as InstanceType<typeof Anthropic.BadRequestError>).error as {
        type: string;
        error: { type: string; message: string };
      };
      expect(error.type).toBe('error');
      expect(error.error.type).toBe('invalid_request_error');
      return error.error.message;
    };
    const messages = [{ role: 'user', content: 'Hi' }];
    expect(await bad({ model: 'openai', messages })).toBe('max_tokens: Field required');
    expect(await bad({ max_tokens: 10, messages })).toBe('model: Field required');
    expect(await bad({ model: 'no-such-model', max_tokens: 10, messages })).toContain('model "no-such-model"');
    expect(await bad({ model: 'openai', max_tokens: 10, messages: [] })).toContain('messages: must not be empty');
    expect(
      await bad({
        model: 'openai',
        max_tokens: 10,
        messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_x', content: 'x' }] }],
      }),
    ).toContain('answers no tool_use');
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'still here' }] });
    const ok = await client.messages.create({
      model: 'openai',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(ok.content[0]).toEqual({ type: 'text', text: 'still here' });
  });

  it('count_tokens answers 501 in Anthropic error shape, not retried', async () => {
    const failure = await client.messages
      .countTokens({ model: 'openai', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Anthropic.APIError);
    const error = failure as InstanceType<typeof Anthropic.APIError>;
    expect(error.status).toBe(501);
    expect(error.headers?.get('x-should-retry')).toBe('false');
    expect(error.error).toMatchObject({ type: 'error', error: { message: expect.stringContaining('count_tokens') } });
  });

  it('a wrong key is refused with 401, on x-api-key as on the bearer', async () => {
    const wrong = new Anthropic({ apiKey: 'wrong-key', baseURL: harness.agent.url, maxRetries: 0 });
    const failure = await wrong.messages
      .create({ model: 'openai', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Anthropic.AuthenticationError);
    // The guards' refusals come in Anthropic's shape on this route family too.
    expect((failure as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error', message: expect.any(String) },
    });
    const plain = await fetch(`${harness.agent.url}/v1/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', 'x-api-key': agentKey },
      body: '{}',
    });
    expect(plain.status).toBe(415);
    expect(await plain.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const bearer = new Anthropic({ authToken: agentKey, apiKey: null, baseURL: harness.agent.url, maxRetries: 0 });
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'ok' }] });
    const message = await bearer.messages.create({
      model: 'openai',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(message.content[0]).toEqual({ type: 'text', text: 'ok' });
  });

  it('on the wire: event names equal data.type, in Anthropic order, with a ping after message_start', async () => {
    harness.upstream.enqueue({
      events: [
        { type: 'text', text: 'Hi' },
        { type: 'tool-call', id: 'call_9', name: 'weather', argumentFragments: ['{"city":"Köln"}'] },
      ],
      usage: { inputTokens: 3, outputTokens: 4 },
    });
    const response = await postJson(
      `${harness.agent.url}/v1/messages`,
      { model: 'openai', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'x' }] },
      { 'x-api-key': agentKey },
    );
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('request-id')).toMatch(/^msg_/);
    const events = await readSse(response);
    for (const event of events) expect((event.data as { type: string }).type).toBe(event.event);
    const describe = (event: (typeof events)[number]) => {
      const data = event.data as { type: string; content_block?: { type: string }; delta?: { type?: string } };
      return [data.type, data.content_block?.type ?? data.delta?.type].filter(Boolean).join(':');
    };
    expect(events.map(describe)).toEqual([
      'message_start',
      'ping',
      'content_block_start:text',
      'content_block_delta:text_delta',
      'content_block_stop',
      'content_block_start:tool_use',
      'content_block_delta:input_json_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[5]?.data).toEqual({
      type: 'content_block_start',
      index: 1,
      content_block: { type: 'tool_use', id: 'call_9', name: 'weather', input: {} },
    });
    expect(events[8]?.data).toMatchObject({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { input_tokens: 3, output_tokens: 4 },
    });
  });

  it('a client that goes away mid-stream aborts the upstream request', async () => {
    harness.upstream.reset();
    harness.upstream.enqueue({
      events: Array.from({ length: 200 }, (_, index) => ({ type: 'text' as const, text: `word${index} ` })),
      delivery: { eventDelayMs: 20 },
    });
    const controller = new AbortController();
    const response = await postJson(
      `${harness.agent.url}/v1/messages`,
      { model: 'anthropic', max_tokens: 1000, stream: true, messages: [{ role: 'user', content: 'long story' }] },
      { 'x-api-key': agentKey },
      controller.signal,
    );
    let deltas = 0;
    await readSse(response, (event) => {
      if (event.event === 'content_block_delta') deltas += 1;
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
    expect(logs).toContain('"route":"/v1/messages"');
    expect(logs).toContain('Received message: Hi');
    expect(containsNoKey(logs)).toBe(true);
    expect(logs).not.toContain(agentKey);
  });
});
