import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AssistantToolCall, Chunk, CompletionRequest, LoopChunk, ProviderRegistry } from '@rxllm/core';
import { prometheusSink } from '@rxllm/metrics/prometheus';
import type { ToolApprovalDecision } from '@rxllm/tools';
import type { Logger } from 'pino';
import { defer, type Observable } from 'rxjs';
import type { z } from 'zod';
import type { AgentConfig } from '../config.js';
import { withBudget } from '../generation/budget-guard.js';
import { type ChatBody, chatBodyParser, lastUserText } from '../generation/chat-request.js';
import { loadDeployments, withDeployments } from '../generation/deployments.js';
import { fallbackProviders, withFallbacks } from '../generation/fallback-providers.js';
import { type GenerationEvent, generate, type StreamObserver } from '../generation/generate.js';
import { connectMcpServers, type McpServers } from '../generation/mcp-servers.js';
import { withObjectEvents } from '../generation/object-events.js';
import { providerPipeline } from '../generation/pipeline.js';
import { createProviderCatalog, type ProviderCatalog, type ProviderChoice } from '../generation/provider-catalog.js';
import { cachedPipeline, cacheModeOf } from '../generation/response-cache.js';
import { ResumableGenerations, type ResumableRun } from '../generation/resumable-generations.js';
import { createSharedState, type SharedState, watcherTtlMs } from '../generation/shared-state.js';
import type { SpendStore } from '../generation/spend.js';
import { ApprovalDesk, asksApproval, type DeskOutcome } from '../generation/tool-approvals.js';
import { serverToolLoop, type ToolLoopMetrics, toolsFor } from '../generation/tool-loop.js';
import { type AgentKey, assertMayUse, createKeyRing, type KeyRing, loadAgentKeys } from '../http/agent-keys.js';
import type { HttpError } from '../http/errors.js';
import { enforceRateLimit } from '../http/rate-limit.js';
import { loadPriceTable, requestChars } from '../observability/cost.js';
import { DashboardStats } from '../observability/dashboard-stats.js';
import { combineObservers, logObserver } from '../observability/log-observer.js';
import { truncateForLog } from '../observability/logger.js';
import { AgentPrometheus } from '../observability/prometheus-metrics.js';

/** How {@link AgentContext.newGeneration} runs one generation. */
export interface GenerationOptions {
  /** Extra fields of the `Received message` log line (`transport`, `route`). */
  logFields?: Record<string, string>;
  /** For a JSON answer: add `object` events, the last one checked by this schema (see `withObjectEvents`). */
  objectSchema?: z.ZodType;
  /**
   * Run the agent's configured tools (`/chat` and the WebSocket; `/v1` leaves tools to its client). Ignored when no
   * tool is configured for the chosen provider (`toolsFor`).
   */
  serverTools?: boolean;
  /**
   * Nobody can answer a `tool-approval-request` (a JSON reply: the client sees nothing before the end): the calls
   * that ask are denied at once, with this reason, instead of waiting for their deadline.
   */
  denyApprovals?: string;
  /**
   * The client answers in a new request, not on this stream (the UI message stream): the generation ends once its
   * step's calls all have a result or wait for a decision.
   */
  endAtApprovals?: boolean;
  /** Calls of an earlier reply to run first, with the decisions on their approvals (see `serverToolLoop`). */
  continuation?: { calls: readonly AssistantToolCall[]; decisions: readonly ToolApprovalDecision[] };
  /** The request's `Cache-Control` header: `no-cache` skips the response cache's lookup, `no-store` the cache. */
  cacheControl?: string | string[] | undefined;
  /** The key the request presented (`context.keys.identify`): its allowed models and budgets apply. */
  caller?: AgentKey | undefined;
}

/** A stream in flight: shutdown waits for it, then ends it with `kind: "shutdown"`. */
export interface ActiveStream {
  abort(error: HttpError): void;
  readonly finished: Promise<unknown>;
}

