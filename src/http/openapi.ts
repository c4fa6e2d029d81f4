import { ERROR_CODES, STATUS } from '../core/index.js';
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
