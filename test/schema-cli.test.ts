/**
 * `registry schema validate|check|diff` in process against a real server, and the SPEC §5
 * `details` every refusing command prints.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, writeKeys } from './helpers/cli-inproc.js';
import { KEYS, tempDir } from './helpers/fixtures.js';
import { TICKS_V1 } from './helpers/schema-fixtures.js';
import { ALL_SCOPES, startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let dir: { path: string; cleanup: () => void };
let keys: string[];
let env: Record<string, string>;
const at = (name: string) => join(dir.path, name);

function writeJson(name: string, value: unknown): string {
  writeFileSync(at(name), JSON.stringify(value));
  return at(name);
}

/** draft → propose (two keys) → apply, through the CLI. */
async function register(id: string, body: unknown): Promise<void> {
  const file = at(`${id}.json`);
  const d = await cli(
    ['draft', '--id', id, '--kind', 'schema', '--body', writeJson(`${id}-body.json`, body), '--out', file],
    env,
  );
  expect(d.code, d.stderr).toBe(0);
  const p = await cli(
    ['propose', '--file', file, '--key', keys[0] as string, '--key', keys[1] as string],
    env,
  );
  expect(p.code, p.stderr).toBe(0);
  const pid = (await cli(['digest', '--file', file])).stdout.trim();
  expect((await cli(['apply', '--proposal', pid], env)).code).toBe(0);
}

beforeAll(async () => {
  server = await startTestServer({ WRITE_RATE: '1000' });
  dir = tempDir('registry-schema-cli-');
  keys = writeKeys(dir.path, KEYS);
  env = { REGISTRY_URL: server.url, REGISTRY_TOKEN: server.token(ALL_SCOPES) };
  await register('ticks', TICKS_V1);
});

afterAll(async () => {
  await server.stop();
  dir.cleanup();
});

