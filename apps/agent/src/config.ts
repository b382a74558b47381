import type { McpServerConfig } from '@rxllm/mcp';
import { z } from 'zod';
import { parseMcpServers } from './generation/mcp-servers.js';
import { SHIPPED_TOOL_NAMES, type ShippedToolName } from './generation/shipped-tool-names.js';

/** The environment the agent reads: `process.env` or any plain record. */
export type AgentEnv = Readonly<Record<string, string | undefined>>;

const integer = (name: string, fallback: number, minimum: number, maximum: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '') return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < minimum || parsed > maximum) {
        context.addIssue({ code: 'custom', message: `${name} must be an integer from ${minimum} to ${maximum}` });
        return z.NEVER;
      }
      return parsed;
    });

const optionalInteger = (name: string, fallback: number, minimum: number, maximum: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '') return fallback;
      if (value === '0') return undefined;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < minimum || parsed > maximum) {
        context.addIssue({
          code: 'custom',
          message: `${name} must be an integer from ${minimum} to ${maximum} (0 = off)`,
        });
        return z.NEVER;
      }
      return parsed;
    });

const booleanFlag = (name: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '' || value === 'false' || value === '0') return false;
      if (value === 'true' || value === '1') return true;
      context.addIssue({ code: 'custom', message: `${name} must be true or false` });
      return z.NEVER;
    });

