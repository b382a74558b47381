import { startFastUpstream } from './fast-upstream.js';
import { serveRpc } from './processes.js';

/** Fork entry: the bench upstream in a process of its own. */
const upstream = await startFastUpstream();
serveRpc(
  {
    counts: () => ({ requests: upstream.requests(), connections: upstream.connections() }),
    close: () => upstream.close(),
  },
  { port: upstream.port, url: upstream.url },
);
