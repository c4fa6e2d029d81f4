import type { RegionMapBody } from '../../core/index.js';
import type { Registry } from '../../registry/index.js';
import { descriptorHref, Layout } from './layout.js';

interface RegionMapDoc extends RegionMapBody {
  readonly version: number;
  readonly digest: string;
}

// Parsed once per region map (keyed by its bytes, which the snapshot replaces on apply).
const parsed = new WeakMap<Buffer, RegionMapDoc>();

function regionMapOf(r: Registry): RegionMapDoc | undefined {
  const view = r.snapshot.regions;
  if (view === undefined) return undefined;
  let doc = parsed.get(view.bytes);
  if (doc === undefined) {
    doc = JSON.parse(view.bytes.toString('utf8')) as RegionMapDoc;
    parsed.set(view.bytes, doc);
  }
  return doc;
}

export function RegionsPage(props: { r: Registry }) {
  const doc = regionMapOf(props.r);
  return (
    <Layout title="Region map">
      <h1>Region map</h1>
      {doc === undefined ? (
        <p class="muted">No region map has been applied yet.</p>
      ) : (
        <>
          <p class="muted">
            version {doc.version}, digest <span class="mono">{doc.digest}</span>
          </p>
          {Object.entries(doc.regions).map(([region, { services }]) => (
            <section>
              <h2>{region}</h2>
              <table class="region">
                <tr>
                  <th>service</th>
                  <th>address</th>
                  <th>TLS</th>
                  <th>weight</th>
                </tr>
                {services.map((s) => (
                  <tr>
                    <td>
                      <a href={descriptorHref(s.id)}>{s.id}</a>
                    </td>
                    <td class="mono">{s.addr}</td>
                    <td>{s.tls ? 'yes' : 'no'}</td>
                    <td>{s.weight}</td>
                  </tr>
                ))}
              </table>
            </section>
          ))}
        </>
      )}
    </Layout>
  );
}
