import { modeOf } from '../../core/index.js';
import {
  type CompatVerdict,
  checkAgainst,
  docOf,
  type Registry,
  type SchemaVersion,
} from '../../registry/index.js';
import { descriptorHref, isoTime, Layout, UI } from './layout.js';

export function schemaHref(id: string): string {
  return `${UI}/schemas/${encodeURIComponent(id)}`;
}

/** SPEC §12: version n against version n-1 under the mode in force then (that of n-1). */
async function stepVerdict(r: Registry, older: SchemaVersion, newer: SchemaVersion): Promise<CompatVerdict> {
  const checker = r.schemas.checker;
  const { mode, policy } = modeOf(older.body);
  const doc = await docOf(r.schemas, newer.body, (await r.schemas.validator(newer)).dialect);
  return checkAgainst(r.schemas, checker, doc, [older], mode, policy);
}

/**
 * A schema subject (SPEC §12): its document, mode and references, and every version with the
 * verdict of each step against the one before under the mode then in force. Reads the id's
 * stored versions only, as the descriptor page's history does.
 */
export async function SchemaPage(props: { r: Registry; id: string }) {
  const { r, id } = props;
  const head = await r.schemas.version(id);
  const versions = await r.schemas.earlier(id, head.entry.version);
  versions.push(head);
  const steps = await Promise.all(
    versions.map(async (v, i) => (i === 0 ? undefined : stepVerdict(r, versions[i - 1] as SchemaVersion, v))),
  );
  const { mode, policy } = modeOf(head.body);
  const dialect = (await r.schemas.validator(head)).dialect;
  return (
    <Layout title={`schema ${id}`}>
      <h1>{id}</h1>
      <p>
        <span class="tag">schema</span> version {head.entry.version}, JSON Schema {dialect}{' '}
        <a href={descriptorHref(id)}>descriptor</a>
      </p>
      {head.body.description === undefined ? null : <p>{head.body.description}</p>}
      <table>
        <tr>
          <th>mode in force for v{head.entry.version + 1}</th>
          <td id="mode">
            {mode} ({policy})
          </td>
        </tr>
        <tr>
          <th>references</th>
          <td id="references">
            {(head.body.references ?? []).length === 0
              ? '(none)'
              : (head.body.references ?? []).map((ref) => (
                  <div>
                    <span class="mono">{ref.ref}</span> → <a href={schemaHref(ref.id)}>{ref.id}</a> v
                    {ref.version}
                  </div>
                ))}
          </td>
        </tr>
      </table>
      <h2>Document</h2>
      <pre id="document" class="mono">
        {JSON.stringify(head.body.schema, null, 2)}
      </pre>
      <h2>Versions</h2>
      <table id="versions">
        <tr>
          <th>version</th>
          <th>ts</th>
          <th>mode it sets</th>
          <th>against the previous version</th>
        </tr>
        {versions.map((v, i) => {
          const step = steps[i];
          const m = modeOf(v.body);
          return (
            <tr>
              <td>{v.entry.version}</td>
              <td>{isoTime(v.entry.ts)}</td>
              <td>
                {m.mode} ({m.policy})
              </td>
              <td>
                <Verdict step={step} />
              </td>
            </tr>
          );
        })}
      </table>
    </Layout>
  );
}

function Verdict(props: { step: CompatVerdict | undefined }) {
  const s = props.step;
  if (s === undefined) return <span class="muted">(first version)</span>;
  if (s.compatible) {
    return (
      <span class="ok">
        compatible under {s.mode} ({s.policy})
      </span>
    );
  }
  return (
    <div>
      <span class="bad">
        incompatible under {s.mode} ({s.policy})
      </span>
      <ul>
        {s.violations.map((v) => (
          <li>
            <span class="mono">{v.change}</span> <span class="mono">{v.path || '/'}</span>: {v.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
