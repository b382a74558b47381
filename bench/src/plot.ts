import type { BenchResults } from './results.js';

/**
 * The bench's own plot, a hand-built SVG (no plotting dependency): streams/s and TTFT per gateway, gateway CPU per
 * chunk against response length, and library CPU per 1k chunks.
 */

interface Bar {
  label: string;
  value: number;
  color: string;
}

interface Series {
  label: string;
  color: string;
  points: Array<{ x: number; y: number }>;
}

const COLORS: Record<string, string> = {
  direct: '#7f8c8d',
  'agent-openai': '#2e86de',
  'agent-chat': '#10ac84',
  portkey: '#ee5253',
  'openai-sdk': '#7f8c8d',
  'rxllm-openai': '#54a0ff',
  'rxllm-openai-pipeline': '#2e86de',
  'ai-sdk-openai': '#ee5253',
  'anthropic-sdk': '#95a5a6',
  'rxllm-anthropic': '#1dd1a1',
  'rxllm-anthropic-pipeline': '#10ac84',
  'ai-sdk-anthropic': '#ff6b6b',
};

const WIDTH = 480;
const HEIGHT = 320;
const MARGIN = { top: 40, right: 20, bottom: 90, left: 70 };

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function formatTick(value: number): string {
  if (value >= 1000) return `${(value / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })}k`;
  if (value >= 10) return value.toFixed(0);
  if (value >= 1) return value.toFixed(1);
  return value.toPrecision(1);
}

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function panel(x: number, y: number, title: string, body: string): string {
  return `<g transform="translate(${x},${y})"><rect width="${WIDTH}" height="${HEIGHT}" fill="#fff" stroke="#ddd"/><text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>${body}</g>`;
}

/** Vertical bars; `logScale` for values spanning orders of magnitude (TTFT). */
function barChart(bars: Bar[], axisLabel: string, logScale = false): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const finite = bars.filter((bar) => Number.isFinite(bar.value) && bar.value > 0);
  if (finite.length === 0) return `<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">not measured</text>`;
  const maximum = logScale
    ? 10 ** Math.ceil(Math.log10(Math.max(...finite.map((bar) => bar.value))))
    : niceMax(Math.max(...finite.map((bar) => bar.value)));
  const minimum = logScale ? 10 ** Math.floor(Math.log10(Math.min(...finite.map((bar) => bar.value)))) : 0;
  const scale = (value: number) =>
    logScale
      ? ((Math.log10(value) - Math.log10(minimum)) / (Math.log10(maximum) - Math.log10(minimum))) * plotHeight
      : (value / maximum) * plotHeight;
  const parts: string[] = [];
  const ticks = logScale
    ? Array.from({ length: Math.round(Math.log10(maximum / minimum)) + 1 }, (_, index) => minimum * 10 ** index)
    : [0, 0.25, 0.5, 0.75, 1].map((fraction) => fraction * maximum);
  for (const tick of ticks) {
    const tickY = MARGIN.top + plotHeight - scale(tick || minimum);
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${tickY}" y2="${tickY}" stroke="#eee"/><text x="${MARGIN.left - 6}" y="${tickY + 4}" text-anchor="end" font-size="11">${formatTick(tick)}</text>`,
    );
  }
  const slot = plotWidth / bars.length;
  bars.forEach((bar, index) => {
    const barX = MARGIN.left + index * slot + slot * 0.15;
    const barWidth = slot * 0.7;
    const labelX = barX + barWidth / 2;
    const labelY = MARGIN.top + plotHeight + 12;
    if (Number.isFinite(bar.value) && bar.value > 0) {
      const barHeight = Math.max(1, scale(bar.value));
      const barY = MARGIN.top + plotHeight - barHeight;
      parts.push(
        `<rect x="${barX}" y="${barY}" width="${barWidth}" height="${barHeight}" fill="${bar.color}"/><text x="${labelX}" y="${barY - 4}" text-anchor="middle" font-size="11">${formatTick(bar.value)}</text>`,
      );
    } else {
      parts.push(
        `<text x="${labelX}" y="${MARGIN.top + plotHeight - 6}" text-anchor="middle" font-size="10">n/a</text>`,
      );
    }
    parts.push(
      `<text transform="translate(${labelX},${labelY}) rotate(30)" font-size="11">${escapeXml(bar.label)}</text>`,
    );
  });
  parts.push(
    `<text transform="translate(16,${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(axisLabel)}</text>`,
  );
  return parts.join('');
}

