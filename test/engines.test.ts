/**
 * package.json's `engines` (what users need to run the registry) and `devEngines` (what the
 * test and build toolchain needs) are true of the locked dependency tree: every locked
 * package's own `engines.node` admits the lowest Node they declare, so `npm install` on it
 * prints no EBADENGINE. A dependency bump that drops that Node fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devEngines: { runtime: { name: string; version: string } };
};
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean; optional?: boolean; engines?: { node?: string } | string[] }>;
};

type Version = readonly [number, number, number];

/** `20`, `20.x`, `20.19.0` → its parts and how many were given (x counts as not given). */
function parts(text: string): { v: Version; given: number } {
  const nums = text.split('.').filter((p) => p !== '' && p !== 'x' && p !== '*');
  if (!nums.every((n) => /^\d+$/.test(n))) throw new Error(`cannot read version "${text}"`);
  const [a = 0, b = 0, c = 0] = nums.map(Number);
  return { v: [a, b, c], given: nums.length };
}

const cmp = (x: Version, y: Version) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2];

/** One comparator of a node-semver range (no prereleases, which engines here do not use). */
function admitsOne(op: string, text: string, v: Version): boolean {
  const { v: w, given } = parts(text);
  if (given === 0) return true; // *, x
  const upper: Version =
    op === '^'
      ? w[0] > 0 || given === 1
        ? [w[0] + 1, 0, 0]
        : [0, w[1] + 1, 0]
      : op === '~' || given === 2
        ? [w[0], w[1] + 1, 0]
        : given === 1
          ? [w[0] + 1, 0, 0]
          : [w[0], w[1], w[2] + 1];
  switch (op) {
    case '>=':
      return cmp(v, w) >= 0;
    case '>':
      return given === 3 ? cmp(v, w) > 0 : cmp(v, upper) >= 0;
    case '<':
      return cmp(v, w) < 0;
    case '<=':
      return given === 3 ? cmp(v, w) <= 0 : cmp(v, upper) < 0;
    default: // '^', '~', '=', '' (a bare or x-range version)
      return cmp(v, w) >= 0 && cmp(v, upper) < 0;
  }
}

/** Whether `range` (a node-semver range: `a || b`, each space-separated comparators) admits v. */
function admits(range: string, v: Version): boolean {
  return range.split('||').some((alt) => {
    const comparators = alt
      .trim()
      .replace(/(>=|<=|[<>^~=])\s+/g, '$1')
      .split(/\s+/);
    return comparators.every((c) => {
      const m = /^(>=|<=|[<>^~=]?)v?(.*)$/.exec(c);
      return admitsOne(m?.[1] ?? '', m?.[2] ?? c, v);
    });
  });
}

/** The lowest version a `>=X` or `^X || ...` range admits. */
function floor(range: string): Version {
  const first = /^\s*(?:>=|\^)?\s*v?([\d.]+)/.exec(range);
  if (first?.[1] === undefined) throw new Error(`no lower bound in "${range}"`);
  return parts(first[1]).v;
}

describe('engines', () => {
  const runtime = floor(pkg.engines.node);
  const dev = floor(pkg.devEngines.runtime.version);
  const locked = Object.entries(lock.packages).filter(([path]) => path !== '');

  it('reads the node-semver ranges the lockfile uses', () => {
    expect(admits('>= 22.x', [20, 20, 2])).toBe(false);
    expect(admits('>= 22.x', [22, 0, 0])).toBe(true);
    expect(admits('^20.19.0 || >=22.12.0', [20, 18, 9])).toBe(false);
    expect(admits('^20.19.0 || >=22.12.0', [20, 19, 0])).toBe(true);
    expect(admits('^20.19.0 || >=22.12.0', [22, 11, 0])).toBe(false);
    expect(admits('^16 || ^18 || >=20', [19, 0, 0])).toBe(false);
    expect(admits('^10 || ^12 || ^13.7 || ^14 || >=15.0.1', [13, 7, 0])).toBe(true);
    expect(admits('*', [1, 0, 0])).toBe(true);
    expect(admits('>=14.17', [14, 16, 9])).toBe(false);
  });

  it('the Node running the tests satisfies devEngines', () => {
    const [a = 0, b = 0, c = 0] = process.versions.node.split('.').map(Number);
    expect(admits(pkg.devEngines.runtime.version, [a, b, c])).toBe(true);
    expect(cmp(dev, runtime)).toBeGreaterThanOrEqual(0);
  });

  it('every locked runtime dependency supports the lowest Node in engines', () => {
    const refused = locked
      .filter(([, p]) => p.dev !== true && !Array.isArray(p.engines) && p.engines?.node !== undefined)
      .filter(([, p]) => !admits((p.engines as { node: string }).node, runtime))
      .map(([path, p]) => `${path} (node ${(p.engines as { node: string }).node})`);
    expect(refused, `engines.node ${pkg.engines.node}`).toEqual([]);
  });

  it('every locked package supports the lowest Node in devEngines', () => {
    const refused = locked
      .filter(([, p]) => !Array.isArray(p.engines) && p.engines?.node !== undefined)
      .filter(([, p]) => !admits((p.engines as { node: string }).node, dev))
      .map(([path, p]) => `${path} (node ${(p.engines as { node: string }).node})`);
    expect(refused, `devEngines ${pkg.devEngines.runtime.version}`).toEqual([]);
  });
});
