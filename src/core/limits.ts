/** SPEC §2 limits, in one place so parsers and tests agree. */
export const MAX_STRING_BYTES = 1024;
/** SPEC §2: JSON nesting ≤ 64 (schemas nest deeply). */
export const MAX_DEPTH = 64;
export const MAX_ENDPOINTS = 64;
export const MAX_LABELS = 32;
export const MAX_SIGNERS = 64;
export const MAX_CAPABILITIES = 64;
/** SPEC §2 `service.contracts` (≤ 16) and `schema.references` (≤ 32). */
export const MAX_CONTRACTS = 16;
export const MAX_REFERENCES = 32;
export const MAX_REGIONS = 1024;
export const MAX_REGION_SERVICES = 1024;
/** SPEC §2: a ts more than 5 minutes in the future is refused. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
export const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$/;
