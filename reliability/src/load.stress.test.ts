// 1,000 SSE + 1,000 WebSocket streams at once: the same test as load.test.ts at the counts.
process.env.LOAD_SSE ??= '1000';
process.env.LOAD_WS ??= '1000';
process.env.LOAD_LABEL = 'stress';
await import('./load.test.js');