/** The items of a comma-separated setting, trimmed, without empty ones. */
const commaList = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** What a provider takes as a function name (OpenAI's and Anthropic's rule; namespaced MCP tools use `__`). */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const environmentSchema = z.object({
  PORT: integer('PORT', 8080, 0, 65535),
  HOST: z.string().trim().optional().default('127.0.0.1'),
  LOG_LEVEL: z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '') return 'info' as const;
      if ((logLevels as readonly string[]).includes(value)) return value as (typeof logLevels)[number];
      context.addIssue({ code: 'custom', message: `LOG_LEVEL must be one of ${logLevels.join(', ')}` });
      return z.NEVER;
    }),
  AGENT_API_KEY: z.string().optional(),
  AGENT_KEYS: z.string().optional(),
  ALLOWED_ORIGINS: z.string().optional(),
  ALLOWED_HOSTS: z.string().optional(),
  ALLOW_UNAUTHENTICATED: booleanFlag('ALLOW_UNAUTHENTICATED'),
  MAX_BODY_BYTES: integer('MAX_BODY_BYTES', 20 * 1024 * 1024, 1024, 64 * 1024 * 1024),
  MAX_MESSAGE_CHARS: integer('MAX_MESSAGE_CHARS', 100_000, 1, 10_000_000),
  MAX_MESSAGES: integer('MAX_MESSAGES', 200, 1, 10_000),
  MAX_CONTENT_PARTS: integer('MAX_CONTENT_PARTS', 20, 1, 1_000),
  MAX_ATTACHMENT_BYTES: integer('MAX_ATTACHMENT_BYTES', 10 * 1024 * 1024, 1, 64 * 1024 * 1024),
  SSE_PING_MS: integer('SSE_PING_MS', 15_000, 10, 3_600_000),
  SSE_MAX_BUFFER_BYTES: integer('SSE_MAX_BUFFER_BYTES', 1024 * 1024, 1024, 256 * 1024 * 1024),
  SLOW_CONSUMER_GRACE_MS: integer('SLOW_CONSUMER_GRACE_MS', 5_000, 0, 600_000),
  FIRST_CHUNK_TIMEOUT_MS: optionalInteger('FIRST_CHUNK_TIMEOUT_MS', 60_000, 1, 3_600_000),
  IDLE_TIMEOUT_MS: optionalInteger('IDLE_TIMEOUT_MS', 30_000, 1, 3_600_000),
  TOTAL_TIMEOUT_MS: optionalInteger('TOTAL_TIMEOUT_MS', 600_000, 1, 24 * 3_600_000),
  MAX_RETRIES: integer('MAX_RETRIES', 2, 0, 10),
  SHUTDOWN_DRAIN_MS: integer('SHUTDOWN_DRAIN_MS', 10_000, 0, 600_000),
  STATS_INTERVAL_MS: integer('STATS_INTERVAL_MS', 1_000, 10, 3_600_000),
  RESUMABLE_STREAMS: booleanFlag('RESUMABLE_STREAMS'),
  RESUME_GRACE_MS: integer('RESUME_GRACE_MS', 30_000, 0, 3_600_000),
  RESUME_RETENTION_MS: integer('RESUME_RETENTION_MS', 5 * 60_000, 100, 24 * 3_600_000),
  RESUME_MAX_GENERATIONS: integer('RESUME_MAX_GENERATIONS', 10_000, 1, 10_000_000),
  REDIS_URL: z
    .string()
    .trim()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '') return undefined;
      if (!/^rediss?:\/\//.test(value)) {
        context.addIssue({ code: 'custom', message: 'REDIS_URL must start with redis:// or rediss://' });
        return z.NEVER;
      }
      return value;
    }),
  CACHE: z
    .enum(['none', 'memory', 'redis'], { error: 'CACHE must be none, memory or redis' })
    .optional()
    .default('none'),
  CACHE_TTL_MS: integer('CACHE_TTL_MS', 3_600_000, 1_000, 30 * 86_400_000),
  CACHE_MAX_BYTES: integer('CACHE_MAX_BYTES', 64 * 1024 * 1024, 1024, 8 * 1024 * 1024 * 1024),
  CACHE_PACE: z
    .enum(['instant', 'recorded'], { error: 'CACHE_PACE must be instant or recorded' })
    .optional()
    .default('instant'),
  RATE_LIMIT_PER_MINUTE: integer('RATE_LIMIT_PER_MINUTE', 0, 0, 1_000_000),
  RATE_LIMIT_BURST: integer('RATE_LIMIT_BURST', 0, 0, 1_000_000),
  AGENT_TOOLS: z
    .string()
    .trim()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '') return undefined;
      if (value.toLowerCase() === 'none') return [];
      const names = commaList(value);
      const unknown = names.filter((name) => !(SHIPPED_TOOL_NAMES as readonly string[]).includes(name));
      if (unknown.length > 0) {
        context.addIssue({
          code: 'custom',
          message: `AGENT_TOOLS: no shipped tool named ${unknown.join(', ')} (there are ${SHIPPED_TOOL_NAMES.join(', ')}; or none)`,
        });
        return z.NEVER;
      }
      return [...new Set(names)] as ShippedToolName[];
    }),
  MAX_TOOL_STEPS: integer('MAX_TOOL_STEPS', 5, 1, 100),
  TOOL_TIMEOUT_MS: integer('TOOL_TIMEOUT_MS', 30_000, 1, 3_600_000),
  TOOL_APPROVAL: z
    .string()
    .trim()
    .optional()
    .transform((value, context): 'all' | readonly string[] => {
      if (value === undefined || value === '' || value.toLowerCase() === 'none') return [];
      if (value.toLowerCase() === 'all') return 'all';
      const names = [...new Set(commaList(value))];
      const bad = names.filter((name) => !TOOL_NAME.test(name));
      if (bad.length > 0) {
        context.addIssue({
          code: 'custom',
          message: `TOOL_APPROVAL: ${bad.join(', ')} is not a tool name (letters, digits, _ and -; or all, or none)`,
        });
        return z.NEVER;
      }
      return names;
    }),
  MCP_SERVERS: z
    .string()
    .trim()
    .optional()
    .transform((value, context): readonly McpServerConfig[] => {
      if (value === undefined || value === '') return [];
      try {
        return parseMcpServers(value);
      } catch (error) {
        context.addIssue({ code: 'custom', message: `MCP_SERVERS: ${(error as Error).message}` });
        return z.NEVER;
      }
    }),
  TOOL_APPROVAL_TIMEOUT_MS: integer('TOOL_APPROVAL_TIMEOUT_MS', 300_000, 1_000, 86_400_000),
  PRICES_FILE: z.string().optional(),
  FALLBACK_PROVIDERS: z
    .string()
    .optional()
    .transform((value) => commaList(value)),
  FALLBACK_AFTER_FIRST_CHUNK: z
    .enum(['error', 'continue'], { error: 'FALLBACK_AFTER_FIRST_CHUNK must be error or continue' })
    .optional()
    .default('error'),
  DEPLOYMENTS_FILE: z.string().optional(),
  TOOL_APPROVAL_SECRET: z
    .string()
    .optional()
    .refine((value) => value === undefined || value.trim() === '' || value.trim().length >= 32, {
      message: 'TOOL_APPROVAL_SECRET must be at least 32 characters (or unset: a random one per process)',
    }),
});

