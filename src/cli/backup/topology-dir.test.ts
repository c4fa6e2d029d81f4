import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/fixtures.js';
import { canonicalJson } from '../../core/index.js';
import { type DirFormat, readTopologyDir, renderFile } from './topology-dir.js';

describe('topology files', () => {
  describe('when a file is written and read back', () => {
    it('keeps the body canonically equal, in JSON and in YAML (no implicit dates, octals or booleans)', () => {
      const dir = tempDir('registry-topology-');
      try {
        fc.assert(
          fc.property(
            fc.jsonValue(),
            fc.boolean(),
            fc.constantFrom<DirFormat>('json', 'yaml'),
            (body, deprecated, format) => {
              const doc = {
                id: 'svc-a',
                kind: 'service',
                body,
                ...(deprecated ? { deprecated: true as const } : {}),
              };
              writeFileSync(join(dir.path, `svc-a.${format}`), renderFile(doc, format));
              const back = readTopologyDir(dir.path).get('svc-a');
              rmSync(join(dir.path, `svc-a.${format}`));
              return (
                back !== undefined &&
                back.deprecated === deprecated &&
                canonicalJson(back.body) === canonicalJson(body)
              );
            },
          ),
          { numRuns: 100 },
        );
      } finally {
        dir.cleanup();
      }
    });

    it('reads YAML strings that look like other types as strings', () => {
      const dir = tempDir('registry-topology-');
      try {
        const body = { a: 'yes', b: '0o17', c: '2026-01-01', d: 'null', e: '1e3', f: 'on' };
        writeFileSync(join(dir.path, 'x.yaml'), renderFile({ id: 'x', kind: 'node', body }, 'yaml'));
        expect(readTopologyDir(dir.path).get('x')?.body).toEqual(body);
      } finally {
        dir.cleanup();
      }
    });
  });

  describe('when two files hold one id', () => {
    it('is a usage error naming both', () => {
      const dir = tempDir('registry-topology-');
      try {
        const doc = { id: 'x', kind: 'node', body: {} };
        writeFileSync(join(dir.path, 'x.json'), renderFile(doc, 'json'));
        writeFileSync(join(dir.path, 'x.yaml'), renderFile(doc, 'yaml'));
        writeFileSync(join(dir.path, 'README.md'), '# not a descriptor');
        expect(() => readTopologyDir(dir.path)).toThrow(/x.json and x.yaml both hold x/);
      } finally {
        dir.cleanup();
      }
    });
  });
});
