/** Types of scripts/test.mjs for its test (test/system-packages.test.ts). */
export interface VitestJsonReport {
  readonly numPassedTests: number;
  readonly numFailedTests: number;
  readonly numPendingTests: number;
  readonly numTodoTests: number;
  readonly testResults: ReadonlyArray<{
    readonly status: string;
    readonly assertionResults: ReadonlyArray<{ readonly status: string }>;
  }>;
}
export declare function summarize(report: VitestJsonReport): {
  passed: number;
  failed: number;
  skipped: number;
};
