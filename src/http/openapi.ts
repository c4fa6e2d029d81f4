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
    responses: { [String(r.success)]: { description: 'OK' }, ...errors },
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
      schemas: Object.fromEntries(
        Object.entries(KIND_SCHEMAS).map(([kind, schema]) => [`${pascal(kind)}Body`, schema]),
      ),
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
