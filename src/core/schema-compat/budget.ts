/**
 * Bounds a check on attacker-controlled schemas (SPEC §12: a hostile schema gives a bounded
 * run): every unit of work spends a step, every descent a level. Exhaustion throws
 * BudgetExceeded, which the entry point turns into one `undecided` violation.
 */
export class BudgetExceeded extends Error {
  constructor(readonly what: string) {
    super(`compatibility check exceeded its ${what} budget`);
    this.name = 'BudgetExceeded';
  }
}

export interface BudgetLimits {
  /** Work units (keyword comparisons, value evaluations, expansions). */
  readonly steps: number;
  /** Nesting of schema locations followed at once. */
  readonly depth: number;
}

/** About a second at worst; two 200-property schemas need ~3,000 steps, a 100k-value enum ~700,000. */
export const DEFAULT_LIMITS: BudgetLimits = { steps: 1_000_000, depth: 128 };

export class Budget {
  #steps: number;
  #depth = 0;
  readonly #maxDepth: number;

  constructor(limits: BudgetLimits = DEFAULT_LIMITS) {
    this.#steps = limits.steps;
    this.#maxDepth = limits.depth;
  }

  step(n = 1): void {
    this.#steps -= n;
    if (this.#steps < 0) throw new BudgetExceeded('step');
  }

  /** Runs `f` one level deeper. */
  deeper<T>(f: () => T): T {
    if (this.#depth >= this.#maxDepth) throw new BudgetExceeded('depth');
    this.#depth++;
    try {
      return f();
    } finally {
      this.#depth--;
    }
  }
}
