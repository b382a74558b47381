export { firstChunkTimeout } from './first-chunk-timeout.js';
export { idleTimeout } from './idle-timeout.js';
export type { StreamTimeoutOptions, TimeoutClock } from './stream-timeout.js';
export { streamTimeout, timeoutError } from './stream-timeout.js';
export { totalTimeout } from './total-timeout.js';