/** What every route and transport shares: configuration, providers, observers, the store and the stream registry. */
export interface AgentContext {
  readonly config: AgentConfig;
  readonly logger: Logger;
  readonly catalog: ProviderCatalog;
  readonly stats: DashboardStats;
  readonly prometheus: AgentPrometheus;
  readonly observer: StreamObserver;
  /** Validates a `/chat` body or WebSocket message against the configured limits (400 {@link HttpError}). */
  parseChatBody(input: unknown): ChatBody;
  /**
   * A new generation of `request` on the chosen provider, whatever the transport: a fresh stream id, the seed's
   * `Received message: …` log line (with `logFields`), and the cold provider pipeline (retry, timeouts, metrics with
   * the seed log lines and Prometheus) numbered by {@link generate}; with `serverTools`, the agent's own tools run in
   * a loop over that pipeline (see `serverToolLoop`).
   */
  newGeneration(
    choice: ProviderChoice,
    request: CompletionRequest,
    options?: GenerationOptions,
  ): { streamId: string; events: Observable<GenerationEvent> };
  /** Registers a stream until it finishes. */
  track(stream: ActiveStream): void;
  /** The streams in flight, for shutdown. */
  activeStreams(): readonly ActiveStream[];
  isDraining(): boolean;
  /** Marks the start of shutdown: readiness fails and new work gets 503 from now on. */
  startDraining(): void;
  /** Store and rate limiter: this process's memory, or Redis when `REDIS_URL` is set. */
  readonly shared: SharedState;
  /** Present when `RESUMABLE_STREAMS=true`: generations outlive their client and can be resumed and followed. */
  readonly generations: ResumableGenerations | undefined;
  /** Throws a 429 {@link HttpError} when the request's client is over `RATE_LIMIT_PER_MINUTE`. */
  rateLimit(request: IncomingMessage): Promise<void>;
  /** Starts the resumable run of a new generation (`undefined` when resumability is off). */
  startRun(streamId: string, events: Observable<GenerationEvent>): Promise<ResumableRun | undefined>;
  /** Makes a generation of this instance cancellable by id until it finishes (resumability off). */
  registerCancel(streamId: string, cancel: () => void, finished: Promise<unknown>): void;
  /** Cancels a generation for everyone; resolves false if no such generation is running. */
  cancel(streamId: string): Promise<boolean>;
  /** The configured MCP servers (`MCP_SERVERS`), whose tools join the server-side tools; shutdown closes them. */
  readonly mcp: McpServers;
  /** The keys the agent takes (`AGENT_API_KEY`, `AGENT_KEYS`). */
  readonly keys: KeyRing;
  /** Hands a decision to a tool call waiting for approval, here or (resumable streams) on the instance running it. */
  decide(streamId: string, decision: ToolApprovalDecision): Promise<DeskOutcome>;
}

export interface AgentContextOptions {
  config: AgentConfig;
  registry: ProviderRegistry;
  logger: Logger;
}

/**
 * Builds the context the agent's routes and transports share, and logs the settings it turned on (resumable
 * streams, rate limit). Connects the shared store first when there is one.
 *
 * @example
 * ```ts
 * const context = await createAgentContext({ config: loadConfig(env), registry: defaultRegistry(), logger });
 * const { streamId, events } = context.newGeneration(context.catalog.choose({}), request);
 * ```
 */
