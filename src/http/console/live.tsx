import type { Registry } from '../../registry/index.js';
import { Layout, UI } from './layout.js';
import { EventList, lastEvents } from './overview.js';

/**
 * The last events rendered on the server (readable without JavaScript), then /ui/live.js
 * follows the watch stream from this page's registry version, so nothing is missed or doubled.
 */
export async function LivePage(props: { r: Registry }) {
  const events = await lastEvents(props.r);
  return (
    <Layout title="Live" script={`${UI}/live.js`}>
      <h1>
        Live events{' '}
        <span id="state" class="muted">
          connecting…
        </span>
      </h1>
      <noscript>
        <p class="muted">The live feed needs JavaScript; the list below is as of loading.</p>
      </noscript>
      <EventList events={events} since={props.r.version} live />
    </Layout>
  );
}
