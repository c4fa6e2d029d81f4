#!/usr/bin/env node
// The npm registry this project installs from does not carry every platform build of some
// optional native packages (e.g. @biomejs/cli-darwin-arm64), so `npm install` leaves them out
// of package-lock.json and `npm ci` then refuses the lock. This adds a stub entry (version,
// os, cpu, libc, optional) for each such package; npm ci skips them on other platforms
// without fetching anything. Run after `npm install` changes the lock.
import { readFileSync, writeFileSync } from 'node:fs';

const PATH = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(PATH, 'utf8'));
const pkgs = lock.packages;
const PLATFORM = /-(android|darwin|linux|win32|freebsd)-(arm64|x64|ia32|arm)(-(musl|gnu))?$/;
let added = 0;
for (const [path, entry] of Object.entries(pkgs)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (pkgs[key] !== undefined) continue;
    const m = PLATFORM.exec(name);
    if (m === null) throw new Error(`${path}: optional ${name} is missing and its platform cannot be told`);
    pkgs[key] = {
      version,
      cpu: [m[2]],
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [m[1]],
      ...(m[4] === 'musl' ? { libc: ['musl'] } : {}),
    };
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
lock.packages = sorted;
writeFileSync(PATH, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lock: added ${added} stub entr${added === 1 ? 'y' : 'ies'}`);
