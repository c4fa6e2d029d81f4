/** What every benchmark module returns to bench/run.ts. */

export interface BenchMetric {
  readonly label: string;
  /** The median over `rounds`. */
  readonly value: number;
  readonly unit: string;
  /** Every round's figure, in run order. */
  readonly rounds: readonly number[];
}

export interface BenchRatio {
  readonly label: string;
  readonly value: number;
}

export interface BenchResult {
  readonly name: string;
  readonly title: string;
  readonly params: Readonly<Record<string, string | number>>;
  readonly metrics: readonly BenchMetric[];
  /** Style guide §9: the bare baseline runs in the same process and the ratio is the figure that matters. */
  readonly ratios: readonly BenchRatio[];
  readonly notes: readonly string[];
}

/** A benchmark that could not run here (a missing tool): printed, never recorded. */
export interface BenchSkipped {
  readonly name: string;
  readonly skipped: string;
}

export type Bench = () => Promise<BenchResult | BenchSkipped>;
