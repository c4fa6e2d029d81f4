import { digestOf, signingBytes } from './canonical.js';
import { parsePayload } from './descriptor.js';
import type { Payload } from './descriptor.types.js';
import { badRequest } from './errors.js';
import { integer, object } from './shape.js';
import { parseSignatures, type Signature } from './signature.js';

/** A pending proposal as stored (SPEC §4 `prop/<proposal_id>`, or cluster mode's shared bucket). */
export interface StoredProposal {
  readonly proposal_id: string;
  readonly payload: Payload;
  readonly signatures: readonly Signature[];
  readonly received_at: number;
  readonly expires_at: number;
}

const FIELDS = ['proposal_id', 'payload', 'signatures', 'received_at', 'expires_at'] as const;

/**
 * Parses a stored proposal read back from a store another process can write (the cluster's
 * shared bucket: attacker-controlled if NATS is). The payload and signatures get the same
 * checks as at arrival (the `ts` bound against the time it was received), and the id must be
 * the digest of the payload's signing bytes, so a record cannot claim another proposal's id.
 */
export function parseStoredProposal(raw: unknown): StoredProposal {
  const r = object(raw, 'proposal', FIELDS, FIELDS);
  const receivedAt = integer(r.received_at, 'proposal.received_at', 0, Number.MAX_SAFE_INTEGER);
  const expiresAt = integer(r.expires_at, 'proposal.expires_at', 0, Number.MAX_SAFE_INTEGER);
  const payload = parsePayload(r.payload, receivedAt, 'proposal.payload');
  const signatures = parseSignatures(r.signatures, 'proposal.signatures');
  if (r.proposal_id !== digestOf(signingBytes(payload))) {
    throw badRequest('proposal.proposal_id', 'is not the digest of the payload');
  }
  return { proposal_id: r.proposal_id, payload, signatures, received_at: receivedAt, expires_at: expiresAt };
}
