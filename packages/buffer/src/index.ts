export type { BufferChunksOptions } from './buffer-chunks.js';
export { bufferChunks } from './buffer-chunks.js';
export type { BufferTextOptions } from './buffer-text.js';
export { bufferText } from './buffer-text.js';
export type { SmoothTextChunking, SmoothTextOptions } from './smooth-text.js';
export { smoothText } from './smooth-text.js';
