import { type Kind, RegistryError } from '../../core/index.js';
import type { Entry, ListQuery, Registry } from '../../registry/index.js';
import { decodeCursor, encodeCursor } from '../read-routes.js';
import { descriptorHref, isoTime, Layout, UI } from './layout.js';

const KINDS: readonly Kind[] = ['service', 'node', 'region_map', 'governance'];
const PAGE = 50;

export interface ListFilters {
  readonly kind?: Kind;
  readonly prefix?: string;
  readonly deprecated?: boolean;
  readonly cursor?: string;
  readonly limit: number;
}

/** A bad filter in the page's URL: the hint is about the filters, not the descriptor schema. */
function filterError(field: string, problem: string): RegistryError {
  return new RegistryError(
    'BadRequest',
    `${field}: ${problem}`,
    'fix the filter in the page URL, or clear the filters',
  );
}

/** Parses the page's query like the API parses its own (same cursor, same kinds). */
export function parseFilters(q: (name: string) => string | undefined): ListFilters {
  const kind = q('kind') ?? '';
  if (kind !== '' && !KINDS.includes(kind as Kind))
    throw filterError('kind', `must be one of ${KINDS.join(', ')}`);
  // `true`/`false` too: what a user types after reading `deprecated: true` in a descriptor.
  const depRaw = q('deprecated') ?? '';
  const dep = depRaw === 'true' ? 'yes' : depRaw === 'false' ? 'no' : depRaw;
  if (!['', 'yes', 'no'].includes(dep)) throw filterError('deprecated', 'must be yes or no (or true, false)');
  const limit = q('limit') ?? '';
  if (limit !== '' && (!/^[0-9]{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > 500)) {
    throw filterError('limit', 'must be an integer from 1 to 500');
  }
  const prefix = q('prefix') ?? '';
  const cursor = q('cursor') ?? '';
  return {
    limit: limit === '' ? PAGE : Number(limit),
    ...(kind === '' ? {} : { kind: kind as Kind }),
    ...(prefix === '' ? {} : { prefix }),
    ...(dep === '' ? {} : { deprecated: dep === 'yes' }),
    ...(cursor === '' ? {} : { cursor }),
  };
}

/**
 * One page of heads from the snapshot's sorted index. The deprecated filter is not an index,
 * so it walks the index page by page (memory only) until the page is full.
 */
export function pageOf(r: Registry, f: ListFilters): { items: Entry[]; more: boolean } {
  const base: ListQuery = {
    limit: f.limit,
    ...(f.kind === undefined ? {} : { kind: f.kind }),
    ...(f.prefix === undefined ? {} : { prefix: f.prefix }),
  };
  let after = f.cursor === undefined ? undefined : decodeCursor(f.cursor);
  if (f.deprecated === undefined) return r.list({ ...base, ...(after === undefined ? {} : { after }) });
  const items: Entry[] = [];
  for (;;) {
    const page = r.list({ ...base, ...(after === undefined ? {} : { after }) });
    for (const e of page.items) {
      if (e.deprecated !== f.deprecated) continue;
      if (items.length === f.limit) return { items, more: true };
      items.push(e);
    }
    const last = page.items.at(-1);
    if (!page.more || last === undefined) return { items, more: false };
    after = last.id;
  }
}

function query(f: ListFilters, cursor?: string): string {
  const q = new URLSearchParams();
  if (f.kind !== undefined) q.set('kind', f.kind);
  if (f.prefix !== undefined) q.set('prefix', f.prefix);
  if (f.deprecated !== undefined) q.set('deprecated', f.deprecated ? 'yes' : 'no');
  if (f.limit !== PAGE) q.set('limit', String(f.limit));
  if (cursor !== undefined) q.set('cursor', cursor);
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

export function DescriptorsPage(props: { r: Registry; filters: ListFilters }) {
  const f = props.filters;
  const page = pageOf(props.r, f);
  const last = page.items.at(-1);
  const dep = f.deprecated === undefined ? '' : f.deprecated ? 'yes' : 'no';
  return (
    <Layout title="Descriptors">
      <h1>Descriptors</h1>
      <form class="filters" method="get" action={`${UI}/descriptors`}>
        <label>
          kind
          <select name="kind">
            <option value="">any</option>
            {KINDS.map((k) => (
              <option value={k} selected={f.kind === k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          id prefix
          <input name="prefix" value={f.prefix ?? ''} />
        </label>
        <label>
          deprecated
          <select name="deprecated">
            <option value="">any</option>
            <option value="no" selected={dep === 'no'}>
              no
            </option>
            <option value="yes" selected={dep === 'yes'}>
              yes
            </option>
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      {page.items.length === 0 ? (
        <p class="muted">No descriptors match.</p>
      ) : (
        <table id="descriptors">
          <tr>
            <th>id</th>
            <th>kind</th>
            <th>version</th>
            <th>state</th>
            <th>ts</th>
            <th>digest</th>
          </tr>
          {page.items.map((e) => (
            <tr>
              <td>
                <a href={descriptorHref(e.id)}>{e.id}</a>
              </td>
              <td>{e.kind}</td>
              <td>{e.version}</td>
              <td>{e.deprecated ? <span class="bad">deprecated</span> : 'published'}</td>
              <td>{isoTime(e.ts)}</td>
              <td class="mono">{e.digest.slice(0, 16)}…</td>
            </tr>
          ))}
        </table>
      )}
      <p class="pager">
        {f.cursor === undefined ? null : <a href={`${UI}/descriptors${query(f)}`}>First page</a>}
        {page.more && last !== undefined ? (
          <a rel="next" href={`${UI}/descriptors${query(f, encodeCursor(last.id))}`}>
            Next page
          </a>
        ) : null}
      </p>
    </Layout>
  );
}
