import { badRequest, type Descriptor } from '../../core/index.js';
import type { Entry, Registry } from '../../registry/index.js';
import { type DiffRow, sideBySide } from './diff.js';
import { descriptorHref, isoTime, Layout } from './layout.js';
import { schemaHref } from './schema.js';
import { governanceFor, signatureRows } from './signatures.js';
import { ValueView } from './value-view.js';

function parseVersion(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^[1-9][0-9]{0,15}$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw badRequest(name, 'must be a positive integer');
  }
  return Number(raw);
}

const descriptorOf = (e: Entry) => JSON.parse(e.bytes.toString('utf8')) as Descriptor;

/** The pretty-printed stored descriptor, one line per JSON line, for the diff. */
const linesOf = (e: Entry) => JSON.stringify(descriptorOf(e), null, 2).split('\n');

export async function DescriptorPage(props: {
  r: Registry;
  id: string;
  query: (name: string) => string | undefined;
}) {
  const { r, id } = props;
  const head = r.head(id);
  const a = parseVersion(props.query('a'), 'a');
  const b = parseVersion(props.query('b'), 'b');
  const d = descriptorOf(head);
  const { signatures: _, body, ...meta } = d;
  const gov = await governanceFor(r, d);
  const sigs = signatureRows(d, gov);
  // History reads this id's versions only (SPEC §4 desc/ keys), as the API's /versions does.
  const history = await r.history(id);
  const versions = history.map((h) => h.version);
  let diff: { a: number; b: number; rows: DiffRow[] } | undefined;
  if (a !== undefined && b !== undefined) {
    const [left, right] = await Promise.all([r.at(id, a), r.at(id, b)]);
    diff = { a, b, rows: sideBySide(linesOf(left), linesOf(right)) };
  }
  return (
    <Layout title={id}>
      <h1>{id}</h1>
      <p>
        <span class="tag">{head.kind}</span> version {head.version}{' '}
        {head.deprecated ? <span class="bad">deprecated</span> : <span class="ok">published</span>}
        {head.kind === 'schema' ? (
          <>
            {' '}
            <a href={schemaHref(id)}>schema page: document, versions, compatibility</a>
          </>
        ) : null}
      </p>
      <table>
        <tr>
          <th>digest</th>
          <td class="mono" id="digest">
            {head.digest}
          </td>
        </tr>
        <tr>
          <th>prev</th>
          <td class="mono">{meta.prev ?? '(none)'}</td>
        </tr>
        <tr>
          <th>ts</th>
          <td>{isoTime(meta.ts)}</td>
        </tr>
        <tr>
          <th>raw</th>
          <td>
            <a href={`/v1/registry/descriptors/${encodeURIComponent(id)}`}>JSON</a>
          </td>
        </tr>
      </table>
      <h2>Body</h2>
      <div id="body">
        <ValueView value={body} />
      </div>
      <h2>Signatures</h2>
      <p class="muted">
        {gov === undefined
          ? 'genesis: applied without a quorum'
          : `checked under governance v${gov.version} (threshold ${gov.threshold})`}
      </p>
      <table id="signatures">
        <tr>
          <th>signer</th>
          <th>valid</th>
          <th>note</th>
        </tr>
        {sigs.map((s) => (
          <tr>
            <td class="mono">{s.signer}</td>
            <td class={s.valid ? 'ok' : 'bad'}>{s.valid ? 'valid' : 'invalid'}</td>
            <td>{s.note}</td>
          </tr>
        ))}
      </table>
      <h2>History</h2>
      <table id="history">
        <tr>
          <th>version</th>
          <th>ts</th>
          <th>state</th>
          <th>digest</th>
          <th>compare</th>
        </tr>
        {history.map((h) => (
          <tr>
            <td>{h.version}</td>
            <td>{isoTime(h.ts)}</td>
            <td>{h.deprecated ? 'deprecated' : 'published'}</td>
            <td class="mono">{h.digest.slice(0, 16)}…</td>
            <td>
              {h.version === head.version ? null : (
                <a href={descriptorHref(id, { a: String(h.version), b: String(head.version) })}>
                  v{h.version} → v{head.version}
                </a>
              )}
            </td>
          </tr>
        ))}
      </table>
      <form class="filters" method="get" action={descriptorHref(id)}>
        <VersionSelect name="a" versions={versions} selected={a ?? Math.max(1, head.version - 1)} />
        <VersionSelect name="b" versions={versions} selected={b ?? head.version} />
        <button type="submit">Compare</button>
      </form>
      {diff === undefined ? null : <DiffTable {...diff} />}
    </Layout>
  );
}

function VersionSelect(props: { name: string; versions: readonly number[]; selected: number }) {
  return (
    <label>
      {props.name === 'a' ? 'from' : 'to'}
      <select name={props.name}>
        {props.versions.map((v) => (
          <option value={String(v)} selected={v === props.selected}>
            v{v}
          </option>
        ))}
      </select>
    </label>
  );
}

function DiffTable(props: { a: number; b: number; rows: readonly DiffRow[] }) {
  const cls = (kind: DiffRow['kind'], side: 'left' | 'right') =>
    kind === 'same' ? '' : side === 'left' ? (kind === 'add' ? '' : 'del') : kind === 'del' ? '' : 'add';
  return (
    <>
      <h2 id="diff">
        v{props.a} → v{props.b}
      </h2>
      <table class="diff">
        {props.rows.map((row) => (
          <tr class={row.kind}>
            <td class="n">{row.left?.n}</td>
            <td class={cls(row.kind, 'left')}>{row.left?.text}</td>
            <td class="n">{row.right?.n}</td>
            <td class={cls(row.kind, 'right')}>{row.right?.text}</td>
          </tr>
        ))}
      </table>
    </>
  );
}
