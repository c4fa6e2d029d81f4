/**
 * The console's only static files, served from memory at /ui/style.css and /ui/live.js so the
 * Content-Security-Policy can forbid every inline style and script.
 */

export const STYLE_CSS = `
:root { color-scheme: light dark; --fg: #1d2430; --muted: #5b6675; --bg: #fbfbfc; --line: #d9dde3;
  --accent: #1f5fbf; --ok: #16794a; --bad: #b3261e; --add: #e6f4ea; --del: #fce8e6; }
@media (prefers-color-scheme: dark) { :root { --fg: #e3e6ea; --muted: #9aa4b1; --bg: #15181d;
  --line: #2c323b; --accent: #7fb0ff; --ok: #5fd39a; --bad: #ff8a80; --add: #1f3a2a; --del: #43211f; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; gap: 1.5rem; align-items: baseline; padding: .75rem 1.5rem;
  border-bottom: 1px solid var(--line); }
header strong { font-size: 1.1rem; }
nav a { margin-right: 1rem; }
main { padding: 1rem 1.5rem 3rem; max-width: 1200px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 1.4rem; margin: .5rem 0 1rem; word-break: break-all; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
table { border-collapse: collapse; margin: .25rem 0 1rem; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
.mono { word-break: break-all; }
.muted { color: var(--muted); }
.ok { color: var(--ok); }
.bad { color: var(--bad); }
.tag { display: inline-block; padding: 0 .4rem; border: 1px solid var(--line); border-radius: 3px; }
.cards { display: flex; flex-wrap: wrap; gap: 1rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .5rem 1rem; min-width: 14rem; }
form.filters { display: flex; gap: .75rem; align-items: end; flex-wrap: wrap; margin-bottom: 1rem; }
form label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
table.kv { margin: 0; }
table.kv th { width: 1%; white-space: nowrap; }
ol.arr { margin: 0; padding-left: 1.5rem; }
table.diff { width: 100%; table-layout: fixed; }
table.diff td { white-space: pre-wrap; word-break: break-all; font-family: ui-monospace, monospace;
  font-size: 12px; padding: 0 .4rem; border: 0; }
table.diff td.n { width: 3rem; color: var(--muted); text-align: right; }
table.diff .del { background: var(--del); }
table.diff .add { background: var(--add); }
ul.events { list-style: none; padding: 0; }
ul.events li { padding: .3rem 0; border-bottom: 1px solid var(--line); }
.pager a { margin-right: 1rem; }
.big { font-size: 2.4rem; font-weight: 600; margin: .25rem 0; font-family: ui-monospace, monospace; }
ul.signers { list-style: none; padding: 0; margin: 0; }
ul.signers li { font-family: ui-monospace, monospace; font-size: 12px; word-break: break-all; }
ul.signers li.signed::before { content: "\\2713  "; color: var(--ok); }
ul.signers li.missing::before { content: "\\00b7  "; color: var(--muted); }
svg.regions { max-width: 100%; height: auto; font: 12px system-ui, sans-serif; }
svg.regions rect.region { fill: none; stroke: var(--line); stroke-width: 2; }
svg.regions rect.svc { fill: var(--bg); stroke: var(--accent); }
svg.regions text { fill: var(--fg); }
svg.regions text.muted { fill: var(--muted); }
svg.regions a:hover rect.svc { stroke-width: 2; }
`;

/**
 * The live feed (the one page that needs JavaScript). EventSource reconnects by itself and
 * sends Last-Event-ID, so the stream resumes where it broke. Text goes in through
 * textContent only: event data is untrusted.
 */
export const LIVE_JS = `
(function () {
  var list = document.getElementById('events');
  var state = document.getElementById('state');
  if (!list || !state) return;
  var since = list.getAttribute('data-since') || '0';
  var es = new EventSource('/v1/registry/watch?since=' + encodeURIComponent(since));
  function add(ev) {
    var e;
    try { e = JSON.parse(ev.data); } catch (err) { return; }
    var d = e.data || {};
    var li = document.createElement('li');
    li.setAttribute('data-seq', String(e.id));
    var seq = document.createElement('span');
    seq.className = 'muted mono';
    seq.textContent = '#' + e.id + ' ';
    var type = document.createElement('span');
    type.className = 'tag';
    type.textContent = ev.type;
    var a = document.createElement('a');
    a.href = '/ui/descriptors/' + encodeURIComponent(String(d.descriptor_id));
    a.textContent = ' ' + d.descriptor_id + ' v' + d.version;
    var time = document.createElement('span');
    time.className = 'muted';
    time.textContent = ' ' + e.time;
    li.appendChild(seq); li.appendChild(type); li.appendChild(a); li.appendChild(time);
    list.insertBefore(li, list.firstChild);
  }
  es.addEventListener('published', add);
  es.addEventListener('deprecated', add);
  es.addEventListener('progress', function () { state.textContent = 'live'; state.className = 'ok'; });
  es.onopen = function () { state.textContent = 'live'; state.className = 'ok'; };
  es.onerror = function () { state.textContent = 'reconnecting…'; state.className = 'bad'; };
})();
`;

/** A tab icon of our own: without one the browser asks for /favicon.ico and logs a 404. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f5fbf"/></svg>';

/** Scripts only from this origin, styles only from /ui/style.css, no frames, no plugins. */
export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};
