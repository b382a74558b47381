// 1,000 disconnects at random points: the same test as cancellation.test.ts at the count.
process.env.DISCONNECTS ??= '1000';
process.env.CANCELLATION_LABEL = 'stress';
await import('./cancellation.test.js');
