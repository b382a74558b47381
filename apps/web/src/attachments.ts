// The rules for images a person attaches to a message, checked in the page before anything is read or sent, so
// a file the agent would refuse is explained at once and the typed text is never lost.

import { type ImageMediaType, isImageMediaType, sniffMediaType } from '@rxllm/core';

/** The agent's default `MAX_ATTACHMENT_BYTES`: decoded bytes of one image. */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

/** The agent takes 20 parts per message (`MAX_CONTENT_PARTS`); one is the text. */
export const MAX_IMAGES_PER_MESSAGE = 19;

/**
 * Decoded bytes of all the images of one message. Base64 grows them by a third, and the agent takes bodies up to
 * 20 MiB (`MAX_BODY_BYTES`): 14 MiB of images is ~18.7 MiB on the wire, leaving room for the text.
 */
export const MAX_MESSAGE_IMAGE_BYTES = 14 * 1024 * 1024;

/**
 * The image type the first bytes of a file show, or `undefined` for none of PNG, JPEG, GIF, WebP: `@rxllm/core`'s
 * `sniffMediaType`, the check the agent makes, so what the page sends is never refused as a mismatch, whatever the
 * file's name or the type the browser guessed from it.
 *
 * @example
 * ```ts
 * sniffImageType(new Uint8Array(await file.slice(0, 12).arrayBuffer())); // 'image/png'
 * ```
 */
export function sniffImageType(head: Uint8Array): ImageMediaType | undefined {
  const mediaType = sniffMediaType(bytesToBase64(head.subarray(0, 16)));
  return isImageMediaType(mediaType) ? mediaType : undefined;
}

/** Tenths, rounded up, so a size just over a limit never reads as the limit itself; `10.0` reads `10`. */
function tenthsUp(value: number): string {
  return String(Math.ceil(value * 10) / 10);
}

/**
 * A byte count for people: `512 B`, `12.4 KiB`, `10 MiB`; rounded up to a tenth, so 10 MiB and one byte is
 * `10.1 MiB`.
 *
 * @example
 * ```ts
 * formatBytes(11 * 1024 * 1024); // '11 MiB'
 * ```
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${tenthsUp(bytes / 1024)} KiB`;
  return `${tenthsUp(bytes / (1024 * 1024))} MiB`;
}

/** What the page knows of a file before reading it (a `File` has all three). */
export interface AttachmentCandidate {
  name: string;
  size: number;
  /** The browser's guess from the name; empty when it has none (some pastes). */
  type: string;
}

/** The images already waiting in the composer. */
export interface PendingImages {
  count: number;
  bytes: number;
}

/** The files that may be read and attached, and one sentence for each that may not. */
export interface AdmittedFiles<TFile extends AttachmentCandidate> {
  admitted: TFile[];
  problems: string[];
}

function unfit(file: AttachmentCandidate): string | undefined {
  if (file.type !== '' && !isImageMediaType(file.type.toLowerCase())) {
    return `${file.name} is not an image the models take (PNG, JPEG, GIF or WebP).`;
  }
  if (file.size === 0) return `${file.name} is empty.`;
  if (file.size > MAX_IMAGE_BYTES) {
    return `${file.name} is ${formatBytes(file.size)}; an image can be at most ${formatBytes(MAX_IMAGE_BYTES)}.`;
  }
  return undefined;
}

/**
 * Sorts new files into those that may join the composer's images and those that may not, with a reason a person
 * can act on: not an image type, empty, over {@link MAX_IMAGE_BYTES}, beyond {@link MAX_IMAGES_PER_MESSAGE}, or
 * beyond {@link MAX_MESSAGE_IMAGE_BYTES} together. A file without a type is admitted: its bytes decide later
 * ({@link imageProblem}). Files are taken in order, so the first ones win when there are too many.
 *
 * @example
 * ```ts
 * const { admitted, problems } = admitFiles([...input.files], { count: 2, bytes: 40_000 });
 * errorLine.textContent = problems.join(' ');
 * ```
 */
export function admitFiles<TFile extends AttachmentCandidate>(
  files: readonly TFile[],
  pending: PendingImages,
): AdmittedFiles<TFile> {
  const admitted: TFile[] = [];
  const problems: string[] = [];
  const overCount: string[] = [];
  let { count, bytes } = pending;
  for (const file of files) {
    const problem = unfit(file);
    if (problem) {
      problems.push(problem);
    } else if (count >= MAX_IMAGES_PER_MESSAGE) {
      overCount.push(file.name);
    } else if (bytes + file.size > MAX_MESSAGE_IMAGE_BYTES) {
      problems.push(
        `${file.name} was not attached: the images of one message can be at most ` +
          `${formatBytes(MAX_MESSAGE_IMAGE_BYTES)} together.`,
      );
    } else {
      admitted.push(file);
      count += 1;
      bytes += file.size;
    }
  }
  if (overCount.length > 0) {
    problems.push(`At most ${MAX_IMAGES_PER_MESSAGE} images per message; not attached: ${overCount.join(', ')}.`);
  }
  return { admitted, problems };
}

/**
 * Why a file's first bytes are not an image the agent takes, or `undefined` when they are one.
 *
 * @example
 * ```ts
 * imageProblem('cat.png', head); // 'cat.png is not a PNG, JPEG, GIF or WebP image.' for a renamed PDF
 * ```
 */
export function imageProblem(name: string, head: Uint8Array): string | undefined {
  return sniffImageType(head) ? undefined : `${name} is not a PNG, JPEG, GIF or WebP image.`;
}

const extensions: Record<ImageMediaType, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/**
 * The name shown for an image: the file's own, or `pasted-image-N.ext` for a nameless paste.
 *
 * @example
 * ```ts
 * imageName('', 'image/png', 2); // 'pasted-image-2.png'
 * ```
 */
export function imageName(fileName: string, mediaType: ImageMediaType, ordinal: number): string {
  const trimmed = fileName.trim();
  return trimmed === '' ? `pasted-image-${ordinal}.${extensions[mediaType]}` : trimmed;
}

/**
 * The text that stands for an image where its bytes are not kept (saved sessions, context over the budget).
 *
 * @example
 * ```ts
 * imagePlaceholder('cat.png'); // '[image: cat.png]'
 * ```
 */
export function imagePlaceholder(name: string): string {
  return `[image: ${name}]`;
}

/**
 * Standard, padded base64 of some bytes (no `data:` prefix), the form the agent takes. Converted in slices, since
 * `String.fromCharCode(...bytes)` of a 10 MiB image would overflow the call stack.
 *
 * @example
 * ```ts
 * bytesToBase64(new Uint8Array([104, 105])); // 'aGk='
 * ```
 */
export function bytesToBase64(bytes: Uint8Array): string {
  const slice = 0x8000;
  let binary = '';
  for (let start = 0; start < bytes.length; start += slice) {
    binary += String.fromCharCode(...bytes.subarray(start, start + slice));
  }
  return btoa(binary);
}

/**
 * The size of a preview that fits in a `max` × `max` square, keeping the aspect ratio, never enlarged, at least
 * 1 × 1.
 *
 * @example
 * ```ts
 * thumbnailSize(1024, 512, 256); // { width: 256, height: 128 }
 * ```
 */
export function thumbnailSize(width: number, height: number, max: number): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height, 1));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
