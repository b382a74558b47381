import type { AssistantToolCall, ContentPart, MediaSource, Message } from '@rxllm/core';
import { isImageMediaType, parseDataUrl } from '@rxllm/core';
import type { ToolApprovalDecision } from '@rxllm/tools';
import { z } from 'zod';
import { type ChatLimits, chatOptionFields, parseVendorBody } from '../../generation/chat-request.js';
import { checkContentParts } from '../../generation/content-parts.js';
import { HttpError } from '../../http/errors.js';
import type { ApprovalSigner } from './approval-signature.js';

/** Parts of one UI message at most (an assistant message holds a part per text, reasoning, tool call and step). */
const MAX_PARTS = 1_000;
const MAX_ID_CHARS = 256;

const id = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(MAX_ID_CHARS, { error: `must be at most ${MAX_ID_CHARS} characters` });

/**
 * A part is checked by its own schema below; the list keeps fields it does not know (`providerMetadata`, `state`,
 * whatever a later `ai` release adds), as the AI SDK itself does.
 */
const partSchema = z.looseObject({ type: z.string({ error: 'must be a string' }).max(128) });

const messageSchema = z.looseObject({
  id: z.string({ error: 'must be a string' }).max(MAX_ID_CHARS).optional(),
  role: z.enum(['system', 'user', 'assistant'], { error: 'must be one of system, user, assistant' }),
  parts: z
    .array(partSchema, { error: 'must be an array of parts' })
    .max(MAX_PARTS, { error: `must hold at most ${MAX_PARTS} parts` }),
});

function bodySchema(limits: ChatLimits) {
  return z.strictObject(
    {
      /** The chat's id (useChat's `id`): the resume GET finds the chat's stream by it. */
      id: id.optional(),
      messages: z
        .array(messageSchema, { error: 'must be an array of UI messages {id, role, parts}' })
        .min(1, { error: 'must not be empty' })
        .max(limits.maxMessages, { error: `must hold at most ${limits.maxMessages} messages` }),
      trigger: z
        .enum(['submit-message', 'regenerate-message'], { error: 'must be submit-message or regenerate-message' })
        .optional(),
      messageId: z.string({ error: 'must be a string' }).max(MAX_ID_CHARS).nullish(),
      // The agent's own options, through the transport's `body`.
      ...chatOptionFields,
    },
    { error: 'request body must be a JSON object' },
  );
}

const textPart = z.looseObject({ type: z.literal('text'), text: z.string({ error: 'must be a string' }) });
const filePart = z.looseObject({
  type: z.literal('file'),
  mediaType: z.string({ error: 'must be a media type such as image/png' }).max(255),
  url: z.string({ error: 'must be a data: or https: URL' }),
  filename: z.string({ error: 'must be a string' }).max(255).optional(),
});
const approvalSchema = z.looseObject({
  id: z.string({ error: 'must be a string' }).max(MAX_ID_CHARS),
  approved: z.boolean({ error: 'must be true or false' }).optional(),
  reason: z.string({ error: 'must be a string' }).max(1_000).optional(),
  signature: z.string({ error: 'must be a string' }).max(MAX_ID_CHARS).optional(),
});
const toolPart = z.looseObject({
  type: z.string(),
  toolName: z.string({ error: 'must be a string' }).max(128).optional(),
  toolCallId: id,
  state: z.enum(
    [
      'input-streaming',
      'input-available',
      'approval-requested',
      'approval-responded',
      'output-available',
      'output-error',
      'output-denied',
    ],
    { error: 'must be a tool part state of the AI SDK' },
  ),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  errorText: z.string({ error: 'must be a string' }).optional(),
  approval: approvalSchema.optional(),
});

type ToolPart = z.infer<typeof toolPart>;

/** The tool calls of the last assistant message whose approval was answered: the agent runs or denies them now. */
export interface ApprovedContinuation {
  /** The assistant message the answer goes on (its parts stay on the client; the stream adds to them). */
  messageId: string;
  calls: AssistantToolCall[];
  decisions: ToolApprovalDecision[];
}

/** A validated UI chat request: the conversation in the core's terms and the agent's options. */
export interface UiChatRequest {
  chatId: string | undefined;
  messages: Message[];
  provider: string | undefined;
  model: string | undefined;
  temperature: number | undefined;
  maxTokens: number | undefined;
  /** Present when the request answers tool approvals (`addToolApprovalResponse`) instead of asking anew. */
  continuation: ApprovedContinuation | undefined;
}

