import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MockUpstream, mockUpstream } from '@rxllm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, readSse, startTestAgent, type TestAgent, testRegistry } from '../test-helpers.js';
import { loadDeployments, withDeployments } from './deployments.js';

const keyA = 'sk-file-MARKER-aaaa';
const keyB = 'sk-file-MARKER-bbbb';

async function writeJson(value: unknown): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'rxllm-deployments-')), 'deployments.json');
  await writeFile(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

describe('DEPLOYMENTS_FILE: one provider over several deployments', () => {
  let failing: MockUpstream;
  let healthy: MockUpstream;
  let harness: TestAgent;
  beforeAll(async () => {
    [failing, healthy] = await Promise.all([
      mockUpstream({ respond: () => ({ httpError: { status: 500, message: 'down' } }) }),
      mockUpstream({ defaultScript: { events: [{ type: 'text', text: 'from b' }] } }),
    ]);
    const file = await writeJson({
      openai: {
        strategy: 'least-in-flight',
        breaker: { failureThreshold: 3, cooldownMs: 600_000 },
        deployments: [
          { id: 'a', env: { OPENAI_BASE_URL: failing.baseURLs.openai, OPENAI_API_KEY: keyA } },
          { id: 'b', env: { OPENAI_BASE_URL: healthy.baseURLs.openai, OPENAI_API_KEY: keyB } },
        ],
      },
    });
    harness = await startTestAgent({ DEPLOYMENTS_FILE: file, LLM_PROVIDER: 'openai' });
  });
  afterAll(async () => {
    await harness?.close();
    await failing?.close();
    await healthy?.close();
  });

  it('a failing deployment fails over before the first chunk, then its breaker opens and traffic goes to the other', async () => {
    for (let index = 0; index < 6; index += 1) {
      const response = await postJson(`${harness.agent.url}/chat`, { message: `question ${index}` });
      expect(response.status).toBe(200);
      const text = (await readSse(response))
        .map((event) => event.data as { type: string; text?: string })
        .filter((event) => event.type === 'text')
        .map((event) => event.text)
        .join('');
      expect(text).toBe('from b');
    }
    expect(failing.requests).toHaveLength(3);
    expect(healthy.requests).toHaveLength(6);
    // Each deployment's own key from the file; the agent's environment has another.
    expect(failing.requests[0]?.headers.authorization).toBe(`Bearer ${keyA}`);
    expect(healthy.requests[0]?.headers.authorization).toBe(`Bearer ${keyB}`);
    const logs = harness.logs.join('\n');
    expect(logs).not.toContain(keyA);
    expect(logs).not.toContain(keyB);
  });
});

describe('loadDeployments and withDeployments', () => {
  it.each([
    ['{not json', /is not JSON/],
    [{ openai: { deployments: [] } }, /openai\.deployments: must list at least one deployment/],
    [{ openai: { deployments: [{ id: 'a b', env: {} }] } }, /openai\.deployments\.0\.id/],
    [{ openai: { strategy: 'random', deployments: [{ id: 'a', env: {} }] } }, /openai\.strategy/],
    [
      {
        openai: {
          deployments: [
            { id: 'a', env: {} },
            { id: 'a', env: {} },
          ],
        },
      },
      /"a" is used twice/,
    ],
  ])('refuses a bad file %#, naming the field and never a value', async (content, message) => {
    const file = await writeJson(content);
    expect(() => loadDeployments(file)).toThrow(message);
  });

  it('refuses a provider the registry does not have', async () => {
    const file = await writeJson({ nope: { deployments: [{ id: 'a', env: { NOPE_API_KEY: 'secret-value' } }] } });
    expect(() => withDeployments(testRegistry(), loadDeployments(file))).toThrow(/no provider named "nope"/);
    expect(() => withDeployments(testRegistry(), loadDeployments(file))).not.toThrow(/secret-value/);
  });
});
