import { badRequest } from './errors.js';
import { ID_RE, MAX_STRING_BYTES } from './limits.js';

/** Small checkers for attacker-controlled JSON; each names the offending field. */

export type Json = Readonly<Record<string, unknown>>;

/** An object with only the `allowed` keys, every one of `required` present. */
export function object(
  raw: unknown,
  field: string,
  allowed: readonly string[],
  required: readonly string[],
): Json {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw badRequest(field, 'must be an object');
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) throw badRequest(`${field}.${key}`, 'unknown field');
  }
  for (const key of required) {
    if (!Object.hasOwn(raw, key)) throw badRequest(`${field}.${key}`, 'is required');
  }
  return raw as Json;
}

export function string(raw: unknown, field: string, opts: { min?: number } = {}): string {
  if (typeof raw !== 'string') throw badRequest(field, 'must be a string');
  if (raw.length < (opts.min ?? 1)) throw badRequest(field, 'must not be empty');
  if (Buffer.byteLength(raw, 'utf8') > MAX_STRING_BYTES) {
    throw badRequest(field, `longer than ${MAX_STRING_BYTES} bytes`);
  }
  return raw;
}

export function integer(raw: unknown, field: string, min: number, max: number): number {
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw)) throw badRequest(field, 'must be an integer');
  if (raw < min || raw > max) throw badRequest(field, `must be between ${min} and ${max}`);
  return raw;
}

export function boolean(raw: unknown, field: string): boolean {
  if (typeof raw !== 'boolean') throw badRequest(field, 'must be a boolean');
  return raw;
}

export function array(raw: unknown, field: string, min: number, max: number): readonly unknown[] {
  if (!Array.isArray(raw)) throw badRequest(field, 'must be an array');
  if (raw.length < min || raw.length > max) throw badRequest(field, `must have ${min} to ${max} items`);
  return raw;
}

export function id(raw: unknown, field: string): string {
  if (typeof raw !== 'string' || !ID_RE.test(raw)) {
    throw badRequest(field, 'must match ^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$');
  }
  return raw;
}

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]{1,5})$/;

/** SPEC §2: `host:port` (IPv6 in brackets) or an absolute URL. */
export function addr(raw: unknown, field: string): string {
  const text = string(raw, field);
  const m = HOST_PORT.exec(text);
  if (m !== null) {
    // The bracket pattern admits any hex-and-colon text ("[:::::]"); the WHATWG URL parser
    // accepts exactly the RFC 4291 IPv6 literals.
    if (m[1]?.startsWith('[') && !URL.canParse(`http://${m[1]}/`)) {
      throw badRequest(field, 'not an IPv6 address in brackets');
    }
    const port = Number(m[3]);
    if (port >= 1 && port <= 65535) return text;
    throw badRequest(field, 'port must be 1..65535');
  }
  if (URL.canParse(text) && /^[a-z][a-z0-9+.-]*:\/\/[^/\s]/i.test(text)) return text;
  throw badRequest(field, 'must be host:port or an absolute URL');
}
