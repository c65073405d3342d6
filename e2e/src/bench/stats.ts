// Figures the benchmarks print: nearest-rank quantiles, quantiles of a Prometheus histogram
// (as histogram_quantile computes them), and the machine they ran on.
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

/** Nearest-rank quantile of ascending values. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Cumulative bucket counts by upper bound (+Inf last), and the total count. */
export class HistogramSample {
  constructor(
    readonly buckets: [number, number][],
    readonly count: number,
  ) {}

  /** This sample minus an earlier one of the same series: what was observed in between. */
  minus(earlier: HistogramSample): HistogramSample {
    const before = new Map(earlier.buckets);
    return new HistogramSample(
      this.buckets.map(([le, c]) => [le, c - (before.get(le) ?? 0)]),
      this.count - earlier.count,
    );
  }
}

/** Sums a histogram's series (those whose labels include `labels`) from Prometheus text. */
export function parseHistogram(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): HistogramSample {
  const buckets = new Map<number, number>();
  let count = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)\{([^}]*)\}\s+(\S+)$/.exec(line);
    if (!m) continue;
    const lbl = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (!Object.entries(labels).every(([k, v]) => lbl[k] === v)) continue;
    if (m[1] === `${name}_bucket`) {
      const le = lbl.le === '+Inf' ? Infinity : Number(lbl.le);
      buckets.set(le, (buckets.get(le) ?? 0) + Number(m[3]));
    } else if (m[1] === `${name}_count`) count += Number(m[3]);
  }
  return new HistogramSample(
    [...buckets].sort((a, b) => a[0] - b[0]),
    count,
  );
}

/** histogram_quantile: linear interpolation inside the bucket holding the q-th observation. */
export function histogramQuantile(h: HistogramSample, q: number): number {
  if (h.count <= 0 || h.buckets.length === 0) return NaN;
  const rank = q * h.count;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, c] of h.buckets) {
    if (c >= rank) {
      // Above the largest finite bound there is nothing to interpolate to: report that bound.
      if (le === Infinity) return prevLe;
      return prevLe + (le - prevLe) * ((rank - prevCount) / (c - prevCount || 1));
    }
    prevLe = le;
    prevCount = c;
  }
  return prevLe;
}

/** "2 CPUs (nproc), AMD EPYC …, 23.4 GiB memory" */
export function machine(): string {
  let model = cpus()[0]?.model ?? 'unknown CPU';
  try {
    const line = execFileSync('grep', ['-m1', 'model name', '/proc/cpuinfo'], { encoding: 'utf8' });
    model = line.split(':')[1]?.trim() ?? model;
  } catch {
    // not Linux: os.cpus() has it
  }
  let nproc = String(cpus().length);
  try {
    nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    // keep os.cpus()
  }
  return `${nproc} CPUs (nproc), ${model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory`;
}
