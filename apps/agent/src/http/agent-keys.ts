import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { readJsonFile } from '../lib/read-json-file.js';
import { apiKeyHeaderToken, bearerToken, subprotocolToken, tokensMatch } from './auth.js';
import { HttpError } from './errors.js';

/** A named agent key and what it may do (`AGENT_KEYS`); the key itself stays in the {@link KeyRing}. */
export interface AgentKey {
  name: string;
  /** Providers (`openai`) or provider/model pairs (`anthropic/claude-sonnet-5-5`) it may use; any when absent. */
  models?: readonly string[];
  /** Requests per minute for this key, instead of `RATE_LIMIT_PER_MINUTE`. */
  rateLimitPerMinute?: number;
  /** US dollars it may spend per UTC day and per UTC month (the agent's price table). */
  dailyBudgetUsd?: number;
  monthlyBudgetUsd?: number;
}

/** The keys the agent takes: `AGENT_API_KEY` (named `default`, no limits) and the named ones of `AGENT_KEYS`. */
export interface KeyRing {
  /** True when any key is configured: then every non-public request must present one. */
  readonly required: boolean;
  /**
   * The key a request presents (`Authorization: Bearer`, else `x-api-key`, else a WebSocket subprotocol), compared in
   * constant time; undefined when it presents none or an unknown one.
   */
  identify(headers: IncomingHttpHeaders, allowSubprotocol?: boolean): AgentKey | undefined;
  /** True when no key is required or the request presents a known one. */
  authorized(headers: IncomingHttpHeaders, allowSubprotocol?: boolean): boolean;
}

const keyFileSchema = z
  .array(
    z.strictObject({
      key: z.string().min(16, { error: 'must be at least 16 characters' }),
      name: z.string().regex(/^[\w.-]{1,64}$/, { error: 'must be 1 to 64 letters, digits, _ . or -' }),
      models: z.array(z.string().min(1)).optional(),
      rateLimitPerMinute: z.number().int().positive().optional(),
      dailyBudgetUsd: z.number().nonnegative().optional(),
      monthlyBudgetUsd: z.number().nonnegative().optional(),
    }),
    { error: 'must be an array of {key, name, models?, rateLimitPerMinute?, dailyBudgetUsd?, monthlyBudgetUsd?}' },
  )
  .min(1, { error: 'must hold at least one key' });

/** A key with its secret, as `AGENT_KEYS` lists it. */
export type AgentKeyEntry = AgentKey & { key: string };

/**
 * Reads `AGENT_KEYS`. Throws an error naming the field at fault (`3.name`), never a value: the file holds secrets.
 *
 * @example
 * ```ts
 * loadAgentKeys('/etc/rxllm/keys.json'); // [{ key: 'sk-…', name: 'team-a', dailyBudgetUsd: 5 }]
 * ```
 */
export function loadAgentKeys(file: string): AgentKeyEntry[] {
  const entries = readJsonFile('AGENT_KEYS', file, keyFileSchema);
  const names = new Set<string>();
  const keys = new Set<string>();
  entries.forEach((entry, index) => {
    if (names.has(entry.name)) throw new Error(`AGENT_KEYS ${file}: ${index}.name: "${entry.name}" is used twice`);
    if (keys.has(entry.key)) throw new Error(`AGENT_KEYS ${file}: ${index}.key: the same key is listed twice`);
    names.add(entry.name);
    keys.add(entry.key);
  });
  return entries;
}

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * The agent's {@link KeyRing}: `agentApiKey` as the key `default` (no limits) and the `AGENT_KEYS` entries.
 *
 * @example
 * ```ts
 * const keys = createKeyRing(config.agentApiKey, config.agentKeysFile ? loadAgentKeys(config.agentKeysFile) : []);
 * keys.identify({ authorization: 'Bearer sk-team-a…' }); // { name: 'team-a', dailyBudgetUsd: 5 }
 * ```
 */
export function createKeyRing(agentApiKey: string | undefined, entries: readonly AgentKeyEntry[]): KeyRing {
  const byDigest = new Map<string, { key: string; info: AgentKey }>();
  if (agentApiKey !== undefined) byDigest.set(digest(agentApiKey), { key: agentApiKey, info: { name: 'default' } });
  for (const { key, ...info } of entries) byDigest.set(digest(key), { key, info });
  // The auth hook, the rate limit and the route each ask about the same request: its answer is kept with its headers.
  const answers = new WeakMap<IncomingHttpHeaders, { presented: string; key: AgentKey | undefined }>();
  const identify = (headers: IncomingHttpHeaders, allowSubprotocol = false) => {
    const presented =
      bearerToken(headers) ?? apiKeyHeaderToken(headers) ?? (allowSubprotocol ? subprotocolToken(headers) : undefined);
    if (presented === undefined) return undefined;
    const known = answers.get(headers);
    if (known?.presented === presented) return known.key;
    const found = byDigest.get(digest(presented));
    const key = found && tokensMatch(presented, found.key) ? found.info : undefined;
    answers.set(headers, { presented, key });
    return key;
  };
  const required = byDigest.size > 0;
  return {
    required,
    identify,
    authorized: (headers, allowSubprotocol) => !required || identify(headers, allowSubprotocol) !== undefined,
  };
}

/**
 * Whether a key may use a provider and model: its `models` list names the provider or `provider/model`.
 *
 * @example
 * ```ts
 * mayUse({ name: 'a', models: ['openai'] }, 'openai', 'gpt-4.1-mini'); // true
 * ```
 */
export function mayUse(key: AgentKey | undefined, provider: string, model: string): boolean {
  if (!key?.models) return true;
  return key.models.includes(provider) || key.models.includes(`${provider}/${model}`);
}

/**
 * Throws a 403 `forbidden` {@link HttpError} naming what the key may use when it may not use this provider and model.
 *
 * @example
 * ```ts
 * assertMayUse(caller, choice.name, choice.model); // before any upstream request
 * ```
 */
export function assertMayUse(key: AgentKey | undefined, provider: string, model: string): void {
  if (mayUse(key, provider, model)) return;
  throw new HttpError({
    kind: 'forbidden',
    param: 'model',
    message: `key "${key?.name}" may not use ${provider}/${model} (allowed: ${key?.models?.join(', ')})`,
  });
}
