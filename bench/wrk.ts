/**
 * Runs Debian's `wrk` (closed loop, as fast as the server answers) with bench/read.lua and
 * reads its summary; samples its CPU from /proc while it runs. Plus the /proc readings
 * bench/read.ts uses to tell what else the machine was doing during a round.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('read.lua', import.meta.url));

/** The wrk binary on PATH, or undefined. */
export function findWrk(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU seconds (user + system) a live process has used, from /proc/<pid>/stat; NaN if gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return Number.NaN;
  }
}

/** Busy CPU seconds of the whole machine (all cores) from /proc/stat. */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (
    ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) /
    ticksPerSecond()
  );
}

export interface WrkResult {
  readonly rps: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly socketErrors: string | undefined;
  /** wrk's own latency percentiles under saturation (closed loop), ms. */
  readonly p50: number;
  readonly p99: number;
  /** wrk's CPU while it ran, in cores (sampled from /proc every 250 ms). */
  readonly cores: number;
  readonly output: string;
}

function ms(text: string): number {
  const m = /^([0-9.]+)(us|ms|s|m)$/.exec(text.trim());
  if (m === null) return Number.NaN;
  const scale = { us: 1e-3, ms: 1, s: 1e3, m: 6e4 }[m[2] as 'us' | 'ms' | 's' | 'm'];
  return Number(m[1]) * scale;
}

export function runWrk(
  wrk: string,
  opts: { url: string; idsFile: string; threads: number; connections: number; seconds: number },
): Promise<WrkResult> {
  const args = [
    `-t${opts.threads}`,
    `-c${opts.connections}`,
    `-d${opts.seconds}s`,
    '--latency',
    '-s',
    SCRIPT,
    opts.url,
    '--',
    opts.idsFile,
  ];
  return new Promise((resolve, reject) => {
    const p = spawn(wrk, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const pid = p.pid ?? -1;
    let first: { t: number; cpu: number } | undefined;
    let last: { t: number; cpu: number } | undefined;
    const sample = setInterval(() => {
      const cpu = processCpuSeconds(pid);
      if (Number.isNaN(cpu)) return;
      const s = { t: performance.now(), cpu };
      first ??= s;
      last = s;
    }, 250);
    p.on('error', reject);
    p.on('close', (code) => {
      clearInterval(sample);
      if (code !== 0) {
        reject(new Error(`wrk exited with ${code}: ${out}`));
        return;
      }
      const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? Number.NaN);
      const cores =
        first !== undefined && last !== undefined && last.t > first.t
          ? (last.cpu - first.cpu) / ((last.t - first.t) / 1000)
          : Number.NaN;
      resolve({
        rps: num(/Requests\/sec:\s+([0-9.]+)/),
        requests: num(/([0-9]+) requests in/),
        non2xx: Number(/Non-2xx or 3xx responses: ([0-9]+)/.exec(out)?.[1] ?? 0),
        socketErrors: /Socket errors: (.*)/.exec(out)?.[1],
        p50: ms(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? ''),
        p99: ms(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? ''),
        cores,
        output: out,
      });
    });
  });
}
