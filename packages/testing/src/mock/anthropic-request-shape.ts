/**
 * What the mock checks of an Anthropic Messages body (`POST /v1/messages`), by `@anthropic-ai/sdk` 1.13's
 * `MessageCreateParams`: the message content blocks (text, image, document, tool_use, tool_result, thinking …) with
 * their sources, `system`, `tools`, `tool_choice`, `output_config` and `metadata` exactly; every other field loosely,
 * so ordinary requests pass.
 */
import { isBase64, sniffMediaType } from '@rxllm/core';
import { z } from 'zod';

const cacheControl = z
  .strictObject({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() })
  .nullable()
  .optional();

const base64Data = z.string().min(1).refine(isBase64, 'expected base64 data (no data: prefix, no whitespace, padded)');

/** Anthropic fetches `url` sources itself, so a `data:` URL (the bytes belong in a base64 source) is refused. */
const fetchableUrl = z.string().regex(/^https?:\/\/\S+$/i, 'expected an http(s) URL');

const imageMediaType = z.enum(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** The API compares a base64 source's declared media type with its bytes. */
function declaredTypeMatches(source: { media_type: string; data: string }, context: z.RefinementCtx): void {
  const sniffed = sniffMediaType(source.data);
  if (sniffed !== undefined && sniffed !== source.media_type) {
    context.addIssue({
      code: 'custom',
      path: ['media_type'],
      message: `the data is ${sniffed}, not the declared ${source.media_type}`,
    });
  }
}

const urlSource = z.strictObject({ type: z.literal('url'), url: fetchableUrl });
const fileSource = z.strictObject({ type: z.literal('file'), file_id: z.string().min(1) });

const imageSource = z.discriminatedUnion('type', [
  z
    .strictObject({ type: z.literal('base64'), media_type: imageMediaType, data: base64Data })
    .superRefine(declaredTypeMatches),
  urlSource,
  fileSource,
]);

const textBlock = z.strictObject({
  type: z.literal('text'),
  text: z.string().min(1, 'text content blocks must be non-empty'),
  cache_control: cacheControl,
  citations: z
    .array(z.looseObject({ type: z.string() }))
    .nullable()
    .optional(),
});

const imageBlock = z.strictObject({
  type: z.literal('image'),
  source: imageSource,
  cache_control: cacheControl,
  transformations: z.looseObject({}).nullable().optional(),
});

const documentSource = z.discriminatedUnion('type', [
  z
    .strictObject({ type: z.literal('base64'), media_type: z.literal('application/pdf'), data: base64Data })
    .superRefine(declaredTypeMatches),
  z.strictObject({ type: z.literal('text'), media_type: z.literal('text/plain'), data: z.string() }),
  z.strictObject({
    type: z.literal('content'),
    content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textBlock, imageBlock]))]),
  }),
  urlSource,
  fileSource,
]);

const documentBlock = z.strictObject({
  type: z.literal('document'),
  source: documentSource,
  cache_control: cacheControl,
  citations: z.looseObject({}).nullable().optional(),
  context: z.string().nullable().optional(),
  title: z.string().nullable().optional(),
});

const toolUseBlock = z.strictObject({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
  caller: z.looseObject({ type: z.string() }).optional(),
  toolset_name: z.string().nullable().optional(),
});

/** A block type of the SDK this check does not look into (server tools, search results …). */
const otherBlock = <TType extends string>(type: TType) => z.looseObject({ type: z.literal(type) });

const toolResultBlock = z.strictObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z
    .union([
      z.string(),
      z.array(
        z.discriminatedUnion('type', [
          textBlock,
          imageBlock,
          documentBlock,
          otherBlock('search_result'),
          otherBlock('tool_reference'),
          otherBlock('browser_state'),
        ]),
      ),
    ])
    .optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
  toolset_name: z.string().nullable().optional(),
});

/** `ContentBlockParam` of the SDK. */
const contentBlock = z.discriminatedUnion('type', [
  textBlock,
  imageBlock,
  documentBlock,
  toolUseBlock,
  toolResultBlock,
  z.strictObject({ type: z.literal('thinking'), thinking: z.string(), signature: z.string() }),
  z.strictObject({ type: z.literal('redacted_thinking'), data: z.string() }),
  otherBlock('search_result'),
  otherBlock('server_tool_use'),
  otherBlock('web_search_tool_result'),
  otherBlock('web_fetch_tool_result'),
  otherBlock('code_execution_tool_result'),
  otherBlock('bash_code_execution_tool_result'),
  otherBlock('text_editor_code_execution_tool_result'),
  otherBlock('tool_search_tool_result'),
  otherBlock('container_upload'),
]);

