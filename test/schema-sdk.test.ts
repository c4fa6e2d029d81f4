import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../src/client/index.js';
import type { Payload } from '../src/core/index.js';
import { GENESIS, KEYS, proposalBody } from './helpers/fixtures.js';
import { schemaPayload } from './helpers/schema-fixtures.js';
import { ALL_SCOPES, startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let client: RegistryClient;

async function publish(payload: Payload): Promise<void> {
  const p = await client.propose(payload, proposalBody(payload, [KEYS[0], KEYS[1]]).signatures);
  await client.apply(p.proposal_id);
}

const MONEY = {
  format: 'json-schema',
  schema: {
    type: 'object',
    properties: { amount: { type: 'number', minimum: 0 }, currency: { enum: ['EUR', 'USD'] } },
    required: ['amount', 'currency'],
  },
};
const ORDER = {
  format: 'json-schema',
  schema: {
    type: 'object',
    properties: {
      id: { type: 'string', pattern: '^o-[0-9]+$' },
      qty: { type: 'integer', minimum: 1, maximum: 100 },
      total: { $ref: 'https://schemas.example/money' },
      tags: { type: 'array', items: { type: 'string', maxLength: 3 }, uniqueItems: true },
      at: { type: 'string', format: 'date-time' },
      email: { type: 'string', format: 'email' },
    },
    required: ['id', 'qty'],
    additionalProperties: false,
  },
  references: [{ ref: 'https://schemas.example/money', id: 'money', version: 1 }],
};

beforeAll(async () => {
  srv = await startTestServer({ WRITE_RATE: '1000' });
  client = new RegistryClient({ baseUrl: srv.url, token: srv.token(ALL_SCOPES) });
  await publish(schemaPayload('money', MONEY));
  await publish(schemaPayload('order', ORDER));
});
afterAll(async () => {
  await srv.stop();
});

/** Values around the schema: right and wrong types, bounds, formats, extra fields. */
const orderValue = fc.record(
  {
    id: fc.oneof(fc.constantFrom('o-1', 'o-42', 'x-1', 'o-'), fc.integer()),
    qty: fc.oneof(
      fc.integer({ min: -2, max: 102 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constant('3'),
    ),
    total: fc.oneof(
      fc.record(
        {
          amount: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant('1')),
          currency: fc.constantFrom('EUR', 'USD', 'GBP'),
        },
        { requiredKeys: [] },
      ),
      fc.constant(null),
    ),
    tags: fc.array(fc.constantFrom('a', 'b', 'abcd', 1), { maxLength: 4 }),
    at: fc.constantFrom('2026-12-04T20:00:00Z', '2026-13-04T20:00:00Z', 'yesterday'),
    email: fc.constantFrom('a@example.com', 'not-an-email'),
    extra: fc.boolean(),
  },
  { requiredKeys: [] },
);

describe('RegistryClient.validate', () => {
  it('gives the same verdict and errors as the validate route', async () => {
    await fc.assert(
      fc.asyncProperty(orderValue, async (value) => {
        const local = await client.validate('order', value, { trust: GENESIS });
        const remote = await client.validateRemote('order', value);
        expect(local).toEqual(remote);
      }),
      { numRuns: 150 },
    );
  });

  it('refuses a schema not signed by the trusted set', async () => {
    const other = { signers: [KEYS[3].signerId, KEYS[4].signerId], threshold: 2 };
    await expect(
      client.validate('money', { amount: 1, currency: 'EUR' }, { trust: other }),
    ).rejects.toMatchObject({
      code: 'BadSignature',
    });
    const higher = { signers: GENESIS.signers, threshold: 3 };
    await expect(client.validate('money', {}, { trust: higher })).rejects.toMatchObject({ code: 'NoQuorum' });
  });

  it('answers NotFound for an id of another kind', async () => {
    await expect(client.validate('governance', {}, { trust: GENESIS })).rejects.toMatchObject({
      code: 'NotFound',
    });
  });
});