function invalid(path: string, message: string): HttpError {
  return new HttpError({ kind: 'invalid-request', message: `${path}: ${message}`, param: 'messages' });
}

function parsePart<T>(schema: z.ZodType<T>, part: unknown, path: string): T {
  const parsed = schema.safeParse(part);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw invalid([path, ...(issue?.path ?? [])].join('.'), issue?.message ?? 'is not valid');
}

/** A file part's bytes: a data: URL inline (base64), an https: URL for the vendor to fetch. */
function fileSource(part: z.infer<typeof filePart>, path: string): MediaSource {
  if (!part.url.startsWith('data:')) return { type: 'url', url: part.url, mediaType: part.mediaType };
  const inline = parseDataUrl(part.url);
  if (!inline) throw invalid(`${path}.url`, 'is not a base64 data: URL');
  return { type: 'base64', data: inline.data, mediaType: part.mediaType };
}

function userContent(parts: readonly unknown[], path: string, limits: ChatLimits): string | ContentPart[] {
  const content: ContentPart[] = [];
  parts.forEach((raw, index) => {
    const at = `${path}.${index}`;
    const { type } = raw as { type: string };
    if (type === 'text') content.push({ type: 'text', text: parsePart(textPart, raw, at).text });
    else if (type === 'file') {
      const part = parsePart(filePart, raw, at);
      const source = fileSource(part, at);
      content.push(
        isImageMediaType(part.mediaType)
          ? { type: 'image', source }
          : { type: 'file', source, ...(part.filename ? { filename: part.filename } : {}) },
      );
    }
    // Sources, data parts and step markers carry nothing for the model.
  });
  const text = content.filter((part) => part.type === 'text');
  if (text.length === content.length) return text.map((part) => (part as { text: string }).text).join('');
  checkContentParts(content, path, limits);
  return content;
}

function partText(parts: readonly unknown[], path: string): string {
  return parts
    .map((raw, index) =>
      (raw as { type: string }).type === 'text' ? parsePart(textPart, raw, `${path}.${index}`).text : '',
    )
    .join('');
}

/** A tool part's tool name: `tool-NAME` (static tools) or `dynamic-tool` with `toolName`. */
function toolNameOf(part: ToolPart, path: string): string {
  const name = part.type === 'dynamic-tool' ? part.toolName : part.type.slice('tool-'.length);
  if (!name || !/^[a-zA-Z0-9_-]{1,64}$/.test(name)) throw invalid(`${path}.type`, 'does not name a tool');
  return name;
}

const isToolPart = (type: string) => type.startsWith('tool-') || type === 'dynamic-tool';

/** What a finished call goes back to the model as, like `toolResultContent` does for the agent's own results. */
function resultContent(part: ToolPart): string | undefined {
  if (part.state === 'output-available') {
    return typeof part.output === 'string' ? part.output : JSON.stringify(part.output ?? null);
  }
  if (part.state === 'output-error') return JSON.stringify({ error: part.errorText ?? 'the tool failed' });
  if (part.state === 'output-denied') {
    return JSON.stringify({ error: `The call was denied${part.approval?.reason ? `: ${part.approval.reason}` : ''}` });
  }
  return undefined;
}

interface AssistantTurn {
  messages: Message[];
  /** The answered approvals of the turn's last step, when the turn is the conversation's last message. */
  answered: Array<{ part: ToolPart; name: string; path: string }>;
}

/**
 * An assistant UI message as the model's history: one assistant message per step (its text and its calls), each
 * followed by the results of its calls. Calls without a result (still streaming, waiting for a decision) are left
 * out: every vendor refuses a call without its result.
 */
