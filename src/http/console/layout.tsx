import type { Child } from 'hono/jsx';

export const UI = '/ui';

const NAV: ReadonlyArray<readonly [string, string]> = [
  [UI, 'Overview'],
  [`${UI}/descriptors`, 'Descriptors'],
  [`${UI}/descriptors?kind=schema`, 'Schemas'],
  [`${UI}/proposals`, 'Proposals'],
  [`${UI}/regions`, 'Region map'],
  [`${UI}/log`, 'Log'],
  [`${UI}/live`, 'Live'],
];

/** The console link of a descriptor; ids may hold `:` and `@`, so always encoded. */
export function descriptorHref(id: string, query?: Record<string, string>): string {
  const q = query === undefined ? '' : `?${new URLSearchParams(query).toString()}`;
  return `${UI}/descriptors/${encodeURIComponent(id)}${q}`;
}

/** RFC 3339 at second precision, as the API's error envelope writes times. */
export function isoTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Every page's frame. hono/jsx escapes every text child and attribute value. */
export function Layout(props: { title: string; script?: string; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · registry console`}</title>
        <link rel="stylesheet" href={`${UI}/style.css`} />
        <link rel="icon" href={`${UI}/favicon.svg`} />
        {props.script === undefined ? null : <script src={props.script} defer />}
      </head>
      <body>
        <header>
          <strong>registry</strong>
          <nav>
            {NAV.map(([href, label]) => (
              <a href={href}>{label}</a>
            ))}
          </nav>
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

/** The HTML face of the SPEC §5 envelope: same status and code, for a person in a browser. */
export function ErrorPage(props: {
  status: number;
  code: string;
  message: string;
  hint: string;
  requestId: string;
}) {
  return (
    <Layout title={props.code}>
      <h1>
        {props.status} {props.code}
      </h1>
      <p>{props.message}</p>
      {props.hint === '' ? null : <p class="muted">{props.hint}</p>}
      <p class="muted">
        request id <code>{props.requestId}</code>
      </p>
    </Layout>
  );
}
