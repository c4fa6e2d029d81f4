import { RegistryError } from '../core/errors.js';
import { SCOPES, type Scope } from './capability.types.js';

/** The meaning of every first-party caveat a token carries, collected per kind (SPEC §7). */
export interface CaveatSet {
  readonly scopes: readonly (readonly Scope[])[];
  readonly idPrefixes: readonly (readonly string[])[];
  readonly kinds: readonly (readonly string[])[];
  readonly expiresAt: number | undefined;
}

// SPEC §7 grammar, exactly as minted: `<name> = <v1> <v2> ...` and `time < <RFC 3339 UTC>`.
// One space around the operator and between values: anything else is unparseable (fail closed).
const LIST_CAVEAT = /^(scope|id-prefix|kind) = ([^\s]+(?: [^\s]+)*)$/;
const TIME_CAVEAT = /^time < (\S+)$/;
const RFC3339_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
const SCOPE_SET: ReadonlySet<string> = new Set(SCOPES);

function unauthorized(message: string): RegistryError {
  return new RegistryError('Unauthorized', message);
}

/** Parses `YYYY-MM-DDTHH:MM:SS[.frac]Z` into Unix ms (fraction truncated); undefined unless a real instant. */
export function parseRfc3339Utc(text: string): number | undefined {
  const m = RFC3339_UTC.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const d = new Date(t);
  // Date.UTC rolls 2026-02-30 over to March; a caveat naming a day that does not exist is malformed.
  if (
    d.getUTCFullYear() !== year ||
    d.getUTCMonth() !== month - 1 ||
    d.getUTCDate() !== day ||
    d.getUTCHours() !== hour ||
    d.getUTCMinutes() !== minute ||
    d.getUTCSeconds() !== second
  ) {
    return undefined;
  }
  return t;
}

/** `time <` caveat text for an instant: RFC 3339 UTC, whole seconds (rounded down, so never later). */
export function formatRfc3339Utc(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Interprets every caveat of a token whose signature already verified. The texts are
 * attacker-chosen (anyone may attenuate a token they hold), so each must parse exactly;
 * an unknown predicate, a malformed value or an expired time is Unauthorized (SPEC §5).
 * Messages never echo the caveat text.
 */
export function parseCaveats(texts: readonly string[], now: number): CaveatSet {
  const scopes: Scope[][] = [];
  const idPrefixes: string[][] = [];
  const kinds: string[][] = [];
  let expiresAt: number | undefined;
  for (const [i, text] of texts.entries()) {
    const list = LIST_CAVEAT.exec(text);
    if (list !== null) {
      const values = (list[2] ?? '').split(' ');
      switch (list[1]) {
        case 'scope':
          // A scope name this server does not know is a caveat it does not understand.
          if (!values.every((v) => SCOPE_SET.has(v))) throw unauthorized(`caveat ${i + 1}: unknown scope`);
          scopes.push(values as Scope[]);
          break;
        case 'id-prefix':
          idPrefixes.push(values);
          break;
        default:
          kinds.push(values);
      }
      continue;
    }
    const time = TIME_CAVEAT.exec(text);
    if (time !== null) {
      const t = parseRfc3339Utc(time[1] ?? '');
      if (t === undefined) throw unauthorized(`caveat ${i + 1}: malformed time`);
      // SPEC §7: `time < T` holds strictly before T.
      if (now >= t) throw unauthorized('token expired');
      expiresAt = expiresAt === undefined ? t : Math.min(expiresAt, t);
      continue;
    }
    throw unauthorized(`caveat ${i + 1}: not understood by this server`);
  }
  return { scopes, idPrefixes, kinds, expiresAt };
}
