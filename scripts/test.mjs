// README's test command (`npm test`): installs the Debian packages the suite needs when
// missing (test/system-packages), runs vitest with coverage, and closes with the line
// "N passed, M failed, K skipped" from vitest's JSON report. Extra arguments go to vitest.
//
// Once the packages are in place the suite runs with REGISTRY_TEST_TOOLS=required, so a
// test that would skip for a missing tool fails instead (test/helpers/require-tool.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureSystemPackages, SystemPackagesError } from './system-packages.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPORT = fileURLToPath(new URL('../test-results/vitest.json', import.meta.url));

/** `{ passed, failed, skipped }` from vitest's JSON report; a file that failed to load counts as failed. */
export function summarize(report) {
  const loadFailures = report.testResults.filter(
    (f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'),
  ).length;
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests + loadFailures,
    skipped: report.numPendingTests + report.numTodoTests,
  };
}

const ciMode = () => process.env.CI === 'true' || process.env.CI === '1';

function printSummary() {
  try {
    const c = summarize(JSON.parse(readFileSync(REPORT, 'utf8')));
    console.log(`${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
    if (c.failed > 0) return 1;
    // In CI every test runs: a skip there is a failure (README, Development).
    if (c.skipped > 0 && ciMode()) {
      console.log(`CI=true: ${c.skipped} skipped tests fail the run`);
      return 1;
    }
    return 0;
  } catch (err) {
    console.log(`no test report at ${REPORT} (${err instanceof Error ? err.message : String(err)})`);
    console.log('0 passed, 1 failed, 0 skipped');
    return 1;
  }
}

function main(args) {
  // `--summary`: only the closing line of the last run (.ci/run prints it again at its end).
  if (args[0] === '--summary') return printSummary();
  try {
    ensureSystemPackages(['test']);
  } catch (err) {
    if (!(err instanceof SystemPackagesError)) throw err;
    console.error(`npm test: ${err.message}`);
    return 1;
  }
  rmSync(REPORT, { force: true });
  const vitest = spawnSync(
    process.execPath,
    [
      fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url)),
      'run',
      '--coverage',
      ...args,
    ],
    { cwd: ROOT, stdio: 'inherit', env: { ...process.env, REGISTRY_TEST_TOOLS: 'required' } },
  );
  if (vitest.status !== 0) {
    console.log(
      `vitest exited ${vitest.status ?? vitest.signal}: failed tests, a coverage gate or an error (above)`,
    );
  }
  const summary = printSummary();
  return vitest.status === 0 ? summary : 1;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2));
}
