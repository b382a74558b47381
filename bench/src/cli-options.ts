/** Command-line flags of `pnpm bench`. */
export type Section = 'library' | 'gateway' | 'operators' | 'structured' | 'tools';

export interface BenchOptions {
  quick: boolean;
  sections: Section[];
  /** Gateway subjects to run (default all): `--subjects=direct,portkey`. */
  subjects: string[] | undefined;
  /** Write BENCHMARKS.md and the plot (default true; `--no-report` for trial runs). */
  report: boolean;
  /** Held streams per gateway (`--held=N`; default 9,500 full, 1,000 quick). */
  held: number | undefined;
}

const ALL_SECTIONS: Section[] = ['operators', 'library', 'gateway', 'structured', 'tools'];
/**
 * What a run without `--only` measures: `structured` takes minutes (the AI SDK's side is O(n²)) and `tools` one to two,
 * so only on request.
 */
const DEFAULT_SECTIONS: Section[] = ['operators', 'library', 'gateway'];

export function parseOptions(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = {
    quick: false,
    sections: DEFAULT_SECTIONS,
    subjects: undefined,
    report: true,
    held: undefined,
  };
  for (const argument of argv) {
    if (argument === '--quick') options.quick = true;
    else if (argument === '--no-report') options.report = false;
    else if (argument.startsWith('--only=')) {
      const wanted = argument.slice('--only='.length).split(',');
      for (const section of wanted) {
        if (!ALL_SECTIONS.includes(section as Section))
          throw new Error(`unknown section ${section} (${ALL_SECTIONS.join(', ')})`);
      }
      options.sections = wanted as Section[];
    } else if (argument.startsWith('--subjects=')) options.subjects = argument.slice('--subjects='.length).split(',');
    else if (argument.startsWith('--held=')) options.held = Number(argument.slice('--held='.length));
    else if (argument === '--') continue;
    else
      throw new Error(
        `unknown flag ${argument} (--quick, --only=library|gateway|operators|structured|tools, --subjects=..., --held=N, --no-report)`,
      );
  }
  return options;
}
