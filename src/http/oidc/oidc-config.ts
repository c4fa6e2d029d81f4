import { RegistryError } from '../../core/index.js';
import { SCOPES, type Scope } from '../capability.types.js';

/** One SPEC §7 rule: every `match` claim holds → the token gets `grant`'s caveats. */
export interface OidcRule {
  readonly match: Readonly<Record<string, string>>;
  readonly grant: {
    readonly scope: readonly Scope[];
    /** Space-separated alternatives, as a macaroon's `id-prefix` caveat. */
    readonly idPrefix: readonly string[] | undefined;
    readonly kind: readonly string[] | undefined;
  };
}

export type JwksSourceConfig = { readonly uri: string } | { readonly file: string };

export interface OidcIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly jwks: JwksSourceConfig;
  readonly rules: readonly OidcRule[];
}

const MAX_ISSUERS = 32;
const MAX_RULES = 256;
const MAX_MATCH = 32;
const LIST = /^\S+(?: \S+)*$/;

function bad(where: string, problem: string): RegistryError {
  return new RegistryError('BadRequest', `OIDC_ISSUERS ${where}: ${problem}`, 'see README "OIDC tokens"');
}

function record(raw: unknown, where: string, allowed: readonly string[], required: readonly string[]) {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(where, 'must be an object');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) throw bad(where, `unknown field ${JSON.stringify(k)}`);
  for (const k of required) if (o[k] === undefined) throw bad(where, `${k} is required`);
  return o;
}

function text(raw: unknown, where: string): string {
  if (typeof raw !== 'string' || raw === '' || raw.length > 1024)
    throw bad(where, 'must be a non-empty string');
  return raw;
}

function httpsOrLoopback(raw: string, where: string): string {
  if (!URL.canParse(raw)) throw bad(where, `${JSON.stringify(raw)} is not a URL`);
  const u = new URL(raw);
  // Keys over plain HTTP can be swapped in transit; loopback is allowed for local IdPs and tests.
  const loopback = u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) {
    throw bad(where, `${JSON.stringify(raw)} must be https:// (http:// only on loopback)`);
  }
  return raw;
}

function rule(raw: unknown, where: string): OidcRule {
  const r = record(raw, where, ['match', 'grant'], ['match', 'grant']);
  const m = record(r.match, `${where}.match`, Object.keys(r.match ?? {}), []);
  const keys = Object.keys(m);
  if (keys.length === 0 || keys.length > MAX_MATCH) throw bad(`${where}.match`, `1..${MAX_MATCH} claims`);
  const match: Record<string, string> = {};
  for (const k of keys) match[k] = text(m[k], `${where}.match.${k}`);
  const g = record(r.grant, `${where}.grant`, ['scope', 'id-prefix', 'kind'], ['scope']);
  if (!Array.isArray(g.scope) || g.scope.length === 0) throw bad(`${where}.grant.scope`, 'a non-empty array');
  const scope = g.scope.map((s, i) => {
    if (!SCOPES.includes(s as Scope)) throw bad(`${where}.grant.scope[${i}]`, `one of ${SCOPES.join(', ')}`);
    return s as Scope;
  });
  let idPrefix: string[] | undefined;
  if (g['id-prefix'] !== undefined) {
    const p = text(g['id-prefix'], `${where}.grant.id-prefix`);
    if (!LIST.test(p)) throw bad(`${where}.grant.id-prefix`, 'space-separated prefixes');
    idPrefix = p.split(' ');
  }
  let kind: string[] | undefined;
  if (g.kind !== undefined) {
    if (!Array.isArray(g.kind) || g.kind.length === 0) throw bad(`${where}.grant.kind`, 'a non-empty array');
    kind = g.kind.map((k, i) => {
      const s = text(k, `${where}.grant.kind[${i}]`);
      if (/\s/.test(s)) throw bad(`${where}.grant.kind[${i}]`, 'no whitespace');
      return s;
    });
  }
  return { match, grant: { scope, idPrefix, kind } };
}

/**
 * SPEC §7 `OIDC_ISSUERS`: the parsed JSON of the file, strictly (an unknown field is an
 * error, as everywhere else); `serve` prints the message on one line and exits 2.
 */
export function parseOidcIssuers(raw: unknown): readonly OidcIssuer[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_ISSUERS) {
    throw bad('file', `must be a JSON array of 1..${MAX_ISSUERS} issuers`);
  }
  const seen = new Set<string>();
  return raw.map((item, i) => {
    const where = `[${i}]`;
    const o = record(
      item,
      where,
      ['issuer', 'audience', 'jwks_uri', 'jwks_file', 'rules'],
      ['issuer', 'audience', 'rules'],
    );
    const issuer = text(o.issuer, `${where}.issuer`);
    if (seen.has(issuer)) throw bad(`${where}.issuer`, `${issuer} is listed twice`);
    seen.add(issuer);
    if ((o.jwks_uri === undefined) === (o.jwks_file === undefined)) {
      throw bad(where, 'exactly one of jwks_uri and jwks_file');
    }
    const jwks: JwksSourceConfig =
      o.jwks_uri !== undefined
        ? { uri: httpsOrLoopback(text(o.jwks_uri, `${where}.jwks_uri`), `${where}.jwks_uri`) }
        : { file: text(o.jwks_file, `${where}.jwks_file`) };
    if (!Array.isArray(o.rules) || o.rules.length === 0 || o.rules.length > MAX_RULES) {
      throw bad(`${where}.rules`, `1..${MAX_RULES} rules`);
    }
    const rules = o.rules.map((r, j) => rule(r, `${where}.rules[${j}]`));
    return { issuer, audience: text(o.audience, `${where}.audience`), jwks, rules };
  });
}

/** SPEC §7: a claim matches when it equals the string or is an array containing it. */
export function claimMatches(value: unknown, want: string): boolean {
  return value === want || (Array.isArray(value) && value.includes(want));
}

/** The first rule whose every claim matches, or undefined (→ Forbidden). */
export function firstMatchingRule(
  rules: readonly OidcRule[],
  claims: Readonly<Record<string, unknown>>,
): OidcRule | undefined {
  return rules.find((r) => Object.entries(r.match).every(([k, v]) => claimMatches(claims[k], v)));
}
