import { balance } from '@rxllm/balance';
import type { Env, Provider, ProviderRegistry } from '@rxllm/core';
import { z } from 'zod';
import { readJsonFile } from '../lib/read-json-file.js';

const deploymentSchema = z.strictObject({
  id: z.string().regex(/^[\w.-]{1,64}$/, { error: 'must be 1 to 64 letters, digits, _ . or -' }),
  weight: z.number().positive({ error: 'must be a number > 0' }).optional(),
  model: z.string().min(1).optional(),
  /** The provider's own variables for this deployment (`OPENAI_BASE_URL`, `OPENAI_API_KEY`, …), over the agent's. */
  env: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/, { error: 'must be an environment variable name' }), z.string()),
});

const poolSchema = z.strictObject({
  strategy: z
    .enum(['weighted', 'least-in-flight', 'lowest-ttft'], { error: 'must be weighted, least-in-flight or lowest-ttft' })
    .optional(),
  breaker: z
    .strictObject({
      failureThreshold: z.number().int().min(1).optional(),
      cooldownMs: z.number().int().min(0).optional(),
    })
    .optional(),
  deployments: z.array(deploymentSchema).min(1, { error: 'must list at least one deployment' }),
});

const fileSchema = z.record(z.string().regex(/^[a-z][\w-]*$/, { error: 'keys are provider names' }), poolSchema);

/** `DEPLOYMENTS_FILE`, validated: per provider name, its deployments and how to balance them. */
export type DeploymentsConfig = z.infer<typeof fileSchema>;

/**
 * Reads `DEPLOYMENTS_FILE`. Throws an error naming the field at fault, never a value (the file holds keys).
 *
 * @example
 * ```ts
 * const deployments = loadDeployments('/etc/rxllm/deployments.json');
 * // { openai: { strategy: 'least-in-flight', deployments: [{ id: 'eu', env: { OPENAI_BASE_URL: '…' } }, …] } }
 * ```
 */
export function loadDeployments(file: string): DeploymentsConfig {
  const deployments = readJsonFile('DEPLOYMENTS_FILE', file, fileSchema);
  for (const [name, pool] of Object.entries(deployments)) {
    const ids = pool.deployments.map((deployment) => deployment.id);
    const twice = ids.find((id, index) => ids.indexOf(id) !== index);
    if (twice) throw new Error(`DEPLOYMENTS_FILE ${file}: ${name}: the deployment id "${twice}" is used twice`);
  }
  return deployments;
}

/** One provider name's deployments as one balanced provider that keeps the name (logs, prices, tools go by it). */
function balancedProvider(
  registry: ProviderRegistry,
  name: string,
  env: Env,
  pool: DeploymentsConfig[string],
): Provider {
  const balanced = balance(
    pool.deployments.map((deployment) => ({
      id: deployment.id,
      provider: registry.create(name, { ...env, ...deployment.env }),
      ...(deployment.weight === undefined ? {} : { weight: deployment.weight }),
      ...(deployment.model === undefined ? {} : { model: deployment.model }),
    })),
    { ...(pool.strategy ? { strategy: pool.strategy } : {}), ...(pool.breaker ? { breaker: pool.breaker } : {}) },
  );
  return { name, defaultModel: balanced.defaultModel, stream: (request) => balanced.stream(request) };
}

/**
 * The registry with `DEPLOYMENTS_FILE` applied: a provider name the file lists is created as `balance()` over its
 * deployments (each from the agent's environment with the deployment's `env` over it), and counts as configured.
 *
 * @example
 * ```ts
 * const registry = withDeployments(defaultRegistry(), loadDeployments(config.deploymentsFile));
 * registry.create('openai', env); // one provider over the file's openai deployments
 * ```
 */
export function withDeployments(registry: ProviderRegistry, deployments: DeploymentsConfig): ProviderRegistry {
  const unknown = Object.keys(deployments).find((name) => !registry.has(name));
  if (unknown) {
    throw new Error(`DEPLOYMENTS_FILE: no provider named "${unknown}" (there are ${registry.names.join(', ')})`);
  }
  const pooled = (name: string) => Object.hasOwn(deployments, name);
  const create = (name: string, env: Env = {}) => {
    const pool = deployments[name];
    return pool ? balancedProvider(registry, name, env, pool) : registry.create(name, env);
  };
  return {
    names: registry.names,
    has: (name) => registry.has(name),
    create,
    configured: (env) => [...new Set([...registry.configured(env), ...Object.keys(deployments)])],
    fromEnv(env = {}, options) {
      // The keys may be in the file only: a pooled LLM_PROVIDER is created here, not checked for its variable.
      const selected = env.LLM_PROVIDER?.trim();
      if (selected && pooled(selected)) {
        return {
          name: selected,
          provider: create(selected, env),
          reason: `LLM_PROVIDER=${selected} (DEPLOYMENTS_FILE)`,
        };
      }
      const resolved = registry.fromEnv(env, options);
      return pooled(resolved.name) ? { ...resolved, provider: create(resolved.name, env) } : resolved;
    },
  };
}
