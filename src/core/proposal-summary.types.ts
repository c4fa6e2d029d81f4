/** One signer set a proposal must satisfy: the current one, and during a rotation the new one (SPEC §3). */
export interface SetProgress {
  readonly set: 'current' | 'new';
  readonly threshold: number;
  readonly signed_by: readonly string[];
  readonly missing: readonly string[];
}

/** SPEC §5 GET /proposals item: who signed, who has not yet, per set. Shared by the server and the SDK. */
export interface ProposalSummary {
  readonly proposal_id: string;
  readonly descriptor_id: string;
  readonly version: number;
  readonly kind: string;
  readonly status: 'pending' | 'ready';
  /** Distinct allow-listed signers with a signature (either set during a rotation). */
  readonly signatures: number;
  /** The current set's threshold, as in the 202; `sets` has each set's own. */
  readonly threshold: number;
  readonly signed_by: readonly string[];
  /** Allow-listed signers (of both sets during a rotation) who have not signed. */
  readonly missing: readonly string[];
  readonly sets: readonly SetProgress[];
  readonly expires_at: string;
}