/** The agent's settings, validated. Provider variables (`*_API_KEY`, `*_MODEL`, `*_BASE_URL`) stay in `env`. */
export interface AgentConfig {
  port: number;
  host: string;
  logLevel: (typeof logLevels)[number];
  /** Bearer token required on every route but health, when set. Never logged. */
  agentApiKey: string | undefined;
  /** A JSON file of named keys with their models, rate limits and budgets (`AGENT_KEYS`, see `loadAgentKeys`). */
  agentKeysFile: string | undefined;
  /**
   * Origins (besides the agent's own) whose pages may start, read or cancel generations, open the WebSocket and get
   * CORS headers. A request with any other `Origin` is refused with 403 `forbidden`.
   */
  allowedOrigins: string[];
  /**
   * `Host` names (no port) served besides the loopback names; bound to loopback only these and `localhost`,
   * `127.0.0.1`, `[::1]` are served (421 otherwise), against DNS rebinding. Bound wider, only these when set.
   */
  allowedHosts: string[];
  /** Binding beyond loopback without `AGENT_API_KEY` is refused unless this is set. */
  allowUnauthenticated: boolean;
  maxBodyBytes: number;
  maxMessageChars: number;
  maxMessages: number;
  /** Parts (text, images, files) in one message. */
  maxContentParts: number;
  /** Decoded bytes of one inline image or file. */
  maxAttachmentBytes: number;
  pingIntervalMs: number;
  /** Bytes a slow client may have queued (socket buffer plus coalesced text) before it is dropped. */
  maxBufferedBytes: number;
  slowConsumerGraceMs: number;
  firstChunkTimeoutMs: number | undefined;
  idleTimeoutMs: number | undefined;
  totalTimeoutMs: number | undefined;
  maxRetries: number;
  shutdownDrainMs: number;
  statsIntervalMs: number;
  resumableStreams: boolean;
  /** How long a generation runs on with nobody attached before it is cancelled (resumable mode). */
  resumeGraceMs: number;
  /** How long a finished generation stays resumable. */
  resumeRetentionMs: number;
  /** Most generations the in-memory store keeps (finished ones are evicted oldest first). */
  resumeMaxGenerations: number;
  /** Shared store for resumable streams and rate limits across instances. Never logged (it may hold a password). */
  redisUrl: string | undefined;
  /**
   * The response cache (`CACHE`: none, memory or redis, which needs `REDIS_URL`), each answer kept `CACHE_TTL_MS`; the
   * memory store holds `CACHE_MAX_BYTES` at most; a hit replays `CACHE_PACE` (instant, or at the recorded pace).
   */
  cache: { store: 'none' | 'memory' | 'redis'; ttlMs: number; maxBytes: number; pace: 'instant' | 'recorded' };
  /** Requests per minute per client on the generating routes; 0 = no limit. */
  rateLimitPerMinute: number;
  /** Token-bucket size (the burst a client may make); defaults to the per-minute value. */
  rateLimitBurst: number;
  /**
   * The shipped tools `/chat` and the WebSocket run (`AGENT_TOOLS`, comma-separated, or `none`); `undefined` when
   * unset: then all of them, and only for generations on the simulated provider.
   */
  agentTools: readonly ShippedToolName[] | undefined;
  /** Most model steps of one tool loop (`MAX_TOOL_STEPS`). */
  maxToolSteps: number;
  /** Longest one tool call may run (`TOOL_TIMEOUT_MS`). */
  toolTimeoutMs: number;
  /** The tools whose calls wait for a person's decision (`TOOL_APPROVAL`: `all`, names, or none = `[]`). */
  toolApproval: 'all' | readonly string[];
  /** How long a call waits for its decision before it counts as denied (`TOOL_APPROVAL_TIMEOUT_MS`). */
  toolApprovalTimeoutMs: number;
  /**
   * The key that signs the UI message stream's approval requests (`TOOL_APPROVAL_SECRET`); unset, a random one per
   * process, so agents sharing one address need the same value.
   */
  toolApprovalSecret: string | undefined;
  /** A JSON price table over the shipped one (`PRICES_FILE`: `{"provider/model": {input, output, …}}`, USD per million tokens). */
  pricesFile: string | undefined;
  /**
   * Providers to try after the chosen one fails (`FALLBACK_PROVIDERS`, in order, each at its default model), before
   * its first chunk, or with `FALLBACK_AFTER_FIRST_CHUNK=continue` after it too, continuing the partial answer.
   */
  fallback: { providers: readonly string[]; afterFirstChunk: 'error' | 'continue' };
  /** Several deployments per provider, balanced (`DEPLOYMENTS_FILE`: JSON, see `loadDeployments`). */
  deploymentsFile: string | undefined;
  /** The MCP servers whose tools `/chat` and the WebSocket run (`MCP_SERVERS`: inline JSON or a JSON file). */
  mcpServers: readonly McpServerConfig[];
  /** The raw environment, for the provider registry. */
  env: AgentEnv;
}