function assistantTurn(parts: readonly unknown[], path: string, isLast: boolean): AssistantTurn {
  const messages: Message[] = [];
  let text = '';
  let calls: Array<{ call: AssistantToolCall; result: string }> = [];
  let answered: AssistantTurn['answered'] = [];
  const flush = () => {
    if (text === '' && calls.length === 0) return;
    messages.push({
      role: 'assistant',
      content: text,
      ...(calls.length > 0 ? { toolCalls: calls.map(({ call }) => call) } : {}),
    });
    for (const { call, result } of calls) {
      messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: result });
    }
    text = '';
    calls = [];
  };
  parts.forEach((raw, index) => {
    const at = `${path}.${index}`;
    const { type } = raw as { type: string };
    if (type === 'step-start') {
      flush();
      answered = [];
    } else if (type === 'text') text += parsePart(textPart, raw, at).text;
    else if (isToolPart(type)) {
      const part = parsePart(toolPart, raw, at);
      const name = toolNameOf(part, at);
      const result = resultContent(part);
      const call = { id: part.toolCallId, name, arguments: JSON.stringify(part.input ?? {}) };
      if (result !== undefined) calls.push({ call, result });
      else if (part.state === 'approval-responded' && isLast) answered.push({ part, name, path: at });
    }
  });
  flush();
  return { messages, answered };
}

/**
 * The decisions of the answered approvals: each must carry the signature this agent gave its request, so a page
 * cannot make the agent run a call the model never asked for (or with other arguments).
 */
function continuationOf(
  turn: AssistantTurn,
  messageId: string | undefined,
  signer: ApprovalSigner,
): ApprovedContinuation | undefined {
  if (turn.answered.length === 0) return undefined;
  if (!messageId) throw invalid('messages', 'the assistant message with the approvals needs its id');
  const calls: AssistantToolCall[] = [];
  const decisions: ToolApprovalDecision[] = [];
  for (const { part, name, path } of turn.answered) {
    const { approval } = part;
    if (approval?.approved === undefined) throw invalid(`${path}.approval.approved`, 'is required');
    if (
      !signer.verify({
        approvalId: approval.id,
        toolCallId: part.toolCallId,
        toolName: name,
        input: part.input,
        signature: approval.signature,
      })
    ) {
      throw invalid(
        `${path}.approval`,
        `is not an approval this agent asked for (call ${part.toolCallId} of ${name}, with these arguments)`,
      );
    }
    calls.push({ id: part.toolCallId, name, arguments: JSON.stringify(part.input ?? {}) });
    decisions.push({
      toolCallId: part.toolCallId,
      approved: approval.approved,
      ...(approval.reason ? { reason: approval.reason } : {}),
    });
  }
  return { messageId, calls, decisions };
}

/**
 * A validator of the AI SDK's chat request (`DefaultChatTransport`: `{id, messages, trigger, messageId}` plus the
 * transport's `body`, which may set `provider`, `model`, `temperature` and `maxTokens`). UI messages become the
 * core's messages: user text and files (images by media type), system text, and each assistant step as an assistant
 * message with its calls and their results. A last assistant message whose tool approvals were answered becomes a
 * {@link ApprovedContinuation}. Throws a 400 {@link HttpError} naming the field at fault.
 *
 * @example
 * ```ts
 * const parse = uiChatParser(config, signer);
 * parse({ id: 'chat-1', messages: [{ id: 'm1', role: 'user', parts: [{ type: 'text', text: 'Hi' }] }] });
 * // { chatId: 'chat-1', messages: [{ role: 'user', content: 'Hi' }], continuation: undefined, … }
 * ```
 */
export function uiChatParser(limits: ChatLimits, signer: ApprovalSigner): (raw: unknown) => UiChatRequest {
  const schema = bodySchema(limits);
  return (raw) => {
    const body = parseVendorBody(schema, raw);
    const messages: Message[] = [];
    let continuation: ApprovedContinuation | undefined;
    body.messages.forEach((message, index) => {
      const path = `messages.${index}.parts`;
      const last = index === body.messages.length - 1;
      if (message.role === 'user') {
        const content = userContent(message.parts, path, limits);
        if (typeof content === 'string' && content.length > limits.maxMessageChars) {
          throw invalid(path, `must be at most ${limits.maxMessageChars} characters`);
        }
        messages.push({ role: 'user', content });
      } else if (message.role === 'system') {
        messages.push({ role: 'system', content: partText(message.parts, path) });
      } else {
        const turn = assistantTurn(message.parts, path, last);
        messages.push(...turn.messages);
        continuation = continuationOf(turn, message.id, signer) ?? continuation;
      }
    });
    if (!messages.some((message) => message.role !== 'system')) {
      throw invalid('messages', 'need at least one user or assistant message with content');
    }
    return {
      chatId: body.id,
      messages,
      provider: body.provider,
      model: body.model,
      temperature: body.temperature,
      maxTokens: body.maxTokens,
      continuation,
    };
  };
}
