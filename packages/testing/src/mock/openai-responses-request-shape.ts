import { z } from 'zod';
import { checkedString, dataUrlProblem, describeIssue, imageUrlProblem, NAME_PATTERN } from './openai-request-shape.js';

// The OpenAI Responses API request body (`POST /v1/responses`), as `openai` 6.30's types define it. Strict where a
// mapper builds nested shapes (input items and their content parts, `tools`, `tool_choice`, `text.format`), loose
// elsewhere; Chat Completions fields sent here by mistake (`messages`, `max_tokens`, `stop`, …) are refused.

const inputText = z.strictObject({ type: z.literal('input_text'), text: z.string() });
const inputImage = z
  .strictObject({
    type: z.literal('input_image'),
    detail: z.enum(['low', 'high', 'auto', 'original']),
    image_url: checkedString(imageUrlProblem).nullable().optional(),
    file_id: z.string().nullable().optional(),
  })
  .refine((part) => part.image_url != null || part.file_id != null, 'expected image_url or file_id');
const inputFile = z
  .strictObject({
    type: z.literal('input_file'),
    file_data: checkedString((url) => dataUrlProblem(url)).optional(),
    file_id: z.string().nullable().optional(),
    file_url: z.url().optional(),
    filename: z.string().optional(),
  })
  .superRefine((file, context) => {
    if (file.file_data !== undefined && file.filename === undefined) {
      context.addIssue({ code: 'custom', path: ['filename'], message: 'required with file_data' });
    }
    if (file.file_data === undefined && file.file_id == null && file.file_url === undefined) {
      context.addIssue({ code: 'custom', message: 'expected file_data (with filename), file_url or file_id' });
    }
  });
const outputText = z.looseObject({ type: z.literal('output_text'), text: z.string() });
const refusal = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const contentPart = z.discriminatedUnion('type', [inputText, inputImage, inputFile, outputText, refusal]);

const message = z.looseObject({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'system', 'developer', 'assistant']),
  content: z.union([z.string(), z.array(contentPart)]),
});
const functionCall = z.looseObject({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string(),
  arguments: z.string(),
});
const functionCallOutput = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(z.record(z.string(), z.unknown()))]),
});
const otherItem = z.looseObject({
  type: z.enum(['reasoning', 'item_reference', 'compaction', 'web_search_call', 'file_search_call']),
});
const inputItem = z.discriminatedUnion('type', [functionCall, functionCallOutput, otherItem, message]);

const functionTool = z.strictObject({
  type: z.literal('function'),
  name: z.string().regex(NAME_PATTERN, 'expected 1-64 of a-z, A-Z, 0-9, _ and -'),
  description: z.string().nullable().optional(),
  parameters: z.record(z.string(), z.unknown()).nullable(),
  strict: z.boolean().nullable(),
});
const tool = z.union([functionTool, z.looseObject({ type: z.string().refine((type) => type !== 'function') })]);

const textFormat = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text') }),
  z.strictObject({ type: z.literal('json_object') }),
  z.strictObject({
    type: z.literal('json_schema'),
    name: z.string().regex(NAME_PATTERN, 'expected 1-64 of a-z, A-Z, 0-9, _ and -'),
    description: z.string().optional(),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().nullable().optional(),
  }),
]);

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.strictObject({ type: z.literal('function'), name: z.string() }),
  z.looseObject({ type: z.enum(['allowed_tools', 'file_search', 'web_search_preview', 'mcp', 'custom']) }),
]);

const chatOnlyFields = ['messages', 'max_tokens', 'max_completion_tokens', 'stop', 'stream_options', 'response_format'];

const body = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(inputItem)]).optional(),
  instructions: z.string().nullable().optional(),
  max_output_tokens: z.int().min(16).nullable().optional(),
  tools: z.array(tool).optional(),
  tool_choice: toolChoice.optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  text: z.looseObject({ format: textFormat.optional() }).optional(),
  store: z.boolean().nullable().optional(),
  stream: z.boolean().nullable().optional(),
});

/**
 * What is wrong with an OpenAI Responses request body, or `undefined` when it has the API's shape: `model`; `input`
 * as a string or items (messages whose content is a string or `input_text` / `input_image` (with `detail`) /
 * `input_file` parts, `function_call` and `function_call_output` items with a `call_id`); function `tools` (flat:
 * `name`, `parameters`, `strict`); `tool_choice`; `text.format`; `max_output_tokens` ≥ 16; and no Chat Completions
 * field (`messages`, `max_tokens`, `stop`, `response_format`, …). A body that is not a JSON object is not checked.
 *
 * @example
 * ```ts
 * openaiResponsesRequestProblem({ model: 'gpt-5-mini', messages: [] });
 * // "messages: not a Responses API field (Chat Completions only)"
 * ```
 */
export function openaiResponsesRequestProblem(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const chatField = chatOnlyFields.find((name) => Object.hasOwn(input, name));
  if (chatField !== undefined) return `${chatField}: not a Responses API field (Chat Completions only)`;
  const result = body.safeParse(input);
  if (result.success) return undefined;
  return result.error.issues[0] === undefined ? 'invalid body' : describeIssue(result.error.issues[0]);
}