/**
 * A configuration problem; the message names variables, never their values.
 *
 * @example
 * ```ts
 * try { loadConfig({ PORT: 'eighty' }); } catch (error) { if (error instanceof ConfigError) console.error(error.message); }
 * ```
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads and validates the agent's settings from an environment. Throws {@link ConfigError} naming every bad variable.
 *
 * @example
 * ```ts
 * const config = loadConfig({ PORT: '3000', SSE_PING_MS: '5000' });
 * config.port; // 3000
 * ```
 */
export function loadConfig(env: AgentEnv = process.env): AgentConfig {
  const result = environmentSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => issue.message || `${issue.path.join('.')} is invalid`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const values = result.data;
  if (values.CACHE === 'redis' && !values.REDIS_URL) {
    throw new ConfigError('Invalid configuration: CACHE=redis needs REDIS_URL (or CACHE=memory for this process only)');
  }
  const agentApiKey = values.AGENT_API_KEY?.trim() ? values.AGENT_API_KEY.trim() : undefined;
  return {
    port: values.PORT,
    host: values.HOST || '127.0.0.1',
    logLevel: values.LOG_LEVEL,
    agentApiKey,
    agentKeysFile: values.AGENT_KEYS?.trim() || undefined,
    allowedOrigins: commaList(values.ALLOWED_ORIGINS).map((origin) => origin.replace(/\/+$/, '')),
    allowedHosts: commaList(values.ALLOWED_HOSTS).map((host) => host.toLowerCase()),
    allowUnauthenticated: values.ALLOW_UNAUTHENTICATED,
    maxBodyBytes: values.MAX_BODY_BYTES,
    maxMessageChars: values.MAX_MESSAGE_CHARS,
    maxMessages: values.MAX_MESSAGES,
    maxContentParts: values.MAX_CONTENT_PARTS,
    maxAttachmentBytes: values.MAX_ATTACHMENT_BYTES,
    pingIntervalMs: values.SSE_PING_MS,
    maxBufferedBytes: values.SSE_MAX_BUFFER_BYTES,
    slowConsumerGraceMs: values.SLOW_CONSUMER_GRACE_MS,
    firstChunkTimeoutMs: values.FIRST_CHUNK_TIMEOUT_MS,
    idleTimeoutMs: values.IDLE_TIMEOUT_MS,
    totalTimeoutMs: values.TOTAL_TIMEOUT_MS,
    maxRetries: values.MAX_RETRIES,
    shutdownDrainMs: values.SHUTDOWN_DRAIN_MS,
    statsIntervalMs: values.STATS_INTERVAL_MS,
    resumableStreams: values.RESUMABLE_STREAMS,
    resumeGraceMs: values.RESUME_GRACE_MS,
    resumeRetentionMs: values.RESUME_RETENTION_MS,
    resumeMaxGenerations: values.RESUME_MAX_GENERATIONS,
    redisUrl: values.REDIS_URL,
    rateLimitPerMinute: values.RATE_LIMIT_PER_MINUTE,
    rateLimitBurst: values.RATE_LIMIT_BURST || values.RATE_LIMIT_PER_MINUTE,
    agentTools: values.AGENT_TOOLS,
    maxToolSteps: values.MAX_TOOL_STEPS,
    toolTimeoutMs: values.TOOL_TIMEOUT_MS,
    toolApproval: values.TOOL_APPROVAL,
    toolApprovalTimeoutMs: values.TOOL_APPROVAL_TIMEOUT_MS,
    toolApprovalSecret: values.TOOL_APPROVAL_SECRET?.trim() || undefined,
    pricesFile: values.PRICES_FILE?.trim() || undefined,
    fallback: { providers: values.FALLBACK_PROVIDERS, afterFirstChunk: values.FALLBACK_AFTER_FIRST_CHUNK },
    deploymentsFile: values.DEPLOYMENTS_FILE?.trim() || undefined,
    cache: {
      store: values.CACHE,
      ttlMs: values.CACHE_TTL_MS,
      maxBytes: values.CACHE_MAX_BYTES,
      pace: values.CACHE_PACE,
    },
    mcpServers: values.MCP_SERVERS,
    env,
  };
}

