import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, readSse, startTestAgent, type TestAgent } from '../test-helpers.js';

// Prompt caching through every route to an Anthropic upstream: the breakpoints arrive as `cache_control`, and the
// cached input tokens the upstream reports come back in each route's own usage field.
const ephemeral = { type: 'ephemeral' };
const hour = { type: 'ephemeral', ttl: '1h' };
const cachedUsage = { inputTokens: 10, outputTokens: 2, cachedInputTokens: 4096 };

describe('prompt caching (Anthropic cache_control) on /chat, /v1/chat/completions and /v1/messages', () => {
  let harness: TestAgent;
  beforeAll(async () => {
    harness = await startTestAgent();
  });
  afterAll(() => harness.close());

  const lastUpstreamBody = () => harness.upstream.requests.at(-1)?.body as Record<string, unknown>;

  it('/chat: cacheControl on a message and on a part; the usage event has the cached tokens', async () => {
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'Ok.' }], usage: cachedUsage });
    const response = await postJson(`${harness.agent.url}/chat`, {
      provider: 'anthropic',
      messages: [
        { role: 'system', content: 'A long policy.', cacheControl: hour },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'A long document.', cacheControl: ephemeral },
            { type: 'text', text: 'The question.' },
          ],
        },
      ],
    });
    expect(response.status).toBe(200);
    const events = (await readSse(response)).map((event) => event.data as { type: string; usage?: unknown });
    expect(events.find((event) => event.type === 'usage')?.usage).toMatchObject({ cachedInputTokens: 4096 });
    const body = lastUpstreamBody();
    expect(body.system).toEqual([{ type: 'text', text: 'A long policy.', cache_control: hour }]);
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'A long document.', cache_control: ephemeral },
          { type: 'text', text: 'The question.' },
        ],
      },
    ]);
  });

  it('/chat: a bad cacheControl is a 400 naming it', async () => {
    const response = await postJson(`${harness.agent.url}/chat`, {
      messages: [{ role: 'user', content: 'Hi', cacheControl: { type: 'forever' } }],
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('cacheControl');
  });

  it('/v1/chat/completions: cache_control on parts (LiteLLM style) and on a tool; usage cached_tokens', async () => {
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'Ok.' }], usage: cachedUsage });
    const response = await postJson(`${harness.agent.url}/v1/chat/completions`, {
      model: 'anthropic',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'A long policy.', cache_control: ephemeral }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'A long document.', cache_control: hour },
            { type: 'text', text: 'The question.' },
          ],
        },
      ],
      tools: [
        { type: 'function', function: { name: 'lookup', parameters: { type: 'object' } }, cache_control: ephemeral },
      ],
    });
    expect(response.status).toBe(200);
    const chunks = (await readSse(response)).map((event) => event.data as { usage?: unknown });
    expect(chunks.find((chunk) => chunk.usage)?.usage).toMatchObject({
      prompt_tokens_details: { cached_tokens: 4096 },
    });
    const body = lastUpstreamBody();
    expect(body.system).toEqual([{ type: 'text', text: 'A long policy.', cache_control: ephemeral }]);
    expect((body.messages as unknown[])[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'A long document.', cache_control: hour },
        { type: 'text', text: 'The question.' },
      ],
    });
    expect(body.tools).toEqual([expect.objectContaining({ name: 'lookup', cache_control: ephemeral })]);
  });

  it('/v1/messages: cache_control on system, a user block, a tool_result and a tool pass through; usage cache_read', async () => {
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'Ok.' }], usage: cachedUsage });
    const response = await postJson(`${harness.agent.url}/v1/messages`, {
      model: 'anthropic',
      max_tokens: 64,
      system: [{ type: 'text', text: 'A long policy.', cache_control: hour }],
      tools: [{ name: 'lookup', input_schema: { type: 'object' }, cache_control: ephemeral }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Look it up.', cache_control: ephemeral }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {} }] },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'found', cache_control: ephemeral }],
        },
      ],
    });
    expect(response.status).toBe(200);
    const reply = (await response.json()) as { usage: Record<string, unknown> };
    expect(reply.usage).toMatchObject({ cache_read_input_tokens: 4096 });
    const body = lastUpstreamBody();
    expect(body.system).toEqual([{ type: 'text', text: 'A long policy.', cache_control: hour }]);
    expect(body.tools).toEqual([expect.objectContaining({ name: 'lookup', cache_control: ephemeral })]);
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Look it up.', cache_control: ephemeral }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {} }] },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'found', cache_control: ephemeral }],
      },
    ]);
  });

  it('an OpenAI upstream gets no cache_control (it caches on its own) and still answers', async () => {
    harness.upstream.enqueue({ events: [{ type: 'text', text: 'Ok.' }] });
    const response = await postJson(`${harness.agent.url}/chat`, {
      provider: 'openai',
      stream: false,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'A long document.', cacheControl: ephemeral }] }],
    });
    expect(response.status).toBe(200);
    expect(JSON.stringify(lastUpstreamBody())).not.toMatch(/cache_?control/i);
  });
});
