import type { ImageMediaType } from '@rxllm/core';
import { imagePlaceholder, MAX_MESSAGE_IMAGE_BYTES } from './attachments.js';
import type { ChatMessage } from './chat-api.js';

/** One part of a user message as the agent takes it (`ContentPart` of `@rxllm/core`). */
export type ContentPart = Exclude<Extract<ChatMessage, { role: 'user' }>['content'], string>[number];

/**
 * An image of a user turn. `data` (base64) lives only in the open page: it is never saved, so after a reload the
 * image is its name (and `thumbnail`, a small `data:` URL preview, when it was kept).
 */
export interface TurnImage {
  name: string;
  mediaType: ImageMediaType;
  /** Decoded size of the original. */
  bytes: number;
  data?: string;
  thumbnail?: string;
}

/** One turn of the conversation as the page keeps it: a user turn is its text and its images, in that order. */
export type ConversationMessage =
  | { role: 'system' | 'assistant'; content: string }
  | { role: 'user'; content: string; images?: TurnImage[] };

/**
 * Decoded image bytes re-sent with one request: the question's own images always fit (the composer caps them at
 * the same number), earlier images only while the total stays under it, so the body stays within the agent's limit.
 */
export const IMAGE_CONTEXT_BYTES = MAX_MESSAGE_IMAGE_BYTES;

function textWithPlaceholders(text: string, images: readonly TurnImage[]): string {
  return [text, ...images.map((image) => imagePlaceholder(image.name))].filter((line) => line !== '').join('\n');
}

function imagePart(image: TurnImage, data: string): ContentPart {
  return { type: 'image', source: { type: 'base64', data, mediaType: image.mediaType } };
}

/** The images whose bytes go out: the newest first, until one would pass the budget (older ones never do). */
function imagesToSend(conversation: readonly ConversationMessage[], budgetBytes: number): Set<TurnImage> {
  const sent = new Set<TurnImage>();
  let used = 0;
  for (let index = conversation.length - 1; index >= 0; index -= 1) {
    const message = conversation[index] as ConversationMessage;
    if (message.role !== 'user' || !message.images) continue;
    for (const image of message.images) {
      if (image.data === undefined || used + image.bytes > budgetBytes) return sent;
      used += image.bytes;
      sent.add(image);
    }
  }
  return sent;
}

function toChatMessage(message: ConversationMessage, sent: ReadonlySet<TurnImage>): ChatMessage {
  if (message.role !== 'user') return message;
  const images = message.images ?? [];
  if (!images.some((image) => sent.has(image))) {
    return { role: 'user', content: textWithPlaceholders(message.content, images) };
  }
  const parts: ContentPart[] = message.content === '' ? [] : [{ type: 'text', text: message.content }];
  for (const image of images) {
    const data = sent.has(image) ? image.data : undefined;
    parts.push(data === undefined ? { type: 'text', text: imagePlaceholder(image.name) } : imagePart(image, data));
  }
  return { role: 'user', content: parts };
}

/**
 * The conversation as `POST /chat` takes it. A user turn without images stays a string; one with images becomes
 * parts, its text first, then its images (base64, with the type their bytes show). The newest images are sent
 * while they fit in `budgetBytes` (decoded); an image past it, or whose bytes are gone (a reload), is sent as the
 * text `[image: name]`, so the model still knows one was there.
 *
 * @example
 * ```ts
 * toChatMessages([{ role: 'user', content: 'What is this?', images: [{ name: 'cat.png', mediaType: 'image/png', bytes: 3, data: 'iVBO' }] }]);
 * // [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', source: { type: 'base64', data: 'iVBO', mediaType: 'image/png' } }] }]
 * ```
 */
export function toChatMessages(
  conversation: readonly ConversationMessage[],
  budgetBytes: number = IMAGE_CONTEXT_BYTES,
): ChatMessage[] {
  const sent = imagesToSend(conversation, budgetBytes);
  return conversation.map((message) => toChatMessage(message, sent));
}

/**
 * A turn as it is saved: always a string, each image replaced by `[image: name]` (a tab's storage holds a few MiB,
 * not the images), which is also what is re-sent for it after a reload.
 *
 * @example
 * ```ts
 * storedMessage({ role: 'user', content: 'Look', images: [cat] }); // { role: 'user', content: 'Look\n[image: cat.png]' }
 * ```
 */
export function storedMessage(message: ConversationMessage): { role: ConversationMessage['role']; content: string } {
  if (message.role !== 'user' || !message.images || message.images.length === 0) {
    return { role: message.role, content: message.content };
  }
  return { role: 'user', content: textWithPlaceholders(message.content, message.images) };
}