/**
 * True for an address that only this machine can reach: `localhost`, `127.0.0.0/8`, `::1`.
 *
 * @example
 * ```ts
 * isLoopbackHost('127.0.0.1'); // true
 * isLoopbackHost('0.0.0.0'); // false: every interface
 * ```
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/**
 * Refuses to expose the agent (and the API key it holds) to the network without a bearer token: binding beyond
 * loopback needs `AGENT_API_KEY`, or `ALLOW_UNAUTHENTICATED=true` to accept the risk. Throws {@link ConfigError}.
 *
 * @example
 * ```ts
 * assertSafeBind('0.0.0.0', loadConfig({})); // throws: set AGENT_API_KEY
 * ```
 */
export function assertSafeBind(
  host: string,
  config: Pick<AgentConfig, 'agentApiKey' | 'allowUnauthenticated'> & Partial<Pick<AgentConfig, 'agentKeysFile'>>,
): void {
  const keyed = config.agentApiKey !== undefined || config.agentKeysFile !== undefined;
  if (isLoopbackHost(host) || keyed || config.allowUnauthenticated) return;
  throw new ConfigError(
    `HOST=${host} would let anyone on the network use this agent and its provider key: set AGENT_API_KEY (or AGENT_KEYS) to a ` +
      'secret clients must send as Authorization: Bearer <key>, or ALLOW_UNAUTHENTICATED=true to run open anyway, ' +
      'or leave HOST unset to listen on 127.0.0.1 only',
  );
}
