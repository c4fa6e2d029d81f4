/**
 * Tests that need a Debian tool (test/system-packages) declare it here instead of skipping
 * on their own: `describe.skipIf(skipWithout('nats-server'))(...)`. A missing tool skips
 * with its reason on a developer's `npx vitest run`, but fails the file under CI=true and
 * under `npm test` (which installed the tools and sets REGISTRY_TEST_TOOLS=required), so a
 * run that reports green has run the tests that need it.
 */
import { isPresent, readSystemPackages, type SystemPackage } from '../../scripts/system-packages.mjs';

/** Whether a missing tool fails instead of skipping. */
export function toolsRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1' || env.REGISTRY_TEST_TOOLS === 'required';
}

/** The test-scope entry of test/system-packages for `check`; throws for a tool not listed there. */
export function systemPackage(check: string, entries = readSystemPackages()): SystemPackage {
  const entry = entries.find((e) => e.check === check);
  if (entry === undefined || entry.scope !== 'test') {
    throw new Error(
      `${check} is not a "test" tool in test/system-packages: add it there so npm test installs it`,
    );
  }
  return entry;
}

export interface SkipOptions {
  /** Overrides the PATH / file check (e.g. NATS_SERVER_BIN pointing elsewhere). */
  readonly present?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly warn?: (line: string) => void;
}

/**
 * True (skip) when `check` is missing and skipping is allowed, after a warning naming the
 * package; throws when it is missing and toolsRequired(); false when it is present.
 */
export function skipWithout(check: string, opts: SkipOptions = {}): boolean {
  const entry = systemPackage(check);
  if (opts.present ?? isPresent(check)) return false;
  const install = `apt-get install -y ${entry.pkg}`;
  if (toolsRequired(opts.env)) {
    throw new Error(
      `${check} is missing (Debian package ${entry.pkg}, for ${entry.why}); CI=true and npm test do not skip: run \`${install}\` or \`npm test\``,
    );
  }
  (opts.warn ?? console.warn)(`skipped: ${check} is missing (${install}); needed for ${entry.why}`);
  return true;
}
