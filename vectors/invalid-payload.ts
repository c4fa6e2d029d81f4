/** Invalid vectors about the payload: version and prev (SPEC §2), schema and limits. */
import { governancePayload, headOf, regionsPayload, sigJson } from './build.js';
import type { Chain } from './chain.js';
import type { InvalidKit } from './invalid-kit.js';
import { BASE_TS, MAX_SKEW, NOW, ROTATED_SIGNERS } from './test-keys.js';
import type { Json } from './vector.types.js';

export function payloadVectors(kit: InvalidKit, chain: Chain): void {
  const { bad, badRequest, mutate, body, endpoint0, fresh, s1, s2, head3, v1, v2 } = kit;
  bad({
    name: 'stale-version',
    description: 'Version 3 again when the head is already version 3 → StaleVersion.',
    error: 'StaleVersion',
    head: head3,
  });
  bad({
    name: 'version-gap',
    description: 'Version 5 with prev = digest of head version 3 (skips 4) → StaleVersion.',
    error: 'StaleVersion',
    payload: mutate((p) => {
      p.version = 5;
      p.prev = head3.digest;
    }),
    head: head3,
  });
  bad({
    name: 'wrong-prev',
    description:
      'Version 3 whose prev is the digest of version 1, not of the head (version 2) → StaleVersion.',
    error: 'StaleVersion',
    payload: mutate((p) => {
      p.prev = s1.digest;
    }),
  });
  bad({
    name: 'new-id-not-version-1',
    description: 'An id with no head, proposed at version 2 with a well-formed prev → StaleVersion.',
    error: 'StaleVersion',
    payload: mutate((p) => {
      p.id = 'svc-unknown@us-east-1';
      p.version = 2;
      p.prev = s1.digest;
    }),
    head: null,
  });

  badRequest(
    'unknown-field-descriptor',
    'An extra top-level field "owner" → BadRequest.',
    mutate((p) => {
      p.owner = 'ops';
    }),
  );
  badRequest(
    'unknown-field-body',
    'An extra body field "port" → BadRequest.',
    mutate((p) => {
      body(p).port = 443;
    }),
  );
  badRequest(
    'unknown-field-endpoint',
    'An extra endpoint field "zone" → BadRequest.',
    mutate((p) => {
      endpoint0(p).zone = 'a';
    }),
  );
  bad({
    name: 'unknown-field-signature',
    description: 'A signature object with an extra field "comment" → BadRequest.',
    error: 'BadRequest',
    signatures: [v1, { ...sigJson(v2), comment: 'lgtm' }],
  });
  badRequest(
    'missing-field',
    'No "ts" field → BadRequest.',
    mutate((p) => {
      delete p.ts;
    }),
  );
  badRequest(
    'future-ts',
    'ts = now + 5 minutes + 1 ms → BadRequest.',
    mutate((p) => {
      p.ts = NOW + MAX_SKEW + 1;
    }),
  );
  badRequest(
    'ts-not-integer',
    'ts = 1795000000000.5 → BadRequest.',
    mutate((p) => {
      p.ts = BASE_TS + 0.5;
    }),
  );
  badRequest('version-zero', 'version 0 → BadRequest.', fresh({ version: 0 }), null);
  badRequest(
    'unknown-kind',
    'kind "database" → BadRequest.',
    mutate((p) => {
      p.kind = 'database';
    }),
  );
  badRequest(
    'reserved-id-regions-wrong-kind',
    'id "regions" with kind service → BadRequest.',
    fresh({ id: 'regions' }),
    null,
  );
  badRequest(
    'reserved-id-governance-wrong-kind',
    'id "governance" with kind service → BadRequest.',
    fresh({ id: 'governance' }),
    null,
  );
  badRequest(
    'region-map-wrong-id',
    'kind region_map under id "regions-2" (region_map must use id "regions") → BadRequest.',
    { ...regionsPayload(1, null), id: 'regions-2' },
    null,
  );
  badRequest(
    'bad-id-slash',
    'id "svc/storage" (no "/" allowed) → BadRequest.',
    fresh({ id: 'svc/storage' }),
    null,
  );
  badRequest(
    'bad-id-leading-dot',
    'id ".svc" (must start with a letter or digit) → BadRequest.',
    fresh({ id: '.svc' }),
    null,
  );
  badRequest('bad-id-too-long', 'id of 129 characters → BadRequest.', fresh({ id: 'a'.repeat(129) }), null);
  badRequest(
    'oversize-string',
    'body.name of 1,025 ASCII bytes → BadRequest.',
    mutate((p) => {
      body(p).name = 'a'.repeat(1025);
    }),
  );
  badRequest(
    'oversize-string-multibyte',
    'body.name of 513 × "é": 513 characters but 1,026 UTF-8 bytes → BadRequest (the limit is in bytes).',
    mutate((p) => {
      body(p).name = 'é'.repeat(513);
    }),
  );
  let deep: Json = 'x';
  for (let i = 0; i < 14; i++) deep = [deep];
  badRequest(
    'nesting-too-deep',
    'body.labels.k is 14 nested arrays: with the payload, body and labels objects that is 17 levels of containers (limit 16) → BadRequest.',
    mutate((p) => {
      body(p).labels = { k: deep };
    }),
  );
  badRequest(
    'bad-weight-too-large',
    'weight 65536 → BadRequest.',
    mutate((p) => {
      endpoint0(p).weight = 65536;
    }),
  );
  badRequest(
    'bad-weight-negative',
    'weight -1 → BadRequest.',
    mutate((p) => {
      endpoint0(p).weight = -1;
    }),
  );
  badRequest(
    'bad-weight-fraction',
    'weight 1.5 → BadRequest.',
    mutate((p) => {
      endpoint0(p).weight = 1.5;
    }),
  );
  badRequest(
    'bad-addr',
    'addr "10.0.0.7" (no port, not a URL) → BadRequest.',
    mutate((p) => {
      endpoint0(p).addr = '10.0.0.7';
    }),
  );
  badRequest(
    'endpoints-empty',
    'endpoints [] (1..64 required) → BadRequest.',
    mutate((p) => {
      body(p).endpoints = [];
    }),
  );
  badRequest(
    'tls-not-boolean',
    'tls "yes" → BadRequest.',
    mutate((p) => {
      endpoint0(p).tls = 'yes';
    }),
  );
  badRequest(
    'deprecated-not-boolean',
    'deprecated "true" (a string) → BadRequest.',
    mutate((p) => {
      p.deprecated = 'true';
    }),
  );
  badRequest(
    'prev-non-null-at-version-1',
    'version 1 with a well-formed prev → BadRequest.',
    fresh({ prev: s2.digest }),
    null,
  );
  badRequest(
    'prev-null-at-version-3',
    'version 3 with prev null → BadRequest.',
    mutate((p) => {
      p.prev = null;
    }),
  );
  badRequest(
    'prev-uppercase-hex',
    'prev is the right digest in UPPERCASE hex → BadRequest (not 64 lowercase hex).',
    mutate((p) => {
      p.prev = s2.digest.toUpperCase();
    }),
  );
  badRequest(
    'prev-short',
    'prev of 63 hex digits → BadRequest.',
    mutate((p) => {
      p.prev = s2.digest.slice(1);
    }),
  );
  badRequest(
    'kind-change',
    'Version 3 of the service id with kind node (an id keeps its kind for its whole history; project decision) → BadRequest.',
    mutate((p) => {
      p.kind = 'node';
      p.body = { region: 'us-east-1', addr: '10.0.0.7:443' };
    }),
  );
  badRequest(
    'governance-threshold-too-high',
    'Rotation to {2,3,4,5} with threshold 5 (more than the set size) → BadRequest.',
    governancePayload(2, chain.genesis.digest, ROTATED_SIGNERS, 5),
    headOf(chain.genesis),
  );
  badRequest(
    'governance-duplicate-signers',
    'Rotation whose new signer list names key 2 twice → BadRequest.',
    governancePayload(2, chain.genesis.digest, [2, 2, 3], 2),
    headOf(chain.genesis),
  );
}