describe('registry schema validate', () => {
  it('exits 0 for valid data and 1 with every error for invalid data', async () => {
    const good = await cli(
      ['schema', 'validate', '--id', 'ticks', '--data', writeJson('good.json', { symbol: 'ACME', price: 1 })],
      env,
    );
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^valid against ticks v1 \([0-9a-f]{12}\)/);
    const bad = await cli(
      [
        'schema',
        'validate',
        '--id',
        'ticks',
        '--version',
        '1',
        '--data',
        writeJson('bad.json', { price: 'x' }),
      ],
      env,
    );
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('INVALID against ticks v1');
    expect(bad.stdout).toContain("/: must have required property 'symbol' (#/required)");
    expect(bad.stdout).toContain('/price: must be number (#/properties/price/type)');
    const json = await cli(['schema', 'validate', '--id', 'ticks', '--data', at('bad.json'), '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: false, id: 'ticks', version: 1 });
  });

  it('exits 1 with NotFound for an id that is not a schema, 2 without --data', async () => {
    const r = await cli(['schema', 'validate', '--id', 'governance', '--data', at('good.json')], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('NotFound');
    expect((await cli(['schema', 'validate', '--id', 'ticks'], env)).code).toBe(2);
  });
});

describe('a refused proposal', () => {
  it('prints every detail of the envelope, on stderr and with --json', async () => {
    const file = at('broken.json');
    const body = {
      format: 'json-schema',
      schema: { type: 'object', colour: 'red', properties: { a: { type: 'strin' } } },
    };
    // draft checks the shape only; the schema itself is compiled by the server.
    expect(
      (
        await cli(
          ['draft', '--id', 'broken', '--kind', 'schema', '--body', writeJson('b.json', body), '--out', file],
          env,
        )
      ).code,
    ).toBe(0);
    const p = await cli(['propose', '--file', file, '--key', keys[0] as string], env);
    expect(p.code).toBe(1);
    expect(p.stderr).toContain('BadRequest');
    expect(p.stderr).toContain('  /descriptor/body/schema/colour: unknown keyword "colour"');
    expect(p.stderr).toContain('  /descriptor/body/schema/properties/a/type:');
    const j = await cli(['propose', '--file', file, '--key', keys[0] as string, '--json'], env);
    const details = (JSON.parse(j.stdout) as { error: { details: Array<{ path: string }> } }).error.details;
    expect(details.map((d) => d.path)).toContain('/descriptor/body/schema/colour');
  });
});

describe('registry schema check and diff flags', () => {
  it('refuses a mode or policy that does not exist (exit 2)', async () => {
    const f = writeJson('cand.json', TICKS_V1);
    expect(
      (await cli(['schema', 'check', '--id', 'ticks', '--file', f, '--mode', 'SIDEWAYS'], env)).code,
    ).toBe(2);
    expect(
      (await cli(['schema', 'diff', '--id', 'ticks', '--from', '1', '--to', '1', '--policy', 'loose'], env))
        .code,
    ).toBe(2);
    expect((await cli(['schema', 'diff', '--id', 'ticks', '--from', '1'], env)).code).toBe(2);
  });
});

describe('registry schema check and diff', () => {
  const v2 = { ...TICKS_V1, schema: { ...TICKS_V1.schema, required: ['symbol', 'price'] } };

  it('check: exit 1 with every violation for a breaking candidate, 0 for a compatible one', async () => {
    const bad = await cli(['schema', 'check', '--id', 'ticks', '--file', writeJson('v2.json', v2)], env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('ticks candidate: INCOMPATIBLE under BACKWARD (strict) against v1');
    expect(bad.stdout).toMatch(/^ {2}v1 {2}required-added {2}\/required: /m);
    const lenient = await cli(
      [
        'schema',
        'check',
        '--id',
        'ticks',
        '--file',
        at('v2.json'),
        '--mode',
        'FORWARD',
        '--policy',
        'lenient',
        '--against',
        '1',
      ],
      env,
    );
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain('compatible under FORWARD (lenient) against v1');
    const json = await cli(
      ['schema', 'check', '--id', 'ticks', '--file', at('v2.json'), '--against', 'all', '--json'],
      env,
    );
    expect(JSON.parse(json.stdout)).toMatchObject({ compatible: false, against: [1] });
  });

  it('check: reads the body out of a drafted descriptor file', async () => {
    const file = at('ticks-next.json');
    const d = await cli(
      ['draft', '--id', 'ticks', '--body', writeJson('same.json', TICKS_V1), '--out', file],
      env,
    );
    expect(d.code, d.stderr).toBe(0);
    const r = await cli(['schema', 'check', '--id', 'ticks', '--file', file, '--against', 'latest'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('compatible under BACKWARD (strict) against v1');
  });

  it('diff: the verdict between two stored versions', async () => {
    await register('prices', TICKS_V1);
    const file = at('prices-2.json');
    const loosened = { ...v2, compatibility: 'NONE' };
    // v2 loosens the mode (same document), so v3 may require price.
    expect(
      (
        await cli(
          [
            'draft',
            '--id',
            'prices',
            '--body',
            writeJson('p2.json', { ...TICKS_V1, compatibility: 'NONE' }),
            '--out',
            file,
          ],
          env,
        )
      ).code,
    ).toBe(0);
    expect(
      (await cli(['propose', '--file', file, '--key', keys[0] as string, '--key', keys[1] as string], env))
        .code,
    ).toBe(0);
    expect(
      (await cli(['apply', '--proposal', (await cli(['digest', '--file', file])).stdout.trim()], env)).code,
    ).toBe(0);
    const file3 = at('prices-3.json');
    expect(
      (await cli(['draft', '--id', 'prices', '--body', writeJson('p3.json', loosened), '--out', file3], env))
        .code,
    ).toBe(0);
    expect(
      (await cli(['propose', '--file', file3, '--key', keys[0] as string, '--key', keys[1] as string], env))
        .code,
    ).toBe(0);
    expect(
      (await cli(['apply', '--proposal', (await cli(['digest', '--file', file3])).stdout.trim()], env)).code,
    ).toBe(0);
    const diff = await cli(['schema', 'diff', '--id', 'prices', '--from', '1', '--to', '3'], env);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('prices v1 → v3: INCOMPATIBLE under BACKWARD (strict) against v1');
    const same = await cli(['schema', 'diff', '--id', 'prices', '--from', '1', '--to', '2', '--json'], env);
    expect(same.code).toBe(0);
    expect(JSON.parse(same.stdout)).toMatchObject({ compatible: true, mode: 'BACKWARD' });
  });
});
