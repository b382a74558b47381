import type { CallToolResult, EmbeddedResource, ResourceLink } from '@modelcontextprotocol/sdk/types.js';
import type { ImagePart, TextPart } from '@rxllm/core';

/**
 * An audio clip a tool returned, shaped like core's `ImagePart` (core has no audio part yet).
 *
 * @example
 * ```ts
 * const clip: McpAudioPart = { type: 'audio', source: { type: 'base64', data: 'UklGR…', mediaType: 'audio/wav' } };
 * ```
 */
export interface McpAudioPart {
  type: 'audio';
  source: { type: 'base64'; data: string; mediaType: string };
}

/**
 * One piece of a tool result made of several kinds of content: text and images as core's `TextPart` and
 * `ImagePart` (base64 source), audio as {@link McpAudioPart}, and embedded resources (`resource`) and resource
 * links (`resource_link`) as the MCP server sent them.
 *
 * @example
 * ```ts
 * const parts: McpContentPart[] = [
 *   { type: 'text', text: 'The chart:' },
 *   { type: 'image', source: { type: 'base64', data: 'iVBORw0KGgo=', mediaType: 'image/png' } },
 * ];
 * ```
 */
export type McpContentPart = TextPart | ImagePart | McpAudioPart | EmbeddedResource | ResourceLink;

/**
 * What an MCP tool's `execute` resolves to: the `structuredContent` when the server sent one; else the text when
 * every content block is text (blocks joined by a newline); else the content as {@link McpContentPart}s; `null`
 * for an empty result.
 *
 * @example
 * ```ts
 * const output: McpToolOutput = { celsius: 21 }; // or 'It is 21 °C.', or [textPart, imagePart], or null
 * ```
 */
export type McpToolOutput = Record<string, unknown> | string | McpContentPart[] | null;

type ContentBlock = CallToolResult['content'][number];

function contentPart(block: ContentBlock): McpContentPart {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'image':
      return { type: 'image', source: { type: 'base64', data: block.data, mediaType: block.mimeType } };
    case 'audio':
      return { type: 'audio', source: { type: 'base64', data: block.data, mediaType: block.mimeType } };
    default:
      return block;
  }
}

/** The text of a result's text blocks, joined by a newline. */
export function resultText(result: CallToolResult): string {
  return result.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n');
}

/**
 * Maps a successful `tools/call` result to the tool's output (see {@link McpToolOutput}). A result of the
 * 2024-10-07 protocol (`toolResult`, no content) gives its `toolResult`.
 *
 * @example
 * ```ts
 * toolOutput({ content: [{ type: 'text', text: 'hi' }] }); // 'hi'
 * toolOutput({ content: [], structuredContent: { celsius: 21 } }); // { celsius: 21 }
 * ```
 */
export function toolOutput(result: CallToolResult & { toolResult?: unknown }): McpToolOutput {
  if (result.structuredContent !== undefined) return result.structuredContent;
  const content = result.content ?? [];
  if (content.length === 0) return result.toolResult === undefined ? null : (result.toolResult as McpToolOutput);
  if (content.every((block) => block.type === 'text')) return resultText(result);
  return content.map(contentPart);
}
