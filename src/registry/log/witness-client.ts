import { messageOf } from '../../core/index.js';
import {
  encodeBase64,
  type NoteVerifier,
  parseNote,
  signNote,
  verifiedCosignatures,
  witnessVerifier,
} from '../../core/tlog/index.js';
import type { SignedCheckpoint } from './signed-checkpoint.js';
import type { TransparencyLog } from './transparency-log.js';

export interface WitnessTargetOptions {
  /** The witness's cosignature vkey (type 0x04). */
  readonly vkey: string;
  /** Its URL prefix: the log POSTs to `<url>/add-checkpoint`. */
  readonly url: string;
}

export interface WitnessClientOptions {
  readonly witnesses: readonly WitnessTargetOptions[];
  /** CHECKPOINT_INTERVAL: re-send the latest checkpoint at least this often while idle. */
  readonly intervalMs: number;
  /** `registry_witness_requests_total{witness,result}`. */
  readonly onResult?: (witness: string, result: string) => void;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

interface Witness {
  readonly verifier: NoteVerifier;
  readonly url: string;
  /** The size this witness last cosigned, as far as the log knows (its 409 says otherwise). */
  old: number;
  inflight: boolean;
  /** The newest checkpoint it was sent (coalescing: a newer one is sent when the request ends). */
  sent: SignedCheckpoint | undefined;
}

/**
 * SPEC §13 log side of witnessing: every new checkpoint goes to each witness (coalesced: at
 * most one request in flight per witness, and only the newest checkpoint is sent next), and
 * the latest is re-sent every CHECKPOINT_INTERVAL so cosignature timestamps show freshness.
 * Verified cosignatures are added to the checkpoint, which the log then serves once it has
 * WITNESS_QUORUM of them.
 */
export class WitnessClient {
  readonly #log: TransparencyLog;
  readonly #witnesses: Witness[];
  readonly #opts: WitnessClientOptions;
  readonly #fetch: typeof fetch;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #running = new Set<Promise<void>>();

  constructor(log: TransparencyLog, opts: WitnessClientOptions) {
    this.#log = log;
    this.#opts = opts;
    this.#fetch = opts.fetch ?? fetch;
    this.#witnesses = opts.witnesses.map((w) => ({
      verifier: witnessVerifier(w.vkey),
      url: w.url.replace(/\/+$/, ''),
      old: 0,
      inflight: false,
      sent: undefined,
    }));
  }

  start(): void {
    this.#log.onCheckpoint = () => this.#sendAll(false);
    this.#timer = setInterval(() => this.#sendAll(true), this.#opts.intervalMs);
    this.#timer.unref();
    this.#sendAll(true);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#log.onCheckpoint = undefined;
    await Promise.allSettled([...this.#running]);
  }

  #sendAll(resend: boolean): void {
    const cp = this.#log.latest;
    if (cp === undefined || this.#closed) return;
    for (const w of this.#witnesses) {
      if (w.inflight) continue; // coalesced: the request's end sends the newest
      if (!resend && w.sent === cp) continue;
      const p = this.#run(w, cp);
      this.#running.add(p);
      void p.finally(() => this.#running.delete(p));
    }
  }

  async #run(w: Witness, first: SignedCheckpoint): Promise<void> {
    w.inflight = true;
    try {
      let cp: SignedCheckpoint | undefined = first;
      for (let round = 0; cp !== undefined && round < 8 && !this.#closed; round++) {
        const conflicted = await this.#send(w, cp);
        const latest = this.#log.latest;
        // After a 409 try once more from the witness's size; after success, send anything newer.
        cp = conflicted ? cp : latest !== undefined && latest !== cp ? latest : undefined;
      }
    } finally {
      w.inflight = false;
    }
  }

  /** One add-checkpoint request; true when the witness answered 409 with its size (retry from there). */
  async #send(w: Witness, cp: SignedCheckpoint): Promise<boolean> {
    w.sent = cp;
    const name = w.verifier.name;
    if (w.old > cp.size) {
      this.#opts.onResult?.(name, 'ahead');
      return false;
    }
    try {
      const proof = w.old > 0 && w.old < cp.size ? await this.#log.consistency(w.old, cp.size) : [];
      const note = signNote(cp.text, [], [cp.logSignature]);
      const body = `old ${w.old}\n${proof.map((h) => `${encodeBase64(h)}\n`).join('')}\n${note}`;
      const res = await this.#fetch(`${w.url}/add-checkpoint`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        signal: AbortSignal.timeout(this.#opts.timeoutMs ?? 10_000),
      });
      const text = await res.text();
      if (res.status === 409 && /^[0-9]{1,16}\n$/.test(text)) {
        const size = Number(text.trim());
        this.#opts.onResult?.(name, 'conflict');
        const retry = size !== w.old && size <= cp.size;
        w.old = size;
        return retry;
      }
      if (res.status !== 200) {
        this.#opts.onResult?.(name, `http_${res.status}`);
        return false;
      }
      // Attacker-controlled answer: only a cosignature that verifies under the witness's key counts.
      const signed = verifiedCosignatures(parseNote(`${cp.text}\n${text}`), [w.verifier]);
      const sig = signed[0];
      if (sig === undefined) {
        this.#opts.onResult?.(name, 'bad_cosignature');
        return false;
      }
      cp.addCosignature(sig.signature);
      w.old = cp.size;
      await this.#log.cosigned(cp);
      this.#opts.onResult?.(name, 'ok');
    } catch (err) {
      this.#opts.onResult?.(name, messageOf(err).includes('abort') ? 'timeout' : 'error');
    }
    return false;
  }
}
