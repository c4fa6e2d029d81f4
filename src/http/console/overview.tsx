import type { Registry } from '../../registry/index.js';
import type { LogEntry } from '../../store/index.js';
import type { AppDeps } from '../app.types.js';
import { countsByKind } from './counts.js';
import { descriptorHref, Layout, UI } from './layout.js';

const LAST_EVENTS = 20;

/** The same three states /readyz reports (SPEC §5), read from the same service state. */
export function readiness(deps: AppDeps, r: Registry): { store: string; bus: string; writes: string } {
  const writes = r.writesDegraded ? 'degraded' : deps.state.mode.kind === 'mirror' ? 'read-only' : 'ok';
  return { store: 'ok', bus: 'ok', writes };
}

/** The newest log entries, newest first: from the bus's in-memory tail, else one bounded log read. */
export async function lastEvents(r: Registry, n = LAST_EVENTS): Promise<LogEntry[]> {
  const from = Math.max(0, r.version - n);
  return (await r.bus.read(from, n)).reverse();
}

export function EventList(props: { events: readonly LogEntry[]; since: number; live?: boolean }) {
  return (
    <ul class="events" id={props.live === true ? 'events' : undefined} data-since={String(props.since)}>
      {props.events.map((e) => (
        <li data-seq={String(e.seq)}>
          <span class="muted mono">#{e.seq} </span>
          <span class="tag">{e.type}</span>{' '}
          <a href={descriptorHref(e.descriptor_id)}>
            {e.descriptor_id} v{e.version}
          </a>{' '}
          <span class="muted">{new Date(e.ts).toISOString()}</span>
        </li>
      ))}
    </ul>
  );
}

export async function OverviewPage(props: { deps: AppDeps; r: Registry }) {
  const { deps, r } = props;
  const ready = readiness(deps, r);
  const counts = countsByKind(r.snapshot);
  const gov = r.snapshot.governance;
  const events = await lastEvents(r);
  return (
    <Layout title="Overview">
      <h1>Overview</h1>
      <div class="cards">
        <div class="card">
          <h2>Registry version</h2>
          <p class="big" id="registry-version">
            {r.version}
          </p>
          <p class="muted">server {deps.version}</p>
        </div>
        <div class="card">
          <h2>Readiness</h2>
          <table>
            {Object.entries(ready).map(([k, v]) => (
              <tr>
                <th>{k}</th>
                <td class={v === 'ok' ? 'ok' : 'bad'}>{v}</td>
              </tr>
            ))}
          </table>
        </div>
        <div class="card">
          <h2>Proposals</h2>
          <p>
            <a href={`${UI}/proposals`}>{r.pendingCount} pending</a>
          </p>
        </div>
      </div>
      <h2>Descriptors</h2>
      <table>
        <tr>
          <th>kind</th>
          <th>published</th>
          <th>deprecated</th>
        </tr>
        {Object.entries(counts).map(([kind, c]) => (
          <tr>
            <td>
              <a href={`${UI}/descriptors?kind=${kind}`}>{kind}</a>
            </td>
            <td>{c.published}</td>
            <td>{c.deprecated}</td>
          </tr>
        ))}
      </table>
      <h2>Governance</h2>
      <p>
        version <a href={descriptorHref('governance')}>{gov.version}</a>, threshold {gov.threshold} of{' '}
        {gov.signers.size}
      </p>
      <ul>
        {[...gov.signers].map((s) => (
          <li class="mono">{s}</li>
        ))}
      </ul>
      <h2>Last events</h2>
      <EventList events={events} since={r.version} />
      <p>
        <a href={`${UI}/live`}>Follow live</a>
      </p>
    </Layout>
  );
}
