/**
 * The engine, routes and CLI with the real compatibility checker (src/core/schema-compat):
 * the SPEC §12 example evolutions through `registry serve`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../src/client/index.js';
import { digestOf, type Payload, signingBytes } from '../src/core/index.js';
import { KEYS, proposalBody } from './helpers/fixtures.js';
import { schemaPayload, TICKS_V1 } from './helpers/schema-fixtures.js';
import { ALL_SCOPES, startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let client: RegistryClient;

async function publish(p: Payload): Promise<void> {
  const s = await client.propose(p, proposalBody(p, [KEYS[0], KEYS[1]]).signatures);
  await client.apply(s.proposal_id);
}
const next = (b: Record<string, unknown>, version: number, prev: Payload) =>
  schemaPayload('ticks', b, version, digestOf(signingBytes(prev)));
const withSchema = (over: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({
  ...TICKS_V1,
  ...rest,
  schema: { ...TICKS_V1.schema, ...over },
});

beforeAll(async () => {
  srv = await startTestServer({ WRITE_RATE: '1000' });
  client = new RegistryClient({ baseUrl: srv.url, token: srv.token(ALL_SCOPES) });
});
afterAll(async () => {
  await srv.stop();
});

describe('schema evolution with the compatibility checker', () => {
  const v1 = schemaPayload('ticks', TICKS_V1);

  it('refuses a v2 that breaks BACKWARD with 409 Incompatible and every violation', async () => {
    await publish(v1);
    const v2 = next(withSchema({ required: ['symbol', 'price'] }), 2, v1);
    const err = await client.propose(v2, proposalBody(v2, [KEYS[0]]).signatures).then(
      () => undefined,
      (e: unknown) => e as { code: string; details?: Array<Record<string, unknown>> },
    );
    expect(err?.code).toBe('Incompatible');
    expect(err?.details?.[0]).toMatchObject({ change: 'required-added', against: 1 });
    expect(typeof err?.details?.[0]?.path).toBe('string');
  });

  it('answers the candidate route as the propose would, and admits an optional property under a closed model', async () => {
    const bad = await client.compatibility('ticks', withSchema({ required: ['symbol', 'price'] }));
    expect(bad).toMatchObject({ compatible: false, mode: 'BACKWARD', policy: 'strict', against: [1] });
    expect(bad.violations[0]).toMatchObject({ change: 'required-added', against: 1 });
    const venue = withSchema({
      properties: { symbol: { type: 'string' }, price: { type: 'number' }, venue: { type: 'string' } },
    });
    expect(await client.compatibility('ticks', venue)).toMatchObject({ compatible: true, violations: [] });
  });

  it('lets a loosened mode through, and diffs the versions', async () => {
    const v2 = next(withSchema({}, { compatibility: 'NONE' }), 2, v1);
    await publish(v2);
    const v3 = next(withSchema({ required: ['symbol', 'price'] }), 3, v2);
    await publish(v3);
    const diff = await client.compatibilityBetween('ticks', 1, 3);
    expect(diff).toMatchObject({ compatible: false, mode: 'BACKWARD', against: [1] });
    expect(diff.violations.map((v) => v.change)).toContain('required-added');
    expect(await client.compatibilityBetween('ticks', 1, 2)).toMatchObject({ compatible: true });
    const forward = await client.compatibilityBetween('ticks', 1, 3, { mode: 'FORWARD' });
    expect(forward.compatible).toBe(true);
  });

  it('checks a FULL_TRANSITIVE candidate against every earlier version', async () => {
    const v3 = (await client.get('ticks')).descriptor as unknown as Payload;
    const { signatures: _, ...payload } = v3 as unknown as Payload & { signatures: unknown };
    const v4 = next(
      withSchema({ required: ['symbol', 'price'] }, { compatibility: 'FULL_TRANSITIVE' }),
      4,
      payload as Payload,
    );
    await publish(v4);
    const all = await client.compatibility('ticks', withSchema({ required: ['symbol', 'price'] }));
    expect(all).toMatchObject({ mode: 'FULL_TRANSITIVE', against: [1, 2, 3, 4] });
    expect(new Set(all.violations.map((v) => v.against))).toEqual(new Set([1, 2]));
  });
});
