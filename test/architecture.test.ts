import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * STYLE §1 / SPEC §1: imports point down. Each layer may import only the layers listed
 * (and node: builtins and packages, with core/ limited to no I/O; Biome enforces that part).
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: [],
  store: ['core'],
  registry: ['store', 'core'],
  http: ['registry', 'store', 'core'],
  client: ['core'],
  // SPEC §11: the mirror verifies with the client's checks and ingests into the engine.
  mirror: ['client', 'registry', 'store', 'core'],
  cli: ['http', 'mirror', 'client', 'registry', 'store', 'core'],
};

const SRC = join(import.meta.dirname, '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? files(join(dir, d.name))
      : /\.tsx?$/.test(d.name) && !d.name.endsWith('.test.ts')
        ? [join(dir, d.name)]
        : [],
  );
}

function layerOf(path: string): string {
  return relative(SRC, path).split('/')[0] ?? '';
}

describe('layering', () => {
  const all = files(SRC).filter((f) => layerOf(f) in ALLOWED);

  it('finds every layer', () => {
    expect(new Set(all.map(layerOf))).toEqual(new Set(Object.keys(ALLOWED)));
  });

  it.each(all.map((f) => [relative(SRC, f), f]))('%s imports only the layers below it', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    const from = layerOf(file);
    for (const m of text.matchAll(/from '(\.\.?\/[^']+)'/g)) {
      const target = layerOf(join(file, '..', m[1] as string));
      if (target === from || target === '') continue;
      expect(ALLOWED[from], `${relative(SRC, file)} imports ${m[1]}`).toContain(target);
    }
  });

  it('keeps core free of I/O, environment and clocks', () => {
    for (const file of all.filter((f) => layerOf(f) === 'core')) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/from 'node:(fs|net|http|https|child_process|os|process|dgram|tls)/);
      expect(text, file).not.toMatch(/\bprocess\.env\b|\bDate\.now\(|\bsetTimeout\(|\bsetInterval\(/);
    }
  });
});
