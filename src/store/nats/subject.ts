/**
 * Descriptor ids in NATS subjects. `.` separates subject tokens and `*`, `>` and
 * whitespace are wildcards or invalid, so a token is the id with every byte outside
 * `[A-Za-z0-9_-]` written as `%XX` (SPEC §2 ids never hold `%`): readable in
 * `nats stream view`, and reversible. `@` and `:` are escaped too although subjects allow
 * them: measured on a 3-node nats-server 2.9.10 cluster, a message whose subject held `@`
 * often reached an ordered consumer with its subject cut at the `@` and the rest glued to
 * its reply subject, so its delivery metadata parsed as garbage (bench/cluster.ts).
 */
const SAFE = /^[A-Za-z0-9_-]$/;

export function idToken(id: string): string {
  let out = '';
  for (const ch of id) {
    if (SAFE.test(ch)) {
      out += ch;
      continue;
    }
    for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function tokenToId(token: string): string {
  return decodeURIComponent(token);
}

/** `<stream>.d.<token>`: one subject per descriptor id, so a per-subject CAS is a per-id CAS. */
export function descriptorSubject(stream: string, id: string): string {
  return `${stream}.d.${idToken(id)}`;
}

/** The id of a descriptor subject, or undefined for any other subject. */
export function idOfSubject(stream: string, subject: string): string | undefined {
  const prefix = `${stream}.d.`;
  if (!subject.startsWith(prefix)) return undefined;
  const token = subject.slice(prefix.length);
  if (token === '' || token.includes('.')) return undefined;
  try {
    return tokenToId(token);
  } catch {
    return undefined;
  }
}
