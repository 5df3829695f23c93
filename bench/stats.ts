/**
 * The statistics every benchmark reports with, in one place: a figure is the
 * median over repeated runs, kept together with each run's value so a reader
 * sees the spread; percentiles of one run's samples (latencies) use the
 * nearest-rank method.
 */

/** Median; the mean of the two middle values for an even count. Throws on no values (a figure from nothing is a bug). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of no values');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples: always one of the samples. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) throw new Error('percentile of no values');
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile must be 0..100, got ${p}`);
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function round(x: number, digits = 2): number {
  return Math.round(x * 10 ** digits) / 10 ** digits;
}

/** One reported figure: the median over runs, the range, and every run's value (rounded alike). */
export interface Figure {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function figure(runs: readonly number[], digits = 2): Figure {
  return {
    median: round(median(runs), digits),
    min: round(Math.min(...runs), digits),
    max: round(Math.max(...runs), digits),
    runs: runs.map((x) => round(x, digits)),
  };
}

/** "12.1 ms (10.3–14.0)": the median, then min–max when the runs differ. */
export function formatFigure(f: Figure, unit = ''): string {
  const u = unit ? ` ${unit}` : '';
  return f.min === f.max ? `${f.median}${u}` : `${f.median}${u} (${f.min}–${f.max})`;
}

/** Runs `fn` `runs` times one after the other (benchmarks must not compete with each other for the cores). */
export async function repeat<T>(runs: number, fn: (run: number) => Promise<T> | T): Promise<T[]> {
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a whole number >= 1, got ${runs}`);
  const out: T[] = [];
  for (let run = 0; run < runs; run++) out.push(await fn(run));
  return out;
}

/**
 * A repeat count from `--<flag> N` on the command line, else the environment variable, else the default.
 * Refuses anything but a whole number >= 1, naming where it came from.
 */
export function runsSetting(name: { flag: string; env: string }, fallback: number, argv = process.argv, env = process.env): number {
  const i = argv.indexOf(`--${name.flag}`);
  const [raw, from] = i !== -1 ? [argv[i + 1], `--${name.flag}`] : env[name.env] !== undefined ? [env[name.env], name.env] : [String(fallback), 'default'];
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${from} must be a whole number >= 1, got ${JSON.stringify(raw)}`);
  return n;
}
