import type { CommandSpec } from '../command.types.js';
import { UsageError } from '../usage-error.js';
import { optString } from '../values.js';

interface Inspected {
  readonly type: 'macaroon' | 'jwt';
  readonly identifier: string;
  readonly location?: string;
  readonly caveats: readonly string[];
  /** JWTs: the claims as sent, unverified. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** A JWT's payload, decoded without verifying anything (what `inspect` is for). */
function inspectJwt(token: string): Inspected | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const iss = typeof claims.iss === 'string' ? claims.iss : '?';
    const sub = typeof claims.sub === 'string' ? claims.sub : '?';
    return { type: 'jwt', identifier: `oidc:${iss}#${sub}`, caveats: [], claims };
  } catch {
    return undefined;
  }
}

export const tokenInspect: CommandSpec = {
  name: 'token inspect',
  summary:
    "Show a token's name and caveats (a macaroon) or claims (an OIDC JWT), without verifying it and never its signature.",
  help: `  --token TOKEN            the token (default: REGISTRY_TOKEN); "-" reads it from stdin`,
  options: { token: { type: 'string' } },
  async run({ values, env, out }) {
    let token = optString(values, 'token') ?? env.REGISTRY_TOKEN ?? '';
    if (token === '-') token = (await new Response(process.stdin as unknown as ReadableStream).text()).trim();
    if (token === '') throw new UsageError('no token: pass --token or set REGISTRY_TOKEN');
    let inspected = inspectJwt(token);
    if (inspected === undefined) {
      const { default: Deserializer } = await import('macaroons.js/lib/MacaroonsDeSerializer.js');
      try {
        const m = Deserializer.deserialize(
          token.replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_'),
        );
        inspected = {
          type: 'macaroon',
          identifier: m.identifier,
          location: m.location,
          caveats: m.caveatPackets.map((c) => c.getValueAsText()),
        };
      } catch {
        throw new UsageError('not a macaroon or a JWT', 'check the token was copied whole');
      }
    }
    if (out.json) {
      out.value(inspected);
      return 0;
    }
    out.line(
      `type        ${inspected.type}${inspected.type === 'jwt' ? ' (OIDC; claims as sent, not verified)' : ' (not verified)'}`,
    );
    out.line(`name        ${inspected.identifier}`);
    if (inspected.location !== undefined) out.line(`location    ${inspected.location}`);
    for (const c of inspected.caveats) out.line(`caveat      ${c}`);
    if (inspected.claims !== undefined) {
      for (const [k, v] of Object.entries(inspected.claims)) {
        const shown =
          (k === 'exp' || k === 'nbf' || k === 'iat') && typeof v === 'number'
            ? `${v} (${new Date(v * 1000).toISOString()})`
            : JSON.stringify(v);
        out.line(`claim       ${k} = ${shown}`);
      }
    }
    return 0;
  },
};
