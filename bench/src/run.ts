import { parseOptions } from './cli-options.js';
import { type GatewayReport, runGatewayBench } from './gateway.js';

const options = parseOptions(process.argv.slice(2));
const log = (line: string) => console.log(line);
const startedAt = Date.now();
let gateway: GatewayReport | undefined;
if (options.sections.includes('gateway')) {
  gateway = await runGatewayBench({
    quick: options.quick,
    repeats: options.quick ? 1 : 3,
    runMs: options.quick ? 800 : 2000,
    pacedRunMs: options.quick ? 1200 : 3000,
    lengths: options.quick ? [10, 1000] : [10, 100, 1000, 10_000],
    heldStreams: options.quick ? 1000 : 9500,
    subjects: (options.subjects ?? ['direct', 'agent-openai', 'agent-chat', 'portkey']) as never,
    log,
  });
}
console.log(
  JSON.stringify(
    gateway?.subjects.map(({ runs: _runs, ...rest }) => rest),
    null,
    1,
  ),
);
console.log(`done in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
