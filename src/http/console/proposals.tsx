import { allowList, countQuorum, type Governance, quorumRules, type SignerId } from '../../core/index.js';
import type { Registry } from '../../registry/index.js';
import type { ProposalRecord } from '../../store/index.js';
import { descriptorHref, isoTime, Layout } from './layout.js';

export interface ProposalRow {
  readonly record: ProposalRecord;
  readonly status: 'pending' | 'ready';
  readonly signatures: number;
  readonly threshold: number;
  readonly missing: readonly SignerId[];
}

/**
 * The tally the engine keeps for a proposal (signatures were verified on arrival, so this is
 * membership only), plus who on the allow-list has not signed yet.
 */
export function proposalRow(record: ProposalRecord, gov: Governance): ProposalRow {
  const rules = quorumRules(record.payload, gov);
  const allowed = allowList(rules);
  const signed = new Set(record.signatures.map((s) => s.signer_id).filter((s) => allowed.has(s)));
  const t = countQuorum(signed, rules);
  return {
    record,
    status: t.met ? 'ready' : 'pending',
    signatures: t.signatures,
    threshold: t.threshold,
    missing: [...allowed].filter((s) => !signed.has(s)),
  };
}

function remaining(ms: number): string {
  const m = Math.max(0, Math.floor(ms / 60_000));
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m} min`;
}

export function ProposalsPage(props: { r: Registry; now: number }) {
  const gov = props.r.snapshot.governance;
  const rows = props.r
    .pendingProposals()
    .sort((x, y) => x.expires_at - y.expires_at)
    .map((p) => proposalRow(p, gov));
  return (
    <Layout title="Proposals">
      <h1>Pending proposals</h1>
      {rows.length === 0 ? (
        <p class="muted">No pending proposals.</p>
      ) : (
        <table id="proposals">
          <tr>
            <th>proposal</th>
            <th>descriptor</th>
            <th>status</th>
            <th>signatures</th>
            <th>not signed yet</th>
            <th>expires</th>
          </tr>
          {rows.map((row) => {
            const p = row.record.payload;
            return (
              <tr>
                <td class="mono">{row.record.proposal_id.slice(0, 16)}…</td>
                <td>
                  {props.r.snapshot.get(p.id) === undefined ? (
                    p.id
                  ) : (
                    <a href={descriptorHref(p.id)}>{p.id}</a>
                  )}{' '}
                  <span class="tag">{p.kind}</span> v{p.version}
                </td>
                <td class={row.status === 'ready' ? 'ok' : ''}>{row.status}</td>
                <td>
                  {row.signatures} of {row.threshold}
                </td>
                <td>
                  {row.missing.map((s) => (
                    <div class="mono">{s}</div>
                  ))}
                </td>
                <td>
                  {isoTime(row.record.expires_at)}{' '}
                  <span class="muted">(in {remaining(row.record.expires_at - props.now)})</span>
                </td>
              </tr>
            );
          })}
        </table>
      )}
    </Layout>
  );
}
