import type { StatsSnapshot } from '@rxllm/protocol';
import { ChatError, followStats } from './chat-api.js';
import { sparklinePath } from './sparkline.js';

/** Samples kept for the sparklines: one minute at the agent's one-per-second rate. */
const historyLength = 60;
const reconnectDelayMs = 2000;
const chartSize = { width: 120, height: 32 };

function element<TElement extends Element>(id: string): TElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from index.html`);
  return found as unknown as TElement;
}

function formatMs(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : `${Math.round(value)} ms`;
}

function formatRate(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(1)}k` : value.toFixed(value >= 10 ? 0 : 1);
}

/**
 * The dashboard's tool line: `3 · 1 failed · 4 ms / 12 ms` (calls, failures when any, duration p50 / p95).
 *
 * @example
 * ```ts
 * formatToolCalls({ toolCalls: 0, toolCallsFailed: 0, toolMsP50: null, toolMsP95: null }); // '0'
 * ```
 */
export function formatToolCalls(
  stats: Pick<StatsSnapshot, 'toolCalls' | 'toolCallsFailed' | 'toolMsP50' | 'toolMsP95'>,
): string {
  if (stats.toolCalls === 0) return '0';
  const failed = stats.toolCallsFailed > 0 ? ` · ${stats.toolCallsFailed} failed` : '';
  return `${stats.toolCalls}${failed} · ${formatMs(stats.toolMsP50)} / ${formatMs(stats.toolMsP95)}`;
}

/**
 * US dollars for the dashboard: four decimals below a dollar (a short answer costs fractions of a cent), two above.
 *
 * @example
 * ```ts
 * formatUsd(0.00042); // '$0.0004'
 * formatUsd(12.5); // '$12.50'
 * ```
 */
export function formatUsd(value: number): string {
  return `$${value.toFixed(value < 1 ? 4 : 2)}`;
}

function draw(lineId: string, values: ReadonlyArray<number | null>, max?: number, areaId?: string): void {
  const { line, area } = sparklinePath(values, { ...chartSize, ...(max === undefined ? {} : { max }) });
  element<SVGPathElement>(lineId).setAttribute('d', line);
  if (areaId) element<SVGPathElement>(areaId).setAttribute('d', area);
}

function render(history: readonly StatsSnapshot[]): void {
  const latest = history.at(-1);
  if (!latest) return;
  element<HTMLOutputElement>('stat-active').textContent = String(latest.activeStreams);
  element<HTMLOutputElement>('stat-ttft').textContent = `${formatMs(latest.ttftMsP50)} / ${formatMs(latest.ttftMsP95)}`;
  const chunksLine = document.createElement('span');
  chunksLine.className = 'sub';
  chunksLine.textContent = `${formatRate(latest.chunksPerSecond)} chunks/s`;
  element<HTMLOutputElement>('stat-throughput').replaceChildren(
    `${formatRate(latest.charsPerSecond)} chars/s `,
    chunksLine,
  );
  element('stat-started').textContent = String(latest.streamsStarted);
  element('stat-completed').textContent = String(latest.streamsCompleted);
  element('stat-failed').textContent = String(latest.streamsFailed);
  element('stat-tools').textContent = formatToolCalls(latest);
  element('stat-cost').textContent = formatUsd(latest.costUsd);

  draw(
    'spark-active',
    history.map((sample) => sample.activeStreams),
    undefined,
    'spark-active-area',
  );
  const ttft95 = history.map((sample) => sample.ttftMsP95);
  const ttftMax = Math.max(1, ...ttft95.filter((value): value is number => value !== null));
  draw('spark-ttft95', ttft95, ttftMax);
  draw(
    'spark-ttft50',
    history.map((sample) => sample.ttftMsP50),
    ttftMax,
  );
  draw(
    'spark-chars',
    history.map((sample) => sample.charsPerSecond),
    undefined,
    'spark-chars-area',
  );
}

function setStatus(text: string, live: boolean): void {
  const status = element('stats-status');
  status.textContent = text;
  status.classList.toggle('live', live);
}

/**
 * Keeps the dashboard fed from `GET /stats/stream` for the life of the page, reconnecting every 2 s when the
 * stream drops. `apiKey` is read on every connect so a key entered later is used.
 *
 * @example
 * ```ts
 * startDashboard(() => sessionStorage.getItem('rxllm.apiKey') ?? undefined, new AbortController().signal);
 * ```
 */
export async function startDashboard(apiKey: () => string | undefined, signal: AbortSignal): Promise<void> {
  const history: StatsSnapshot[] = [];
  let refusedKey: string | undefined | null = null;
  while (!signal.aborted) {
    const key = apiKey();
    // After a 401, asking again with the same key would only fill the console with the same refusal.
    if (refusedKey !== null && key === refusedKey) {
      await new Promise((resolve) => setTimeout(resolve, reconnectDelayMs));
      continue;
    }
    refusedKey = null;
    try {
      for await (const sample of followStats({ ...(key ? { apiKey: key } : {}), signal })) {
        setStatus('live', true);
        history.push(sample);
        if (history.length > historyLength) history.shift();
        render(history);
      }
      setStatus('reconnecting…', false);
    } catch (error) {
      if (signal.aborted) return;
      const unauthorized = error instanceof ChatError && error.status === 401;
      if (unauthorized) refusedKey = key;
      setStatus(unauthorized ? 'needs API key' : 'offline, retrying…', false);
    }
    await new Promise((resolve) => setTimeout(resolve, reconnectDelayMs));
  }
}
