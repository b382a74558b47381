import {
  type Chunk,
  type CompletionRequest,
  contentParts,
  type Env,
  type FinishReason,
  LLMError,
  type LLMErrorKind,
  type Message,
  messageText,
  type Provider,
  type ProviderDefinition,
  RegistryError,
  type Usage,
} from '@rxllm/core';
import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { cannedObject } from './sample-object.js';
import { type Chunking, splitText } from './split-text.js';
import { type PlannedCall, planToolCalls, toolAnswer } from './tool-plan.js';

/**
 * One scripted event of the simulated provider: a chunk to emit, or an error to end the stream with.
 *
 * @example
 * ```ts
 * const script: SimulatedEvent[] = [text('Hel'), { type: 'error', error: { kind: 'overloaded', message: 'busy' } }];
 * ```
 */
export type SimulatedEvent =
  | Exclude<Chunk, { type: 'start' }>
  | {
      type: 'error';
      error: LLMError | { kind: LLMErrorKind; message: string; status?: number; retryAfterMs?: number };
    };

/**
 * How the simulated provider answers and how fast.
 *
 * @example
 * ```ts
 * simulatedProvider({ text: 'line one\nline two\n', chunking: 'line', ttftMs: 0, tokensPerSecond: 5 });
 * ```
 */
export interface SimulatedProviderOptions {
  /** The answer to stream, cut by `chunking`. Without `text` or `script` the provider answers with a canned reply. */
  text?: string;
  /** Exact events to emit (after `start`), for tests; `usage` and `finish` are appended unless the script has them. */
  script?: SimulatedEvent[];
  /** Time to first content chunk; default 200 ms. */
  ttftMs?: number;
  /** Content chunks per second after the first; default 25. `Infinity` emits them back to back. */
  tokensPerSecond?: number;
  /** How `text` is cut; default `'word'`. */
  chunking?: Chunking;
  /** Model reported when the request names none; default `simulated-1`. */
  model?: string;
  /** Where time comes from; default `asyncScheduler`, so `TestScheduler.run` drives it in virtual time. */
  scheduler?: SchedulerLike;
}

const PROVIDER = 'simulated';
const MAX_ECHO_LENGTH = 200;
const STORY =
  'Once upon a time, a small stream of tokens set out across the network, one word at a time. ' +
  'It never hurried and never broke a character in two, and everyone watching could see it arrive. ' +
  'When the last word landed, the stream said goodbye and closed its connection politely.';

/**
 * The reply the simulated provider gives when no `text` or `script` is set: deterministic, and honest about itself.
 *
 * @example
 * ```ts
 * cannedReply({ messages: [{ role: 'user', content: 'Hi' }] }); // 'You said: "Hi". This is the simulated provider: …'
 * ```
 */
export function cannedReply(request: CompletionRequest): string {
  const lastUser = [...request.messages].reverse().find((message) => message.role === 'user');
  const said = lastUser ? messageText(lastUser).trim().replace(/\s+/g, ' ') : '';
  const echo = said.length > MAX_ECHO_LENGTH ? `${said.slice(0, MAX_ECHO_LENGTH)}…` : said;
  const attached = lastUser ? attachments(lastUser) : '';
  const opening =
    echo === ''
      ? attached
        ? `You sent ${attached}.`
        : 'Hello!'
      : `You said: "${echo}"${attached ? ` and attached ${attached}` : ''}.`;
  return (
    `${opening} This is the simulated provider: set OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY ` +
    `to talk to a real model. ${STORY}`
  );
}

const countWords = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** "1 image", "2 images and 1 file", or '' for a message without attachments. */
function attachments(message: Message): string {
  const parts = contentParts(message);
  const counted = (type: 'image' | 'file') => {
    const count = parts.filter((part) => part.type === type).length;
    return count === 0 ? [] : [`${count} ${type}${count === 1 ? '' : 's'}`];
  };
  return [...counted('image'), ...counted('file')].join(' and ');
}

/**
 * The steps of a reply that calls tools: each call's arguments in two fragments (so they stream as a vendor's do),
 * then usage and `finish: tool-calls`.
 */
function toolCallSteps(calls: readonly PlannedCall[], inputTokens: number, response: number): SimulatedEvent[][] {
  const steps: SimulatedEvent[][] = calls.flatMap((call, index) => {
    const half = Math.ceil(call.arguments.length / 2);
    const id = `call_sim_${response}_${index}`;
    return [
      [{ type: 'tool-call', index, id, name: call.name, argumentsDelta: call.arguments.slice(0, half) }],
      [{ type: 'tool-call', index, argumentsDelta: call.arguments.slice(half) }],
    ] satisfies SimulatedEvent[][];
  });
  const outputTokens = calls.length * 8;
  steps[steps.length - 1]?.push(
    { type: 'usage', usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens } },
    { type: 'finish', reason: 'tool-calls', rawReason: 'tool_calls' },
  );
  return steps;
}

function toError(event: Extract<SimulatedEvent, { type: 'error' }>): LLMError {
  if (LLMError.isInstance(event.error)) return event.error;
  return new LLMError({ provider: PROVIDER, ...event.error });
}

