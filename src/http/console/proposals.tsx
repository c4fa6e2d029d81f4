import { type Registry, summarize } from '../../registry/index.js';
import { descriptorHref, isoTime, Layout } from './layout.js';

function remaining(ms: number): string {
  const m = Math.max(0, Math.floor(ms / 60_000));
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m} min`;
}

export function ProposalsPage(props: { r: Registry; now: number }) {
  const gov = props.r.snapshot.governance;
  const rows = props.r
    .pendingProposals()
    .sort((x, y) => x.expires_at - y.expires_at)
    .map((record) => ({ record, summary: summarize(record, gov) }));
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
            <th>signers</th>
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
                <td class={row.summary.status === 'ready' ? 'ok' : ''}>{row.summary.status}</td>
                <td>
                  {row.summary.sets.map((set) => (
                    <div class="set">
                      <div class="muted">
                        {row.summary.sets.length > 1 ? `${set.set} set: ` : ''}
                        {set.signed_by.length} of {set.threshold} needed
                      </div>
                      <ul class="signers">
                        {set.signed_by.map((s) => (
                          <li class="signed" title="signed">
                            {s}
                          </li>
                        ))}
                        {set.missing.map((s) => (
                          <li class="missing" title="not signed yet">
                            {s}
                          </li>
                        ))}
                      </ul>
                    </div>
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
