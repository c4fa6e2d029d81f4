import { ERROR_CODES, KIND_SCHEMAS, STATUS } from '../core/index.js';
import { ROUTES, type RouteSpec } from './routes.js';

const ENVELOPE = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'hint', 'retryable', 'ts', 'request_id'],
      properties: {
        code: { type: 'string', enum: [...ERROR_CODES] },
        message: { type: 'string' },
        hint: { type: 'string' },
        retryable: { type: 'boolean' },
        ts: { type: 'string', format: 'date-time' },
        request_id: { type: 'string' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            required: ['path', 'message'],
            properties: {
              path: { type: 'string' },
              message: { type: 'string' },
              change: { type: 'string' },
              against: { type: 'integer' },
            },
          },
        },
      },
    },
  },
} as const;

const SIGNATURE = {
  type: 'object',
  additionalProperties: false,
  required: ['signer_id', 'alg', 'sig', 'ts'],
  properties: {
    signer_id: { type: 'string', pattern: '^ed25519:[A-Za-z0-9_-]{43}$' },
    alg: { const: 'ed25519' },
    sig: { type: 'string', pattern: '^[A-Za-z0-9_-]{86}$' },
    ts: { type: 'integer' },
  },
} as const;

/** SPEC §2 payload: the descriptor without its signatures (`body` per kind: components ServiceBody, …). */
const PAYLOAD = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'version', 'kind', 'body', 'prev', 'ts'],
  properties: {
    id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$' },
    version: { type: 'integer', minimum: 1 },
    kind: { enum: Object.keys(KIND_SCHEMAS) },
    body: { type: 'object' },
    prev: { type: ['string', 'null'], pattern: '^[0-9a-f]{64}$' },
    ts: { type: 'integer' },
    deprecated: { type: 'boolean' },
  },
} as const;

const json = (schema: unknown) => ({ required: true, content: { 'application/json': { schema } } });

/** SPEC §5 request bodies, by route. */
const REQUEST_BODIES: Readonly<Record<string, unknown>> = {
  'POST /v1/registry/proposals': json({ $ref: '#/components/schemas/ProposalRequest' }),
  'POST /v1/registry/proposals/:proposal_id/signatures': json({
    type: 'object',
    additionalProperties: false,
    required: ['signatures'],
    properties: { signatures: { type: 'array', items: { $ref: '#/components/schemas/Signature' } } },
  }),
  'POST /v1/registry/apply': json({ $ref: '#/components/schemas/ProposalRequest' }),
  'POST /v1/registry/schemas/:id/validate': json({ description: 'any JSON value' }),
  'POST /v1/registry/schemas/:id/compatibility': json({ $ref: '#/components/schemas/SchemaBody' }),
};

/** What a 2xx means, in words (SPEC §5); the summary says what the route is. */
function success(r: RouteSpec): string {
  if (r.success === 202) return 'Accepted: the proposal is stored (fsynced) and pending or ready';
  if (r.path.startsWith(`${'/v1/registry'}/apply`))
    return 'Applied: the entry is on disk and covered by the checkpoint it names';
  return `OK: ${r.summary}`;
}

function operation(r: RouteSpec) {
  const params = [...r.path.matchAll(/:([a-z_]+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const statuses = new Set<number>(Object.values(STATUS));
  const errors = Object.fromEntries(
    [...statuses].map((s) => [String(s), { $ref: '#/components/responses/Error' }]),
  );
  return {
    summary: r.summary,
    operationId: `${r.method.toLowerCase()}${r.path.replace(/[^A-Za-z]+(.)?/g, (_, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(r.scope === 'propose-and-apply'
      ? { security: [{ macaroon: ['registry:propose', 'registry:apply'] }] }
      : r.scope !== null
        ? { security: [{ macaroon: [r.scope] }] }
        : {}),
    ...(REQUEST_BODIES[`${r.method} ${r.path}`] === undefined
      ? {}
      : { requestBody: REQUEST_BODIES[`${r.method} ${r.path}`] }),
    responses: { [String(r.success)]: { description: success(r) }, ...errors },
  };
}

function pascal(kind: string): string {
  return kind.replace(/(^|_)([a-z])/g, (_, __, ch: string) => ch.toUpperCase());
}

/** OpenAPI 3.1 of exactly the routes in ROUTES (a test keeps the app and this in step). */
export function openApiDocument(version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const p = r.path.replace(/:([a-z_]+)/g, '{$1}');
    paths[p] ??= {};
    (paths[p] as Record<string, unknown>)[r.method.toLowerCase()] = operation(r);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'registry', version, description: 'Governed, append-only descriptor registry (SPEC v1)' },
    paths,
    components: {
      // SPEC §2: the body schemas of the built-in kinds, the documents GET /kinds serves.
      schemas: {
        ...Object.fromEntries(
          Object.entries(KIND_SCHEMAS).map(([kind, schema]) => [`${pascal(kind)}Body`, schema]),
        ),
        Signature: SIGNATURE,
        Payload: PAYLOAD,
        ProposalRequest: {
          type: 'object',
          additionalProperties: false,
          required: ['descriptor', 'signatures'],
          properties: {
            descriptor: { $ref: '#/components/schemas/Payload' },
            signatures: { type: 'array', items: { $ref: '#/components/schemas/Signature' } },
          },
        },
        ErrorEnvelope: ENVELOPE,
      },
      securitySchemes: {
        macaroon: { type: 'http', scheme: 'bearer', bearerFormat: 'libmacaroons v1 (base64url)' },
      },
      responses: {
        Error: {
          description: 'SPEC §5 error envelope',
          content: { 'application/json': { schema: ENVELOPE } },
        },
      },
    },
  };
}
