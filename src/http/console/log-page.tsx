import { cosignatureTimestamp, encodeBase64 } from '../../core/tlog/index.js';
import type { Registry } from '../../registry/index.js';
import { Layout } from './layout.js';

/** Seconds as a short age ("42 s", "3 min", "2 h"). */
function age(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/** SPEC §13 on the console: the served checkpoint, its root and each cosignature with its age. */
export function LogPage(props: { r: Registry; now: number }) {
  const { log } = props.r;
  const served = log.served;
  const latest = log.latest;
  return (
    <Layout title="Transparency log">
      <h1>Transparency log</h1>
      <table>
        <tr>
          <th>origin</th>
          <td class="mono">{log.origin ?? '(none yet)'}</td>
        </tr>
        <tr>
          <th>tree size</th>
          <td>{log.size}</td>
        </tr>
        <tr>
          <th>root</th>
          <td class="mono">{encodeBase64(log.root)}</td>
        </tr>
        <tr>
          <th>served checkpoint</th>
          <td>
            {served === undefined
              ? 'none yet'
              : `size ${served.size}, signed ${age((props.now - served.signedAt) / 1000)} ago`}
            {served !== undefined && latest !== undefined && served !== latest
              ? ` (newest signed: size ${latest.size}, waiting for WITNESS_QUORUM = ${log.quorum})`
              : ''}
          </td>
        </tr>
      </table>
      <h2>Cosignatures</h2>
      {served === undefined || served.cosignatures.length === 0 ? (
        <p class="muted">No witness has cosigned the served checkpoint.</p>
      ) : (
        <table>
          <tr>
            <th>witness</th>
            <th>age</th>
          </tr>
          {served.cosignatures.map((c) => (
            <tr>
              <td class="mono">{c.name}</td>
              <td>{age(Math.max(0, props.now / 1000 - (cosignatureTimestamp(c.signature) ?? 0)))}</td>
            </tr>
          ))}
        </table>
      )}
      <p class="muted">
        Checkpoint: <a href="/v1/registry/log/checkpoint">/v1/registry/log/checkpoint</a>
      </p>
    </Layout>
  );
}
