import { createHmac } from 'node:crypto';

/**
 * libmacaroons v1 from first principles with node:crypto, independent of macaroons.js and of
 * src/http/capability.ts (SPEC §7): derived key = HMAC-SHA256("macaroons-key-generator", root
 * key bytes); sig0 = HMAC(derived, identifier); sig_i = HMAC(sig_{i-1}, caveat_i); packets are
 * 4 lower-case hex digits of total length, then "<name> <value>\n".
 */
export const MACAROON_TEST_KEY = `${'6f'.repeat(16)}${'0123456789abcdef'.repeat(2)}`;

export const hmac = (key: Buffer | string, msg: Buffer | string): Buffer =>
  createHmac('sha256', key).update(msg).digest();

export function packet(name: string, value: Buffer | string): Buffer {
  const body = Buffer.concat([Buffer.from(`${name} `), Buffer.from(value), Buffer.from('\n')]);
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body]);
}

export interface HandToken {
  /** Root key, hex; defaults to MACAROON_TEST_KEY. */
  readonly key?: string;
  readonly location?: string;
  readonly identifier?: Buffer | string;
  readonly caveats?: readonly string[];
  /** Packets spliced in before the signature; not part of the signature chain. */
  readonly extra?: readonly Buffer[];
}

/** The token's bytes and its signature. */
export function handSign(t: HandToken): { readonly bytes: Buffer; readonly signature: Buffer } {
  const derived = hmac('macaroons-key-generator', Buffer.from(t.key ?? MACAROON_TEST_KEY, 'hex'));
  const identifier = t.identifier ?? 'alice';
  let sig = hmac(derived, identifier);
  for (const c of t.caveats ?? []) sig = hmac(sig, c);
  const bytes = Buffer.concat([
    packet('location', t.location ?? 'registry'),
    packet('identifier', identifier),
    ...(t.caveats ?? []).map((c) => packet('cid', c)),
    ...(t.extra ?? []),
    packet('signature', sig),
  ]);
  return { bytes, signature: sig };
}

/** A hand-built token, unpadded base64url. */
export const handToken = (t: HandToken): string => handSign(t).bytes.toString('base64url');
