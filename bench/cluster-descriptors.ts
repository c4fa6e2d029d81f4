/**
 * bench/descriptors.ts's service descriptors (~700 B stored) with `.` instead of `@` in the
 * id (same size), re-signed. An id with `@` did not survive a 3-node nats-server 2.9.10
 * cluster before store/nats/subject.ts escaped `@` (the server cut the subject at the `@` on
 * its way to the follower, which then stalled; see the notes of bench/cluster.ts). The modes
 * compare on these ids; one run with the `@` ids checks the fix.
 */
import type { Payload, Signature, SigningKey } from '../src/core/index.js';
import { fastSigner } from '../test/helpers/fast-sign.js';
import { NOW } from '../test/helpers/fixtures.js';
import { benchDescriptor } from './descriptors.js';

export function clusterDescriptors(
  n: number,
  tag: string,
  signers: readonly SigningKey[],
): Array<{ descriptor: Payload; signatures: Signature[] }> {
  const sign = signers.map((k) => fastSigner(k));
  return Array.from({ length: n }, (_, i) => {
    const d = benchDescriptor(i, tag, signers);
    const descriptor = { ...d.payload, id: d.payload.id.replace('@', '.') } as Payload;
    return { descriptor, signatures: sign.map((s) => s(descriptor, NOW)) };
  });
}
