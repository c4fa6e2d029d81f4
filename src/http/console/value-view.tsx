import type { JSX } from 'hono/jsx/jsx-runtime';

/**
 * Any JSON value as nested tables and lists. Descriptor bodies are untrusted: every string
 * is a text child, so hono/jsx escapes it; nothing here builds raw HTML.
 */
export function ValueView(props: { value: unknown }): JSX.Element {
  const v = props.value;
  if (v === null || typeof v !== 'object') {
    return <span class={typeof v === 'string' ? '' : 'mono'}>{typeof v === 'string' ? v : String(v)}</span>;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return <span class="muted">(none)</span>;
    return (
      <ol class="arr">
        {v.map((item: unknown) => (
          <li>
            <ValueView value={item} />
          </li>
        ))}
      </ol>
    );
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return <span class="muted">(none)</span>;
  return (
    <table class="kv">
      {entries.map(([k, item]) => (
        <tr>
          <th>{k}</th>
          <td>
            <ValueView value={item} />
          </td>
        </tr>
      ))}
    </table>
  );
}