/** Lines on log-x axes (response length). */
function lineChart(series: Series[], xLabel: string, yLabel: string): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom + 30;
  const points = series.flatMap((entry) => entry.points).filter((point) => Number.isFinite(point.y) && point.x > 0);
  if (points.length === 0) return `<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">not measured</text>`;
  const minX = 10 ** Math.floor(Math.log10(Math.min(...points.map((point) => point.x))));
  const maxX = 10 ** Math.ceil(Math.log10(Math.max(...points.map((point) => point.x))));
  const maxY = niceMax(Math.max(...points.map((point) => point.y)));
  const toX = (value: number) =>
    MARGIN.left + ((Math.log10(value) - Math.log10(minX)) / (Math.log10(maxX) - Math.log10(minX) || 1)) * plotWidth;
  const toY = (value: number) => MARGIN.top + plotHeight - (value / maxY) * plotHeight;
  const parts: string[] = [];
  for (const fraction of [0, 0.25, 0.5, 0.75, 1]) {
    const tickY = toY(fraction * maxY);
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${tickY}" y2="${tickY}" stroke="#eee"/><text x="${MARGIN.left - 6}" y="${tickY + 4}" text-anchor="end" font-size="11">${formatTick(fraction * maxY)}</text>`,
    );
  }
  for (let tick = minX; tick <= maxX; tick *= 10) {
    parts.push(
      `<text x="${toX(tick)}" y="${MARGIN.top + plotHeight + 16}" text-anchor="middle" font-size="11">${formatTick(tick)}</text>`,
    );
  }
  series.forEach((entry, index) => {
    const valid = entry.points.filter((point) => Number.isFinite(point.y));
    if (valid.length === 0) return;
    const path = valid
      .map((point, pointIndex) => `${pointIndex === 0 ? 'M' : 'L'}${toX(point.x)},${toY(point.y)}`)
      .join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${entry.color}" stroke-width="2"/>`);
    for (const point of valid)
      parts.push(`<circle cx="${toX(point.x)}" cy="${toY(point.y)}" r="3" fill="${entry.color}"/>`);
    const legendY = MARGIN.top + 4 + index * 15;
    parts.push(
      `<rect x="${MARGIN.left + plotWidth - 150}" y="${legendY - 9}" width="10" height="10" fill="${entry.color}"/><text x="${MARGIN.left + plotWidth - 136}" y="${legendY}" font-size="11">${escapeXml(entry.label)}</text>`,
    );
  });
  parts.push(
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 8}" text-anchor="middle" font-size="12">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(16,${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(yLabel)}</text>`,
  );
  return parts.join('');
}

/** `rxllm-openai-pipeline` → `rxllm openai+ops`: rotated labels must fit under the bars. */
function shortLabel(id: string): string {
  return id
    .replace(/^ai-sdk-/, 'AI SDK ')
    .replace(/^rxllm-/, 'rxllm ')
    .replace(/-pipeline$/, '+ops')
    .replace(/-sdk$/, ' SDK');
}

export function renderPlot(results: BenchResults): string {
  const gatewaySubjects = results.gateway?.subjects ?? [];
  const color = (id: string) => COLORS[id] ?? '#576574';
  const streamsBars = gatewaySubjects.map((subject) => ({
    label: subject.id,
    value: subject.latency.c10?.streamsPerSecond ?? Number.NaN,
    color: color(subject.id),
  }));
  const ttftBars = gatewaySubjects.map((subject) => ({
    label: subject.id,
    value: subject.latency.c1?.ttftP50Ms ?? Number.NaN,
    color: color(subject.id),
  }));
  const lengthSeries = gatewaySubjects
    .filter((subject) => subject.id !== 'direct')
    .map((subject) => ({
      label: subject.id,
      color: color(subject.id),
      points: subject.lengths.map((entry) => ({ x: entry.textEvents, y: entry.gatewayCpuUsPerChunk })),
    }));
  const libraryBars = (results.library?.subjects ?? []).map((subject) => ({
    label: shortLabel(subject.id),
    value: subject.fast?.cpuMsPer1k ?? Number.NaN,
    color: color(subject.id),
  }));
  const panels = [
    panel(0, 0, 'Short streams/s at concurrency 10 (higher is better)', barChart(streamsBars, 'streams/s')),
    panel(WIDTH + 10, 0, 'TTFT p50 at concurrency 1, ms (log scale)', barChart(ttftBars, 'ms', true)),
    panel(
      0,
      HEIGHT + 10,
      'Gateway CPU per chunk vs response length',
      lineChart(lengthSeries, 'text events per response (log)', 'µs CPU per chunk'),
    ),
    panel(
      WIDTH + 10,
      HEIGHT + 10,
      'Library: CPU ms per 1k chunks (lower is better)',
      barChart(libraryBars, 'ms CPU / 1k chunks'),
    ),
  ];
  const totalWidth = WIDTH * 2 + 10;
  const totalHeight = HEIGHT * 2 + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${totalWidth}" height="${totalHeight}" viewBox="0 0 ${totalWidth} ${totalHeight}" font-family="sans-serif">${panels.join('')}</svg>\n`;
}
