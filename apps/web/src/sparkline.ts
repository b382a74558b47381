/** Where to draw: the SVG viewBox size and the value range (the top defaults to the largest value). */
export interface SparklineOptions {
  width: number;
  height: number;
  /** Upper end of the y axis; defaults to the largest value (at least 1, so flat zero lines sit on the bottom). */
  max?: number;
}

/**
 * The SVG path (`d` attribute) of a sparkline through `values`, oldest on the left; `null` values leave a gap.
 * Returns `{ line, area }`: the stroke and the filled area under it. Pure: no DOM needed.
 *
 * @example
 * ```ts
 * const { line } = sparklinePath([1, 3, 2], { width: 100, height: 20 });
 * path.setAttribute('d', line); // "M0,13.33L50,0L100,6.67"
 * ```
 */
export function sparklinePath(
  values: ReadonlyArray<number | null>,
  options: SparklineOptions,
): { line: string; area: string } {
  const finite = values.filter((value): value is number => value !== null && Number.isFinite(value));
  const max = options.max ?? Math.max(1, ...finite);
  const step = values.length > 1 ? options.width / (values.length - 1) : 0;
  const round = (value: number) => Math.round(value * 100) / 100;
  const y = (value: number) => round(options.height - (Math.min(Math.max(value, 0), max) / max) * options.height);
  let line = '';
  let area = '';
  let segment: Array<[number, number]> = [];
  const closeSegment = () => {
    if (segment.length === 0) return;
    const [firstX] = segment[0]!;
    const [lastX] = segment[segment.length - 1]!;
    const points = segment.map(([x, pointY], index) => `${index === 0 ? 'M' : 'L'}${x},${pointY}`).join('');
    line += points;
    area += `${points}L${lastX},${options.height}L${firstX},${options.height}Z`;
    segment = [];
  };
  for (const [index, value] of values.entries()) {
    if (value === null || !Number.isFinite(value)) closeSegment();
    else segment.push([round(index * step), y(value)]);
  }
  closeSegment();
  return { line, area };
}
