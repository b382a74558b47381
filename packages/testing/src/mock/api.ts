import type { MockScript, RecordedRequest } from './script.js';

/**
 * Chooses the script for a request; return `undefined` to fall back to the queue / default.
 *
 * @example
 * ```ts
 * const respond: MockResponder = (request) => ({ events: [{ type: 'text', text: `echo ${request.path}` }] });
 * ```
 */
export type MockResponder = (request: RecordedRequest) => MockScript | undefined;

/**
 * How to start a mock upstream.
 *
 * @example
 * ```ts
 * const mock = await mockUpstream({
 *   defaultScript: { events: [{ type: 'text', text: 'default' }] },
 *   respond: (request) => (request.vendor === 'gemini' ? { delivery: { lineEnding: 'lf' } } : undefined),
 * });
 * ```
 */
export interface MockUpstreamOptions {
  /** Port on 127.0.0.1; default 0 (a free port). */
  port?: number;
  /** Script for requests when the queue is empty (default: a short `Hello, world!` text stream). */
  defaultScript?: MockScript;
  /** Called for every request before the queue is consulted, e.g. to derive distinct texts from the request body. */
  respond?: MockResponder;
}

/**
 * A wire-level mock of the OpenAI, Anthropic and Gemini HTTP APIs on 127.0.0.1.
 *
 * @example
 * ```ts
 * const mock = await mockUpstream();
 * const anthropic = new Anthropic({ apiKey: 'test', baseURL: mock.baseURLs.anthropic, maxRetries: 0 });
 * // … stream, then:
 * const [request] = await mock.waitForRequests(1);
 * await mock.close();
 * ```
 */
export interface MockUpstream {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Base URLs to hand each SDK: OpenAI `${url}/v1`, Anthropic `url`, Gemini `url`. */
  readonly baseURLs: { openai: string; anthropic: string; gemini: string };
  /** Every request so far, in order of arrival. */
  readonly requests: readonly RecordedRequest[];
  /** Queue scripts: each incoming request takes the next one. */
  enqueue(...scripts: MockScript[]): void;
  /** Resolves once `count` requests have arrived. */
  waitForRequests(count: number): Promise<readonly RecordedRequest[]>;
  /** Number of connections currently open. */
  openConnections(): number;
  /** Forget recorded requests and queued scripts. */
  reset(): void;
  /** Stop listening and destroy every open connection. */
  close(): Promise<void>;
}