/**
 * A `Provider` named `simulated` that streams without any network: deterministic text, paced like a real model
 * (`ttftMs` to the first chunk, then `tokensPerSecond`), timed by an RxJS scheduler so it runs in virtual time too.
 * It emits `start`, the content chunks, `usage` and `finish`. Cold; unsubscribing cancels the pending timers.
 * `maxTokens` on the request caps the chunks and finishes with `length`.
 *
 * @example
 * ```ts
 * const provider = simulatedProvider({ text: 'Hello there, world', ttftMs: 100, tokensPerSecond: 20 });
 * provider.stream({ messages: [{ role: 'user', content: 'Hi' }] }).pipe(textDeltas()).subscribe((text) => process.stdout.write(text));
 * ```
 */
export function simulatedProvider(options: SimulatedProviderOptions = {}): Provider {
  const defaultModel = options.model ?? 'simulated-1';
  const ttftMs = Math.max(0, options.ttftMs ?? 200);
  const tokensPerSecond = options.tokensPerSecond ?? 25;
  const intervalMs = tokensPerSecond > 0 && Number.isFinite(tokensPerSecond) ? 1000 / tokensPerSecond : 0;
  const scheduler = options.scheduler ?? asyncScheduler;
  let responses = 0;

  /** The stream as steps: each step's events go out together, one step per tick of the pacing clock. */
  const plan = (request: CompletionRequest): SimulatedEvent[][] => {
    const inputTokens = request.messages.reduce((total, message) => total + countWords(messageText(message)), 0);
    if (options.script) {
      const steps: SimulatedEvent[][] = [];
      for (const event of options.script) {
        const lastStep = steps[steps.length - 1];
        // usage and finish go out with the event before them, as vendors send them in the closing frames.
        if ((event.type === 'usage' || event.type === 'finish') && lastStep) lastStep.push(event);
        else steps.push([event]);
      }
      const flat = options.script;
      const ends = flat.some((event) => event.type === 'error' || event.type === 'finish');
      if (!ends) {
        const outputTokens = flat.filter((event) => event.type === 'text' || event.type === 'reasoning').length;
        const closing: SimulatedEvent[] = [
          ...(flat.some((event) => event.type === 'usage')
            ? []
            : [
                {
                  type: 'usage',
                  usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
                } as const,
              ]),
          { type: 'finish', reason: 'stop', rawReason: 'stop' },
        ];
        if (steps.length > 0) steps[steps.length - 1]!.push(...closing);
        else steps.push(closing);
      }
      return steps;
    }
    const calls = options.text === undefined ? planToolCalls(request) : [];
    if (calls.length > 0) return toolCallSteps(calls, inputTokens, responses);
    const answer =
      options.text ?? toolAnswer(request) ?? (request.responseFormat ? cannedObject(request) : cannedReply(request));
    const pieces = splitText(answer, options.chunking);
    const limit = request.maxTokens !== undefined && request.maxTokens >= 0 ? request.maxTokens : pieces.length;
    const emitted = pieces.slice(0, limit);
    const reason: FinishReason = emitted.length < pieces.length ? 'length' : 'stop';
    const usage: Usage = { inputTokens, outputTokens: emitted.length, totalTokens: inputTokens + emitted.length };
    const steps: SimulatedEvent[][] = emitted.map((text) => [{ type: 'text', text }]);
    const closing: SimulatedEvent[] = [
      { type: 'usage', usage },
      { type: 'finish', reason, rawReason: reason },
    ];
    if (steps.length > 0) steps[steps.length - 1]!.push(...closing);
    else steps.push(closing);
    return steps;
  };

  return {
    name: PROVIDER,
    defaultModel,
    stream(request) {
      return new Observable<Chunk>((subscriber) => {
        responses += 1;
        subscriber.next({
          type: 'start',
          provider: PROVIDER,
          model: request.model ?? defaultModel,
          id: `sim_${responses}`,
        });
        const steps = plan(request);
        let action: Subscription | undefined;
        const runStep = (index: number) => {
          for (const event of steps[index] ?? []) {
            if (subscriber.closed) return;
            if (event.type === 'error') {
              subscriber.error(toError(event));
              return;
            }
            subscriber.next(event);
          }
          if (index + 1 >= steps.length) subscriber.complete();
          else action = scheduler.schedule(() => runStep(index + 1), intervalMs);
        };
        action = scheduler.schedule(() => runStep(0), ttftMs);
        return () => action?.unsubscribe();
      });
    },
  };
}

function numberFromEnv(env: Env, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new RegistryError(
      `${name} must be a non-negative number of ${name.endsWith('_MS') ? 'milliseconds' : 'tokens per second'}.`,
    );
  }
  return value;
}

/**
 * The simulated provider for `createRegistry`: needs no key; `SIMULATED_TTFT_MS`, `SIMULATED_TOKENS_PER_SECOND`
 * and `SIMULATED_MODEL` tune it.
 *
 * @example
 * ```ts
 * const registry = createRegistry({ simulated: simulatedProviderDefinition });
 * const provider = registry.create('simulated', { SIMULATED_TTFT_MS: '50' });
 * ```
 */
export const simulatedProviderDefinition: ProviderDefinition = {
  requiresApiKey: false,
  create: (env) =>
    simulatedProvider({
      ttftMs: numberFromEnv(env, 'SIMULATED_TTFT_MS'),
      tokensPerSecond: numberFromEnv(env, 'SIMULATED_TOKENS_PER_SECOND'),
      model: env.SIMULATED_MODEL?.trim() || undefined,
    }),
};
