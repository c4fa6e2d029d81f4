import type { Scope } from './capability.js';

export const BASE = '/v1/registry';

/** One row of SPEC §5: the single source for registration, 405 answers, metrics labels and OpenAPI. */
export interface RouteSpec {
  readonly method: 'GET' | 'POST';
  /** Hono template; also the metrics `route` label. */
  readonly path: string;
  /** `propose-and-apply`: the token needs both scopes (SPEC §5 POST /apply). */
  readonly scope: Scope | 'propose-or-apply' | 'propose-and-apply' | null;
  readonly summary: string;
  readonly success: number;
}

export const ROUTES: readonly RouteSpec[] = [
  {
    method: 'GET',
    path: `${BASE}/version`,
    scope: 'registry:read',
    summary: 'Global registry version',
    success: 200,
  },
  {
    method: 'GET',
    path: `${BASE}/descriptors`,
    scope: 'registry:read',
    summary: 'List heads by id (paged)',
    success: 200,
  },
  {
    method: 'GET',
    path: `${BASE}/descriptors/:id`,
    scope: 'registry:read',
    summary: 'Head descriptor of an id',
    success: 200,
  },
  {
    method: 'GET',
    path: `${BASE}/descriptors/:id/versions`,
    scope: 'registry:read',
    summary: 'Version history of an id',
    success: 200,
  },
  {
    method: 'GET',
    path: `${BASE}/descriptors/:id/versions/:n`,
    scope: 'registry:read',
    summary: 'One version of an id',
    success: 200,
  },
  {
    method: 'GET',
    path: `${BASE}/regions/map`,
    scope: 'registry:read',
    summary: 'Current region map',
    success: 200,
  },
  {
    method: 'POST',
    path: `${BASE}/proposals`,
    scope: 'registry:propose',
    summary: 'Propose a descriptor',
    success: 202,
  },
  {
    method: 'GET',
    path: `${BASE}/proposals`,
    scope: 'propose-or-apply',
    summary: 'Pending and ready proposals: who signed, who is missing (paged)',
    success: 200,
  },
  {
    method: 'GET',
    path: `${BASE}/proposals/:proposal_id`,
    scope: 'propose-or-apply',
    summary: 'A proposal and its status',
    success: 200,
  },
  {
    method: 'POST',
    path: `${BASE}/proposals/:proposal_id/signatures`,
    scope: 'registry:propose',
    summary: 'Co-sign a proposal',
    success: 202,
  },
  {
    method: 'POST',
    path: `${BASE}/apply`,
    scope: 'propose-and-apply',
    summary: 'Apply a descriptor already at quorum in one request (no stored proposal)',
    success: 200,
  },
  {
    method: 'POST',
    path: `${BASE}/apply/:proposal_id`,
    scope: 'registry:apply',
    summary: 'Apply a proposal that reached quorum',
    success: 200,
  },
  {
    method: 'GET',
    path: `${BASE}/kinds`,
    scope: 'registry:read',
    summary: 'JSON Schema of each kind of body (SPEC §2)',
    success: 200,
  },
  {
    method: 'POST',
    path: `${BASE}/schemas/:id/validate`,
    scope: 'registry:read',
    summary: 'Validate a JSON value against a schema version (SPEC §12)',
    success: 200,
  },
  {
    method: 'POST',
    path: `${BASE}/schemas/:id/compatibility`,
    scope: 'registry:read',
    summary: 'Compatibility of a candidate schema body with the stored versions (SPEC §12)',
    success: 200,
  },
  {
    method: 'GET',
    path: `${BASE}/schemas/:id/compatibility/:from/:to`,
    scope: 'registry:read',
    summary: 'Compatibility of version `to` with version `from` (SPEC §12)',
    success: 200,
  },
  {
    method: 'GET',
    path: `${BASE}/watch`,
    scope: 'registry:read',
    summary: 'Event stream (SSE)',
    success: 200,
  },
  {
    method: 'GET',
    path: `${BASE}/log/checkpoint`,
    scope: 'registry:read',
    summary: 'The transparency log checkpoint (signed note with its cosignatures)',
    success: 200,
  },
  {
    method: 'GET',
    path: `${BASE}/log/tile/*`,
    scope: 'registry:read',
    summary: 'A tile of tree hashes or an entry bundle (tlog-tiles)',
    success: 200,
  },
  {
    method: 'GET',
    path: `${BASE}/log/proof/inclusion`,
    scope: 'registry:read',
    summary: 'Inclusion proof of a log entry (JSON, or tlog-proof text)',
    success: 200,
  },
  {
    method: 'GET',
    path: `${BASE}/log/proof/consistency`,
    scope: 'registry:read',
    summary: 'Consistency proof between two tree sizes',
    success: 200,
  },
  {
    method: 'POST',
    path: `${BASE}/log/witness/add-checkpoint`,
    scope: null,
    summary: 'Cosign a checkpoint (tlog-witness; plain-text answers)',
    success: 200,
  },
  { method: 'GET', path: `${BASE}/healthz`, scope: null, summary: 'Liveness', success: 200 },
  { method: 'GET', path: `${BASE}/readyz`, scope: null, summary: 'Readiness', success: 200 },
  { method: 'GET', path: `${BASE}/metrics`, scope: null, summary: 'Prometheus metrics', success: 200 },
  {
    method: 'GET',
    path: `${BASE}/openapi.json`,
    scope: null,
    summary: 'This API as OpenAPI 3.1',
    success: 200,
  },
  { method: 'GET', path: '/healthz', scope: null, summary: 'Liveness', success: 200 },
  { method: 'GET', path: '/readyz', scope: null, summary: 'Readiness', success: 200 },
  { method: 'GET', path: '/metrics', scope: null, summary: 'Prometheus metrics', success: 200 },
  { method: 'GET', path: '/version', scope: null, summary: 'Global registry version', success: 200 },
];

/** The metrics label of a request that matched no route (bounded label cardinality). */
export const UNMATCHED = 'unmatched';
