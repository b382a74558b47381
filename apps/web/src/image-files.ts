import { bytesToBase64, imageName, imageProblem, sniffImageType, thumbnailSize } from './attachments.js';
import type { TurnImage } from './message-content.js';

/** Longest side of a preview, in pixels: sharp at the transcript's 8 rem on a 2× screen, a few KiB as WebP. */
const THUMBNAIL_PIXELS = 256;

/** A file that cannot be attached, with a sentence for the person. */
export class AttachmentError extends Error {
  override readonly name = 'AttachmentError';
}

/**
 * A small `data:` URL preview (WebP where the browser encodes it, PNG otherwise). A `data:` URL, not an object URL:
 * the agent's CSP allows `img-src 'self' data:` only, and a data URL can be saved with the transcript.
 */
async function thumbnail(file: Blob, name: string): Promise<string> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new AttachmentError(`${name} could not be read as an image (is it damaged?).`);
  }
  try {
    const size = thumbnailSize(bitmap.width, bitmap.height, THUMBNAIL_PIXELS);
    const canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, size.width, size.height);
    const webp = canvas.toDataURL('image/webp', 0.8);
    return webp.startsWith('data:image/webp') ? webp : canvas.toDataURL('image/png');
  } finally {
    bitmap.close();
  }
}

/**
 * Reads an admitted file into an image of the next message: its bytes as base64, the type they show (not the one
 * the name suggests) and a preview. Throws an {@link AttachmentError} when the bytes are not a PNG, JPEG, GIF or
 * WebP the browser can decode.
 *
 * @example
 * ```ts
 * const image = await readImageFile(file, 1);
 * preview.src = image.thumbnail ?? '';
 * ```
 */
export async function readImageFile(file: File, ordinal: number): Promise<TurnImage> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const problem = imageProblem(file.name || 'The pasted file', bytes.subarray(0, 16));
  if (problem) throw new AttachmentError(problem);
  const mediaType = sniffImageType(bytes.subarray(0, 16))!;
  const name = imageName(file.name, mediaType, ordinal);
  return { name, mediaType, bytes: bytes.length, data: bytesToBase64(bytes), thumbnail: await thumbnail(file, name) };
}