export async function createAgentContext(options: AgentContextOptions): Promise<AgentContext> {
  const { config, logger } = options;
  const catalog = providerCatalog(options);
  const fallbacks = fallbackProviders(config, catalog, (name) =>
    logger.warn({ provider: name }, `FALLBACK_PROVIDERS: ${name} is not configured here; skipped`),
  );
  const prices = loadPriceTable(config.pricesFile);
  const stats = new DashboardStats();
  const prometheus = new AgentPrometheus();
  const streams = new Set<ActiveStream>();
  const localCancels = new Map<string, () => void>();
  const shared = await createSharedState(config, logger);
  const mcp = await connectMcpServers(config.mcpServers, logger);
  const generations = config.resumableStreams
    ? new ResumableGenerations({ store: shared.store, graceMs: config.resumeGraceMs, watcherTtlMs, logger })
    : undefined;
  const desk = new ApprovalDesk(generations ? shared.store : undefined, (streamId, reason) =>
    logger.warn({ streamId }, `Tool decision refused: ${reason}`),
  );
  if (generations && 'ready' in shared.store) {
    // Cancel requests from other instances must reach us from the first request on.
    await (shared.store as { ready(): Promise<void> }).ready().catch(() => undefined);
  }
  logSettings(config, shared, logger);
  let draining = false;
  const observer = combineObservers(logObserver(logger), stats.observer, prometheus.observer);
  const keys = createKeyRing(config.agentApiKey, config.agentKeysFile ? loadAgentKeys(config.agentKeysFile) : []);
  const metricsSinks = [prometheusSink({ registry: prometheus.registry })];
  const toolMetrics: ToolLoopMetrics = {
    recordToolCall(tool, outcome, durationMs) {
      prometheus.recordToolCall(tool, outcome, durationMs);
      stats.recordToolCall(tool, outcome, durationMs);
    },
    countToolStep: () => prometheus.countToolStep(),
  };

  const context: AgentContext = {
    config,
    logger,
    catalog,
    stats,
    prometheus,
    observer,
    parseChatBody: chatBodyParser(config),
    newGeneration(choice, request, options = {}) {
      const { logFields = {}, objectSchema, caller } = options;
      assertMayUse(caller, choice.name, choice.model);
      const streamId = randomUUID();
      logger.info(
        { streamId, provider: choice.name, model: choice.model, ...logFields },
        `Received message: ${truncateForLog(lastUserText(request.messages))}`,
      );
      const streamLogger = logger.child({ streamId });
      const { pipeline, startFields } = cachedPipeline({
        store: shared.cache,
        config: config.cache,
        provider: choice.provider.name,
        mode: cacheModeOf(options.cacheControl),
        live: withFallbacks(choice, fallbacks, config, (provider, stepRequest) =>
          providerPipeline(provider, stepRequest, config, streamLogger, metricsSinks),
        ),
      });
      const chunks = generationChunks(
        { config, mcp, desk, toolMetrics },
        { streamId, choice, request, options, pipeline, logger: streamLogger },
      );
      const pricing = { prices, inputChars: requestChars(request) };
      const withObjects = objectSchema ? chunks.pipe(withObjectEvents(objectSchema)) : chunks;
      const source = withBudget(withObjects, { key: caller, spend: shared.spend, ...pricing });
      const spender = caller ? spendObserver(shared.spend, caller.name, logger) : undefined;
      const streamObserver = spender ? combineObservers(observer, spender) : observer;
      return { streamId, events: generate({ source, streamId, observer: streamObserver, pricing, startFields }) };
    },
    track(stream) {
      streams.add(stream);
      void stream.finished.finally(() => streams.delete(stream));
    },
    activeStreams: () => [...streams],
    isDraining: () => draining,
    startDraining() {
      draining = true;
    },
    shared,
    generations,
    rateLimit: (request) => {
      const perMinute = keys.identify(request.headers, true)?.rateLimitPerMinute;
      const limiter = perMinute ? shared.keyLimiter(perMinute) : shared.limiter;
      return enforceRateLimit(limiter, request, logger, keys.required);
    },
    keys,
    async startRun(streamId, events) {
      if (!generations) return undefined;
      const run = await generations.start(streamId, events);
      context.track({ finished: run.finished, abort: (error) => run.stop(error) });
      return run;
    },
    registerCancel(streamId, cancel, finished) {
      localCancels.set(streamId, cancel);
      void finished.finally(() => localCancels.delete(streamId));
    },
    mcp,
    decide: (streamId, decision) => desk.decide(streamId, decision),
    async cancel(streamId) {
      if (generations) return generations.cancel(streamId);
      const cancel = localCancels.get(streamId);
      if (!cancel) return false;
      cancel();
      return true;
    },
  };
  return context;
}

