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

const COL = 280;
const GAP = 24;
const HEAD = 36;
const ROW = 52;
const PAD = 12;

/** Long ids and addresses are cut in the drawing; the full value is in the title and the table. */
function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The region map as a diagram: one box per region, its services inside, each linking to the
 * service's descriptor. Inline SVG markup, no script or style attribute (the console's CSP).
 */
export function RegionDiagram(props: { doc: RegionMapBody }) {
  const regions = Object.entries(props.doc.regions);
  const tallest = Math.max(1, ...regions.map(([, r]) => r.services.length));
  const height = HEAD + tallest * ROW + PAD * 2;
  const width = Math.max(1, regions.length) * (COL + GAP) + GAP;
  return (
    <svg
      class="regions"
      id="region-diagram"
      viewBox={`0 0 ${width} ${height + 2 * GAP}`}
      role="img"
      aria-label="region map"
    >
      {regions.map(([region, { services }], i) => {
        const x = GAP + i * (COL + GAP);
        const boxHeight = HEAD + Math.max(1, services.length) * ROW + PAD;
        return (
          <g>
            <rect class="region" x={x} y={GAP} width={COL} height={boxHeight} rx="8" />
            <text x={x + PAD} y={GAP + 24} font-weight="600">
              {clip(region, 34)}
            </text>
            {services.length === 0 ? (
              <text class="muted" x={x + PAD} y={GAP + HEAD + 24}>
                no services
              </text>
            ) : null}
            {services.map((svc, j) => {
              const y = GAP + HEAD + j * ROW;
              return (
                <a href={descriptorHref(svc.id)}>
                  <title>{`${svc.id} ${svc.addr} weight ${svc.weight}${svc.tls ? ' TLS' : ''}`}</title>
                  <rect class="svc" x={x + PAD} y={y} width={COL - 2 * PAD} height={ROW - 10} rx="5" />
                  <text x={x + PAD + 8} y={y + 17}>
                    {clip(svc.id, 36)}
                  </text>
                  <text class="muted" x={x + PAD + 8} y={y + 33}>
                    {clip(`${svc.addr} · w ${svc.weight}${svc.tls ? ' · TLS' : ''}`, 40)}
                  </text>
                </a>
              );
            })}
          </g>
        );
      })}
    </svg>
  );
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
          <RegionDiagram doc={doc} />
          <details>
            <summary>as a table</summary>
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
          </details>
        </>
      )}
    </Layout>
  );
}
