import type { RunEnvironment } from './environment.js';
import type { GatewayReport } from './gateway.js';
import type { LibraryReport } from './library.js';
import type { OperatorsReport } from './operators.js';
import type { StructuredReport } from './structured.js';
import type { ToolsReport } from './tools.js';

/** Everything one `pnpm bench` run measured; `results/latest.json` holds it whole. */
export interface BenchResults {
  quick: boolean;
  environment: RunEnvironment;
  operators?: OperatorsReport;
  library?: LibraryReport;
  gateway?: GatewayReport;
  structured?: StructuredReport;
  tools?: ToolsReport;
}
