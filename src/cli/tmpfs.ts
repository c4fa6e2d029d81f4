import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The filesystem type of the mount holding `path` (longest mount-point prefix in
 * /proc/mounts), without creating anything. Undefined when it cannot be told.
 */
export function fsTypeOf(path: string, mounts = readMounts()): string | undefined {
  const abs = resolve(path);
  let best: { point: string; type: string } | undefined;
  for (const line of mounts.split('\n')) {
    const [, point, type] = line.split(' ');
    if (point === undefined || type === undefined) continue;
    const p = point.replace(/\\040/g, ' ');
    const inside = abs === p || abs.startsWith(p.endsWith('/') ? p : `${p}/`);
    if (inside && (best === undefined || p.length > best.point.length)) best = { point: p, type };
  }
  return best?.type;
}

function readMounts(): string {
  try {
    return readFileSync('/proc/mounts', 'utf8');
  } catch {
    return '';
  }
}
