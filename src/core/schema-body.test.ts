import { describe, expect, it } from 'vitest';
import { RegistryError } from './errors.js';
import { modeOf, parseContracts, parseSchemaBody } from './schema-body.js';

function details(f: () => unknown): Array<{ path: string; message: string }> {
  try {
    f();
  } catch (err) {
    if (err instanceof RegistryError && err.code === 'BadRequest') return [...(err.details ?? [])];
    throw err;
  }
  return [];
}

describe('parseSchemaBody', () => {
  it('accepts the SPEC §12 example', () => {
    const body = {
      format: 'json-schema',
      schema: { type: 'object' },
      compatibility: 'FULL_TRANSITIVE',
      policy: 'lenient',
      description: 'ticks',
      references: [{ ref: 'https://schemas.example/common/money', id: 'money', version: 3 }],
    };
    expect(parseSchemaBody(body)).toBe(body);
    expect(modeOf(parseSchemaBody(body))).toEqual({ mode: 'FULL_TRANSITIVE', policy: 'lenient' });
    expect(modeOf(parseSchemaBody({ format: 'json-schema', schema: {} }))).toEqual({
      mode: 'BACKWARD',
      policy: 'strict',
    });
  });

  it('reports every problem at once, with JSON Pointers', () => {
    const found = details(() =>
      parseSchemaBody({
        format: 'avro',
        schema: [],
        compatibility: 'SIDEWAYS',
        policy: 'loose',
        description: '',
        extra: 1,
        references: [
          { ref: 'not a uri', id: '/bad', version: 0 },
          { ref: 'https://a.example/x#frag', id: 'a', version: 1 },
          { ref: 'https://a.example/y', id: 'a', version: 1 },
          { ref: 'https://a.example/y', id: 'b', version: 2 },
          'x',
          { id: 'c' },
        ],
      }),
    );
    expect(found.map((d) => d.path)).toEqual([
      '/descriptor/body/extra',
      '/descriptor/body/format',
      '/descriptor/body/schema',
      '/descriptor/body/compatibility',
      '/descriptor/body/policy',
      '/descriptor/body/description',
      '/descriptor/body/references/0/id',
      '/descriptor/body/references/0/version',
      '/descriptor/body/references/0/ref',
      '/descriptor/body/references/1/ref',
      '/descriptor/body/references/3/ref',
      '/descriptor/body/references/4',
      '/descriptor/body/references/5/ref',
      '/descriptor/body/references/5/version',
    ]);
    expect(details(() => parseSchemaBody('x'))).toEqual([
      { path: '/descriptor/body', message: 'must be an object' },
    ]);
    expect(details(() => parseSchemaBody({ format: 'json-schema' }))).toEqual([
      { path: '/descriptor/body/schema', message: 'is required' },
    ]);
  });

  it('summarises the first problem in the message', () => {
    expect(() => parseSchemaBody({ format: 'x', schema: 1 })).toThrowRegistryError(
      'BadRequest',
      '/descriptor/body/format: must be "json-schema" (and 1 more problem)',
    );
  });

  it('bounds references at 32', () => {
    const references = Array.from({ length: 33 }, (_, i) => ({
      ref: `https://a.example/${i}`,
      id: 'a',
      version: 1,
    }));
    expect(details(() => parseSchemaBody({ format: 'json-schema', schema: {}, references }))[0]?.path).toBe(
      '/descriptor/body/references',
    );
  });
});

describe('parseContracts', () => {
  it('accepts up to 16 distinct pins and refuses repeats, extras and more than 16', () => {
    expect(parseContracts([{ id: 'a', version: 1 }], '/c')).toHaveLength(1);
    expect(
      details(() =>
        parseContracts(
          [
            { id: 'a', version: 1 },
            { id: 'a', version: 1 },
          ],
          '/c',
        ),
      ),
    ).toEqual([{ path: '/c/1', message: 'pins the same schema version twice' }]);
    expect(details(() => parseContracts('x', '/c'))[0]?.path).toBe('/c');
    expect(
      details(() => parseContracts([1, { id: 'a', version: 1, x: 1 }], '/c')).map((d) => d.path),
    ).toEqual(['/c/0', '/c/1/x']);
  });
});
