// The Debian packages the tests and CI need (listed in test/system-packages): which are
// missing, and installing them with apt-get. Plain Node, no dependencies: it runs before
// anything else in `npm test` and `.ci/run`.
//
//   node scripts/system-packages.mjs [--scope test,ci] [--check] [--list FILE]
//
// installs what is missing of the given scopes (default: test) of the list (default:
// test/system-packages), or with --check only reports it; exits 1 with one line naming the command to run when it cannot install.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LIST = fileURLToPath(new URL('../test/system-packages', import.meta.url));

/** apt-get waits for a lock another apt holds instead of failing at once. */
const APT = ['-o', 'DPkg::Lock::Timeout=600'];

export class SystemPackagesError extends Error {}

/** The list's entries: `{ check, pkg, scope, why }`, in file order. */
export function readSystemPackages(file = LIST) {
  const entries = [];
  for (const [i, raw] of readFileSync(file, 'utf8').split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [check, pkg, scope, ...why] = line.split(/\s+/);
    if (pkg === undefined || (scope !== 'test' && scope !== 'ci')) {
      throw new SystemPackagesError(`${file}:${i + 1}: expected "<check> <package> test|ci <why>"`);
    }
    entries.push({ check, pkg, scope, why: why.join(' ') });
  }
  return entries;
}

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Whether a check holds: an absolute path exists (file or directory), or a command is on PATH. */
export function isPresent(check) {
  if (isAbsolute(check)) return existsSync(check);
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter((d) => d !== '')
    .some((d) => executable(join(d, check)));
}

/** The entries of the given scopes whose check fails. */
export function missingPackages(scopes = ['test'], entries = readSystemPackages()) {
  return entries.filter((e) => scopes.includes(e.scope) && !isPresent(e.check));
}

function apt(args) {
  const r = spawnSync('apt-get', [...APT, ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0) {
    throw new SystemPackagesError(
      `apt-get ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`,
    );
  }
}

/**
 * Installs the missing packages of `scopes` (apt-get update once, then apt-get install -y),
 * or throws a SystemPackagesError whose message is one line naming the command to run.
 * Returns the packages it installed; none (and no apt-get call) when everything is present.
 */
export function ensureSystemPackages(
  scopes = ['test'],
  log = (line) => console.error(line),
  entries = readSystemPackages(),
) {
  const missing = missingPackages(scopes, entries);
  if (missing.length === 0) return [];
  const pkgs = [...new Set(missing.map((e) => e.pkg))];
  const command = `apt-get update && apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
  const root = process.getuid?.() === 0;
  if (!root || !isPresent('apt-get')) {
    const run = root ? command : `sudo sh -c '${command}'`;
    throw new SystemPackagesError(
      `missing ${missing.map((e) => e.check).join(', ')} and cannot install (${root ? 'no apt-get' : 'not root'}); run: ${run}`,
    );
  }
  log(`system packages: installing ${pkgs.join(' ')} (for ${missing.map((e) => e.check).join(', ')})`);
  apt(['update', '-q']);
  apt(['install', '-y', '-q', '--no-install-recommends', ...pkgs]);
  const still = missingPackages(scopes, entries);
  if (still.length > 0) {
    throw new SystemPackagesError(
      `installed ${pkgs.join(' ')} but still missing: ${still.map((e) => `${e.check} (${e.pkg})`).join(', ')}`,
    );
  }
  return pkgs;
}

function main(argv) {
  const arg = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const scopes = (arg('--scope') ?? 'test').split(',');
  const entries = readSystemPackages(arg('--list') ?? LIST);
  if (argv.includes('--check')) {
    const missing = missingPackages(scopes, entries);
    for (const e of missing) console.log(`missing ${e.check} (Debian package ${e.pkg}): ${e.why}`);
    return missing.length === 0 ? 0 : 1;
  }
  try {
    ensureSystemPackages(scopes, undefined, entries);
    return 0;
  } catch (err) {
    if (!(err instanceof SystemPackagesError)) throw err;
    console.error(`system packages: ${err.message}`);
    return 1;
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2));
}
