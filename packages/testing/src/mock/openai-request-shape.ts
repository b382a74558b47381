import { isBase64, parseDataUrl } from '@rxllm/core';
import { z } from 'zod';

// The OpenAI Chat Completions request body, as `openai` 6.30's types and the API's 400s define it. Strict (unknown
// keys and part types refused, as the API does) where a mapper builds nested shapes: message content, tool calls,
// `response_format`, `tool_choice`, `tools`. Loose everywhere else, so ordinary requests pass untouched.

const IMAGE_MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
export const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** What is wrong with a `data:<media type>;base64,<data>` URL, if anything. */
export function dataUrlProblem(url: string, mediaTypes?: readonly string[]): string | undefined {
  const parsed = parseDataUrl(url);
  if (!parsed) return 'expected data:<media type>;base64,<data> (the media type is missing or it is not base64)';
  if (mediaTypes && !mediaTypes.includes(parsed.mediaType)) {
    return `media type ${parsed.mediaType} is not one of ${mediaTypes.join(', ')}`;
  }
  if (parsed.data === '' || !isBase64(parsed.data)) return 'the data after "base64," is not base64';
  return undefined;
}

export function imageUrlProblem(url: string): string | undefined {
  if (/^https?:\/\//i.test(url)) return URL.canParse(url) ? undefined : 'expected a valid http(s) URL';
  if (url.startsWith('data:')) return dataUrlProblem(url, IMAGE_MEDIA_TYPES);
  return 'expected an http(s) URL or a data:image/...;base64, URL';
}

/** A string refined by a check that returns a problem. */
export const checkedString = (check: (value: string) => string | undefined) =>
  z.string().superRefine((value, context) => {
    const problem = check(value);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
  });

const textPart = z.strictObject({ type: z.literal('text'), text: z.string() });
const refusalPart = z.strictObject({ type: z.literal('refusal'), refusal: z.string() });

const imagePart = z.strictObject({
  type: z.literal('image_url'),
  image_url: z.strictObject({
    url: checkedString(imageUrlProblem),
    detail: z.enum(['auto', 'low', 'high']).optional(),
  }),
});

const audioPart = z.strictObject({
  type: z.literal('input_audio'),
  input_audio: z.strictObject({
    data: checkedString((data) => (isBase64(data) ? undefined : 'not base64')),
    format: z.enum(['wav', 'mp3']),
  }),
});

const filePart = z.strictObject({
  type: z.literal('file'),
  file: z
    .strictObject({
      file_data: checkedString((url) => dataUrlProblem(url)).optional(),
      file_id: z.string().optional(),
      filename: z.string().optional(),
    })
    .superRefine((file, context) => {
      // The API answers a `file_data` without `filename` with "Missing required parameter: '….file.file_id'".
      if (file.file_data !== undefined && file.filename === undefined) {
        context.addIssue({ code: 'custom', path: ['filename'], message: 'required with file_data' });
      }
      if (file.file_data === undefined && file.file_id === undefined) {
        context.addIssue({ code: 'custom', message: 'expected file_data (with filename) or file_id' });
      }
    }),
});

const userPart = z.discriminatedUnion('type', [textPart, imagePart, audioPart, filePart]);
const textContent = z.union([z.string(), z.array(textPart).min(1)]);

const toolCall = z.discriminatedUnion('type', [
  z.looseObject({
    id: z.string(),
    type: z.literal('function'),
    function: z.strictObject({ name: z.string(), arguments: z.string() }),
  }),
  z.looseObject({
    id: z.string(),
    type: z.literal('custom'),
    custom: z.strictObject({ name: z.string(), input: z.string() }),
  }),
]);

const assistantMessage = z
  .looseObject({
    role: z.literal('assistant'),
    content: z
      .union([z.string(), z.array(z.discriminatedUnion('type', [textPart, refusalPart])).min(1), z.null()])
      .optional(),
    tool_calls: z.array(toolCall).optional(),
  })
  .superRefine((message, context) => {
    const hasCalls = (message.tool_calls?.length ?? 0) > 0 || message.function_call !== undefined;
    if ((message.content === null || message.content === undefined) && !hasCalls) {
      context.addIssue({ code: 'custom', path: ['content'], message: 'required unless tool_calls is given' });
    }
  });

const message = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content: textContent }),
  z.looseObject({ role: z.literal('developer'), content: textContent }),
  z.looseObject({ role: z.literal('user'), content: z.union([z.string(), z.array(userPart).min(1)]) }),
  assistantMessage,
  z.looseObject({ role: z.literal('tool'), content: textContent, tool_call_id: z.string() }),
  z.looseObject({ role: z.literal('function'), content: z.string().nullable(), name: z.string() }),
]);