/** `tool_use` goes in assistant turns, `tool_result` in user turns. */
function blocksFitRole(message: { role: string; content: unknown }, context: z.RefinementCtx): void {
  if (!Array.isArray(message.content)) return;
  message.content.forEach((block: { type?: unknown }, index) => {
    const misplaced =
      (block.type === 'tool_use' && message.role !== 'assistant') ||
      (block.type === 'tool_result' && message.role !== 'user');
    if (misplaced) {
      context.addIssue({
        code: 'custom',
        path: ['content', index, 'type'],
        message: `a ${String(block.type)} block cannot be in a ${message.role} message`,
      });
    }
  });
}

const message = z.discriminatedUnion('role', [
  z
    .strictObject({ role: z.literal('user'), content: z.union([z.string(), z.array(contentBlock)]) })
    .superRefine(blocksFitRole),
  z
    .strictObject({ role: z.literal('assistant'), content: z.union([z.string(), z.array(contentBlock)]) })
    .superRefine(blocksFitRole),
  z.strictObject({ role: z.literal('system'), content: z.union([z.string(), z.array(textBlock)]) }),
]);

const customTool = z.strictObject({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,128}$/, 'expected a tool name of [a-zA-Z0-9_-]'),
  description: z.string().optional(),
  input_schema: z.looseObject({ type: z.literal('object') }),
  type: z.literal('custom').nullable().optional(),
  cache_control: cacheControl,
  strict: z.boolean().optional(),
  allowed_callers: z.array(z.string()).optional(),
  defer_loading: z.boolean().optional(),
  eager_input_streaming: z.boolean().nullable().optional(),
  input_examples: z.array(z.record(z.string(), z.unknown())).optional(),
});

/** Server tools (`web_search_20250305`, `bash_20250124`, `tool_search_tool_bm25` …) are versioned by their type. */
const serverTool = z.looseObject({ type: z.string().regex(/^[a-z_]+_\d{8}$|^tool_search_tool_[a-z0-9]+$/) });

const parallelFlag = { disable_parallel_tool_use: z.boolean().optional() };
const toolChoice = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auto'), ...parallelFlag }),
  z.strictObject({ type: z.literal('any'), ...parallelFlag }),
  z.strictObject({ type: z.literal('tool'), name: z.string().min(1), ...parallelFlag }),
  z.strictObject({ type: z.literal('none') }),
]);

const outputConfig = z.strictObject({
  effort: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).nullable().optional(),
  format: z
    .strictObject({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) })
    .nullable()
    .optional(),
});

/** Fields of other vendors (or of the beta API) that the Messages API refuses as extra inputs. */
const FOREIGN_FIELDS = ['response_format', 'output_format', 'parallel_tool_calls', 'user', 'seed'];

const body = z
  .looseObject({
    messages: z.array(message).optional(),
    system: z.union([z.string(), z.array(textBlock)]).optional(),
    tools: z.array(z.union([customTool, serverTool])).optional(),
    tool_choice: toolChoice.optional(),
    output_config: outputConfig.optional(),
    metadata: z.strictObject({ user_id: z.string().nullable().optional() }).optional(),
  })
  .superRefine((value, context) => {
    for (const field of FOREIGN_FIELDS) {
      if (field in value)
        context.addIssue({ code: 'custom', path: [field], message: 'Extra inputs are not permitted' });
    }
    const choice = value.tool_choice;
    const names = (value.tools ?? []).map((tool) => (tool as { name?: unknown }).name);
    if (choice?.type === 'tool' && !names.includes(choice.name)) {
      context.addIssue({ code: 'custom', path: ['tool_choice', 'name'], message: `no tool named "${choice.name}"` });
    }
  });

/**
 * The issue that explains a failure best: in a union, the deepest issue of the branch that got furthest (the other
 * branches fail at once on a type mismatch), its path prefixed with the union's.
 */
function deepestIssue(issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string } {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return { path: issue.path, message: issue.message };
  let best: { path: PropertyKey[]; message: string } | undefined;
  for (const branch of issue.errors) {
    for (const inner of branch) {
      const candidate = deepestIssue(inner);
      if (best === undefined || candidate.path.length > best.path.length) best = candidate;
    }
  }
  return best ? { path: [...issue.path, ...best.path], message: best.message } : issue;
}

/**
 * What is wrong with an Anthropic Messages body, as a short problem naming the path
 * (`messages.0.content.1.source.media_type: Invalid input: expected "image/jpeg" | …`), or `undefined` for a body of
 * the API's shape. A body that is not a JSON object is not judged here.
 *
 * @example
 * ```ts
 * anthropicRequestProblem({ model: 'claude-sonnet-5-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }); // undefined
 * anthropicRequestProblem({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }] });
 * // 'messages.0.content.0.type: Invalid discriminator value. Expected …'
 * ```
 */
export function anthropicRequestProblem(request: unknown): string | undefined {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) return undefined;
  const result = body.safeParse(request);
  if (result.success) return undefined;
  const first = result.error.issues[0];
  if (first === undefined) return 'invalid request body';
  const { path, message } = deepestIssue(first);
  return path.length === 0 ? message : `${path.map(String).join('.')}: ${message}`;
}
