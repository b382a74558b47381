// The hostile-client scenarios at stress counts (10 never-reading clients per transport with 24 MiB replies, a 50,000-frame flood,
// 200 slow-loris sockets held up to 75 s): the same tests as hostile-clients.test.ts.
process.env.HOSTILE_SCALE = 'stress';
await import('./hostile-clients.test.js');