const responseFormat = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text') }),
  z.strictObject({ type: z.literal('json_object') }),
  z.strictObject({
    type: z.literal('json_schema'),
    json_schema: z.strictObject({
      name: z.string().regex(NAME_PATTERN, 'expected 1-64 of a-z, A-Z, 0-9, _ and -'),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullable().optional(),
    }),
  }),
]);

const namedToolChoice = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('function'), function: z.strictObject({ name: z.string() }) }),
  z.strictObject({ type: z.literal('custom'), custom: z.strictObject({ name: z.string() }) }),
  z.strictObject({
    type: z.literal('allowed_tools'),
    allowed_tools: z.strictObject({
      mode: z.enum(['auto', 'required']),
      tools: z.array(z.record(z.string(), z.unknown())),
    }),
  }),
]);

const tool = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('function'),
    function: z.strictObject({
      name: z.string().regex(NAME_PATTERN, 'expected 1-64 of a-z, A-Z, 0-9, _ and -'),
      description: z.string().optional(),
      parameters: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullable().optional(),
    }),
  }),
  z.strictObject({ type: z.literal('custom'), custom: z.looseObject({ name: z.string() }) }),
]);

const body = z.looseObject({
  messages: z.array(message).optional(),
  response_format: responseFormat.optional(),
  tool_choice: z.union([z.enum(['none', 'auto', 'required']), namedToolChoice]).optional(),
  tools: z.array(tool).min(1).optional(),
  parallel_tool_calls: z.boolean().optional(),
  seed: z.int().nullable().optional(),
  user: z.string().optional(),
});

type Body = z.infer<typeof body>;
export type Issue = z.core.$ZodIssue;

const pathOf = (path: readonly PropertyKey[]): string => path.map(String).join('.');

/** What a branch of a union expected at its root: a type, or one of some values. */
function expectedOf(issue: Issue): string[] {
  if (issue.code === 'invalid_type') return [issue.expected];
  if (issue.code === 'invalid_value') return [issue.values.map((value) => JSON.stringify(value)).join(' | ')];
  return [];
}

/**
 * One issue as `path: problem`. A union (content is a string or a part list) reports the branch that got furthest,
 * so a bad part says `messages.0.content.1.image_url.url: …` rather than "not a string".
 */
export function describeIssue(issue: Issue, base: readonly PropertyKey[] = []): string {
  const path = [...base, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const firsts = issue.errors.map((branch) => branch[0]).filter((first): first is Issue => first !== undefined);
    const deepest = firsts.reduce<Issue | undefined>(
      (best, first) => (best === undefined || first.path.length > best.path.length ? first : best),
      undefined,
    );
    if (deepest && deepest.path.length > 0) return describeIssue(deepest, path);
    const expected = [...new Set(firsts.flatMap(expectedOf))];
    if (expected.length > 0) return `${pathOf(path)}: expected ${expected.join(' or ')}`;
  }
  return `${pathOf(path)}: ${issue.message.replace(/^Invalid input: /, '')}`;
}

function mentionsJson(messages: Body['messages']): boolean {
  return (messages ?? []).some((entry) => {
    const content: unknown = entry.content;
    if (typeof content === 'string') return /json/i.test(content);
    if (!Array.isArray(content)) return false;
    return content.some(
      (part: { type?: unknown; text?: unknown }) => typeof part.text === 'string' && /json/i.test(part.text),
    );
  });
}

/** The API's rules between fields, which no single field's schema can say. */
function crossFieldProblem(parsed: Body): string | undefined {
  const hasTools = (parsed.tools?.length ?? 0) > 0;
  if (parsed.tool_choice !== undefined && !hasTools) return 'tool_choice: only allowed when tools are specified';
  if (parsed.parallel_tool_calls !== undefined && !hasTools) {
    return 'parallel_tool_calls: only allowed when tools are specified';
  }
  if (parsed.response_format?.type === 'json_object' && !mentionsJson(parsed.messages)) {
    return "messages: must contain the word 'json' in some form, to use 'response_format' of type 'json_object'";
  }
  return undefined;
}

/**
 * What is wrong with an OpenAI Chat Completions request body, or `undefined` when it has the API's shape: message
 * content (a string; `null` only for an assistant message with `tool_calls`; or parts `text`, `image_url` with an
 * http(s) or `data:image/…;base64,` URL, `input_audio`, `file` with a base64 `data:` URL and a `filename`, or a
 * `file_id`), `response_format`, `tool_choice` and `parallel_tool_calls` (only with tools), `tools`, an integer
 * `seed`. A body that is not a JSON object is not checked.
 *
 * @example
 * ```ts
 * openaiRequestProblem({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 42 } }] }] });
 * // 'messages.0.content.0.image_url.url: expected string, received number'
 * ```
 */
export function openaiRequestProblem(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const result = body.safeParse(input);
  if (!result.success)
    return result.error.issues[0] === undefined ? 'invalid body' : describeIssue(result.error.issues[0]);
  return crossFieldProblem(result.data);
}
