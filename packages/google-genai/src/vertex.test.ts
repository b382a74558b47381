import { type Chunk, collectCompletion } from '@rxllm/core';
import { type MockUpstream, mockUpstream } from '@rxllm/testing';
import { firstValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGoogleGenAI } from './create-google-genai.js';

let mock: MockUpstream;
beforeAll(async () => {
  mock = await mockUpstream();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());
afterEach(() => {
  vi.unstubAllEnvs();
});

const request = { messages: [{ role: 'user' as const, content: 'Hi' }] };
const vertexPath =
  '/v1beta1/projects/my-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse';

describe('createGoogleGenAI on Vertex AI (offline, against the mock)', () => {
  it('uses the Vertex path with project and location, authenticated by an API key', async () => {
    const provider = createGoogleGenAI({
      apiKey: 'vertex-key-0001',
      vertexai: { project: 'my-project', location: 'us-central1' },
      baseURL: mock.url,
    });
    mock.enqueue({
      events: [
        { type: 'text', text: 'Hello' },
        { type: 'text', text: ' Vertex' },
      ],
    });
    const completion = await firstValueFrom(provider.stream(request).pipe(collectCompletion()));
    expect(completion.text).toBe('Hello Vertex');
    expect(completion.finishReason).toBe('stop');
    expect(mock.requests[0]?.path).toBe(vertexPath);
    expect(mock.requests[0]?.headers['x-goog-api-key']).toBe('vertex-key-0001');
  });

  it('uses the Vertex path with a bearer token from a custom auth client: no credential lookup, no network', async () => {
    const authClient = { getRequestHeaders: async () => new Headers({ authorization: 'Bearer fake-vertex-token' }) };
    const provider = createGoogleGenAI({
      vertexai: { project: 'my-project', location: 'us-central1' },
      baseURL: mock.url,
      googleAuthOptions: { authClient: authClient as never },
    });
    mock.enqueue({
      events: [
        { type: 'reasoning', text: 'hmm', signature: 'sig' },
        { type: 'text', text: 'ok' },
      ],
    });
    const chunks: Chunk[] = [];
    await new Promise<void>((resolve, reject) =>
      provider.stream(request).subscribe({ next: (chunk) => chunks.push(chunk), error: reject, complete: resolve }),
    );
    expect(chunks.map((chunk) => chunk.type)).toEqual(['start', 'reasoning', 'text', 'usage', 'finish']);
    expect(mock.requests[0]?.path).toBe(vertexPath);
    expect(mock.requests[0]?.headers.authorization).toBe('Bearer fake-vertex-token');
    expect(mock.requests[0]?.headers['x-goog-api-key']).toBeUndefined();
  });

  it('without a key or auth client, fails with an auth LLMError when no Application Default Credentials exist', async () => {
    // No credentials file, and no probe of the GCE metadata server: nothing leaves the machine.
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', '');
    vi.stubEnv('METADATA_SERVER_DETECTION', 'none');
    vi.stubEnv('CLOUDSDK_CONFIG', '/nonexistent-rxllm-gcloud-config');
    const provider = createGoogleGenAI({
      vertexai: { project: 'my-project', location: 'us-central1' },
      baseURL: mock.url,
    });
    const error = await firstValueFrom(provider.stream(request)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'auth', provider: 'google-genai' });
    expect(mock.requests).toHaveLength(0);
  });

  it('reports a Vertex configuration the SDK refuses as an invalid-request LLMError at creation', () => {
    vi.stubEnv('GOOGLE_CLOUD_PROJECT', '');
    vi.stubEnv('GOOGLE_CLOUD_LOCATION', '');
    vi.stubEnv('GOOGLE_API_KEY', '');
    vi.stubEnv('GEMINI_API_KEY', '');
    vi.stubEnv('GOOGLE_VERTEX_BASE_URL', '');
    expect(() => createGoogleGenAI({ vertexai: { location: 'us-central1' } })).toThrowError(
      expect.objectContaining({ name: 'LLMError', kind: 'invalid-request' }),
    );
  });
});