/**
 * The chunks of one generation: its model step, or with `serverTools` (and tools configured for the provider) the
 * agent's tool loop over the step pipeline, with approvals when a tool asks for them.
 */
function generationChunks(
  deps: { config: AgentConfig; mcp: McpServers; desk: ApprovalDesk; toolMetrics: ToolLoopMetrics },
  generation: {
    streamId: string;
    choice: ProviderChoice;
    request: CompletionRequest;
    options: GenerationOptions;
    pipeline: (request: CompletionRequest) => Observable<Chunk>;
    logger: Logger;
  },
): Observable<LoopChunk> {
  const { config, mcp, desk, toolMetrics } = deps;
  const { streamId, choice, request, options, pipeline } = generation;
  const { serverTools = false, denyApprovals, continuation } = options;
  const tools = serverTools ? toolsFor(config, choice.provider.name, mcp.tools()) : undefined;
  if (!tools) return pipeline(request);
  const approvals = asksApproval(tools)
    ? desk.open(streamId, {
        timeoutMs: config.toolApprovalTimeoutMs,
        denyAll: denyApprovals,
        decided: continuation && new Map(continuation.decisions.map((entry) => [entry.toolCallId, entry])),
      })
    : undefined;
  return defer(() =>
    serverToolLoop({
      provider: { name: choice.provider.name, defaultModel: choice.provider.defaultModel, stream: pipeline },
      request,
      tools,
      config,
      logger: generation.logger,
      metrics: toolMetrics,
      ...(approvals ? { approvals } : {}),
      ...(continuation ? { replayCalls: callsToReplay(continuation, asksApproval(tools)) } : {}),
      endWhenWaiting: options.endAtApprovals === true,
    }),
  );
}

/** Adds each priced stream of a named key to its spend, however it ended. */
function spendObserver(spend: SpendStore, name: string, logger: Logger): StreamObserver {
  return {
    ended: (outcome) => {
      const { costUsd } = outcome.metrics;
      if (typeof costUsd !== 'number' || costUsd <= 0) return;
      spend.add(name, costUsd).catch((error: unknown) => logger.warn({ err: error, key: name }, 'Spend not recorded'));
    },
  };
}

/** The providers of this agent: the registry's, with `DEPLOYMENTS_FILE`'s pools, and their allowed models. */
function providerCatalog({ config, logger, registry }: AgentContextOptions): ProviderCatalog {
  const pooled = config.deploymentsFile ? withDeployments(registry, loadDeployments(config.deploymentsFile)) : registry;
  return createProviderCatalog(pooled, config.env, (name, reason) =>
    logger.warn({ provider: name }, `Provider ${name} skipped: ${reason}`),
  );
}

/**
 * Without approvals to take the decisions (`TOOL_APPROVAL` changed since the calls were asked about), only the
 * approved calls run; the denied ones are left out rather than run.
 */
function callsToReplay(continuation: NonNullable<GenerationOptions['continuation']>, withApprovals: boolean) {
  if (withApprovals) return continuation.calls;
  const approved = new Set(continuation.decisions.filter((entry) => entry.approved).map((entry) => entry.toolCallId));
  return continuation.calls.filter((call) => approved.has(call.id));
}

function logSettings(config: AgentConfig, shared: SharedState, logger: Logger): void {
  if (config.resumableStreams) {
    logger.info(
      { store: shared.kind, graceMs: config.resumeGraceMs },
      `Resumable streams on (${shared.kind} store): a disconnect detaches, nobody attached for ${config.resumeGraceMs} ms cancels`,
    );
  }
  if (shared.limiter) {
    logger.info(
      { perMinute: config.rateLimitPerMinute, burst: config.rateLimitBurst, store: shared.kind },
      `Rate limit: ${config.rateLimitPerMinute} requests per minute per client (burst ${config.rateLimitBurst})`,
    );
  }
}
