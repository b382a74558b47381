import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containsNoKey, startTestAgent, type TestAgent } from '../../test-helpers.js';

const scripted = ['Hallo ', 'Wélt ', '🚀 ', '漢字', '!'];

describe('POST /v1/chat/completions with the official openai client', () => {
  let harness: TestAgent;
  let client: OpenAI;
  beforeAll(async () => {
    harness = await startTestAgent({ ANTHROPIC_MODELS: 'claude-extra' });
    client = new OpenAI({ apiKey: 'unused-by-the-agent', baseURL: `${harness.agent.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await harness.close();
  });

  for (const provider of ['openai', 'anthropic', 'gemini', 'google-genai', 'ollama']) {
    it(`streams ${provider}'s scripted text exactly as chat.completion.chunk objects, with usage and [DONE]`, async () => {
      harness.upstream.enqueue({
        events: [
          { type: 'reasoning', text: 'thinking…' },
          ...scripted.map((text) => ({ type: 'text' as const, text })),
        ],
        usage: { inputTokens: 11, outputTokens: 13 },
        delivery: { split: 5 },
      });
      const model = provider === 'openai' ? undefined : `${provider}/${(await modelsOf(provider))[0]}`;
      const stream = await client.chat.completions.create({
        model: model ?? (await modelsOf('openai'))[0] ?? '',
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let reasoning = '';
      let finishReason: string | null = null;
      let usage: OpenAI.CompletionUsage | undefined;
      let first = true;
      for await (const chunk of stream) {
        expect(chunk.object).toBe('chat.completion.chunk');
        if (first) {
          expect(chunk.choices[0]?.delta.role).toBe('assistant');
          first = false;
        }
        const choice = chunk.choices[0];
        text += choice?.delta.content ?? '';
        reasoning += (choice?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '';
        finishReason = choice?.finish_reason ?? finishReason;
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toBe(scripted.join(''));
      expect(reasoning).toBe('thinking…');
      expect(finishReason).toBe('stop');
      expect(usage?.completion_tokens).toBe(13);
    });
  }

  async function modelsOf(provider: string): Promise<string[]> {
    const list = await client.models.list();
    return list.data.filter((model) => model.owned_by === provider).map((model) => model.id);
  }

  it('non-streaming returns a chat.completion; a configured model id picks its provider', async () => {
    harness.upstream.reset();
    harness.upstream.enqueue({
      events: scripted.map((text) => ({ type: 'text' as const, text })),
      usage: { inputTokens: 2, outputTokens: 3 },
    });
    const completion = await client.chat.completions.create({
      model: 'claude-extra',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]?.message.content).toBe(scripted.join(''));
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.total_tokens).toBe(5);
    const [upstreamRequest] = await harness.upstream.waitForRequests(1);
    expect(upstreamRequest?.vendor).toBe('anthropic');
    expect((upstreamRequest?.body as { model: string } | undefined)?.model).toBe('claude-extra');
  });

  it('tool calls stream back as delta.tool_calls with finish_reason tool_calls', async () => {
    harness.upstream.enqueue({
      events: [{ type: 'tool-call', id: 'call_1', name: 'weather', argumentFragments: ['{"city":', '"Köln"}'] }],
    });
    const stream = await client.chat.completions.create({
      model: 'openai',
      messages: [{ role: 'user', content: 'Weather?' }],
      stream: true,
    });
    let argumentsText = '';
    let name = '';
    let finishReason: string | null = null;
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        argumentsText += call.function?.arguments ?? '';
        name ||= call.function?.name ?? '';
      }
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
    }
    expect(name).toBe('weather');
    expect(JSON.parse(argumentsText)).toEqual({ city: 'Köln' });
    expect(finishReason).toBe('tool_calls');
  });

  it("errors come back in OpenAI's shape with the right status, so the client throws typed errors", async () => {
    await expect(
      client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'Hi' }] }),
    ).rejects.toMatchObject({
      status: 400,
      error: { type: 'invalid_request_error', param: 'model', kind: 'invalid-request' },
    });
    harness.upstream.enqueue({ httpError: { status: 429, message: 'slow down', headers: { 'retry-after': '3' } } });
    const limited = await client.chat.completions
      .create({ model: 'openai', messages: [{ role: 'user', content: 'Hi' }], stream: true })
      .catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')).toBe('3');
    expect(containsNoKey(JSON.stringify(limited))).toBe(true);
  });

  it('an error after content arrives in-stream as data: {"error":…} and the client throws after the text', async () => {
    harness.upstream.enqueue({
      events: [
        { type: 'text', text: 'partial' },
        { type: 'error', status: 500, message: 'boom' },
      ],
    });
    const stream = await client.chat.completions.create({
      model: 'openai',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    let text = '';
    const failure = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((error: unknown) => error);
    expect(text).toBe('partial');
    expect(failure).toBeInstanceOf(OpenAI.APIError);
  });

  it('on the wire: data-only lines, role delta first, finish, usage chunk, then data: [DONE]', async () => {
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'wire' }], usage: { inputTokens: 1, outputTokens: 1 } });
    const response = await fetch(`${harness.agent.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        model: 'openai',
        messages: [{ role: 'user', content: 'x' }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const blocks = (await response.text()).split('\n\n').filter(Boolean);
    expect(blocks.every((block) => block.startsWith('data: '))).toBe(true);
    expect(blocks.at(-1)).toBe('data: [DONE]');
    const chunks = blocks.slice(0, -1).map((block) => JSON.parse(block.slice(6)));
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.at(-2).choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    });
  });
});
