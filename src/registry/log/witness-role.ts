import { createHash } from 'node:crypto';
import { isRegistryError, type SigningKey } from '../../core/index.js';
import {
  addCheckpoint,
  bytesOf,
  type Cosigner,
  encodeBase64,
  encodeWitnessVkey,
  type NoteVerifier,
  noteVerifier,
  parseAddCheckpoint,
  parseHashBase64,
  type WitnessState,
} from '../../core/tlog/index.js';
import { KEY, type Store } from '../../store/index.js';
import { SerialQueues } from '../serial-queue.js';

export interface WitnessRoleOptions {
  /** WITNESS_KEY. */
  readonly key: SigningKey;
  /** WITNESS_NAME; default `localhost/witness/<first 16 hex of SHA-256 of the public key>`. */
  readonly name?: string;
  /** WITNESS_LOGS: the log vkeys (type 0x01) this witness cosigns for. */
  readonly logs: readonly string[];
  /** POSIX ms clock (the cosignature timestamp is in seconds). */
  readonly now?: () => number;
}

/** One plain-text answer of tlog-witness add-checkpoint (the only route outside SPEC §5's envelope). */
export interface WitnessReply {
  readonly status: 200 | 400 | 403 | 404 | 409 | 422;
  readonly contentType: string;
  readonly body: string;
}

/** SPEC §8 WITNESS_NAME default. */
export function defaultWitnessName(publicKey: Uint8Array): string {
  return `localhost/witness/${createHash('sha256').update(publicKey).digest('hex').slice(0, 16)}`;
}

/**
 * SPEC §13 witness (c2sp.org/tlog-witness): checks an add-checkpoint request against the
 * state last cosigned for its origin (`witness/<origin>`), and stores the new state durably
 * before answering, so a restarted witness never cosigns a checkpoint inconsistent with one it
 * already cosigned. Requests for one origin are checked one at a time.
 */
export class WitnessRole {
  readonly #store: Store;
  readonly #cosigner: Cosigner;
  readonly #logs: ReadonlyMap<string, readonly NoteVerifier[]>;
  readonly #now: () => number;
  readonly #queues = new SerialQueues();
  readonly vkey: string;

  constructor(store: Store, opts: WitnessRoleOptions) {
    this.#store = store;
    const name = opts.name ?? defaultWitnessName(opts.key.publicKey);
    this.#cosigner = { name, key: opts.key };
    this.vkey = encodeWitnessVkey(name, opts.key.publicKey);
    const logs = new Map<string, NoteVerifier[]>();
    for (const v of opts.logs) {
      const verifier = noteVerifier(v);
      logs.set(verifier.name, [...(logs.get(verifier.name) ?? []), verifier]);
    }
    this.#logs = logs;
    this.#now = opts.now ?? Date.now;
  }

  get name(): string {
    return this.#cosigner.name;
  }

  /** The add-checkpoint body (attacker-controlled, already bounded by the route) → the answer. */
  async addCheckpoint(body: Uint8Array): Promise<WitnessReply> {
    let request: ReturnType<typeof parseAddCheckpoint>;
    try {
      request = parseAddCheckpoint(body);
    } catch (err) {
      if (!isRegistryError(err, 'BadRequest') && !isRegistryError(err, 'BadSignature')) throw err;
      return { status: 400, contentType: 'text/plain; charset=utf-8', body: `${err.message}\n` };
    }
    const origin = request.checkpoint.origin;
    return this.#queues.run(`witness\n${origin}`, async () => {
      const answer = addCheckpoint({
        request,
        logs: this.#logs,
        state: this.#logs.has(origin) ? await this.state(origin) : undefined,
        cosigner: this.#cosigner,
        now: Math.floor(this.#now() / 1000),
      });
      if (answer.status === 200) {
        // SPEC §13: "stored durably before it answers".
        const value = bytesOf(
          JSON.stringify({ size: answer.state.size, root: encodeBase64(answer.state.rootHash) }),
        );
        await this.#store.putLogValues([{ type: 'put', key: KEY.witness(origin), value }]);
      }
      return { status: answer.status, contentType: answer.contentType, body: answer.body };
    });
  }

  /** The last cosigned size and root for `origin` (undefined: never cosigned). */
  async state(origin: string): Promise<WitnessState | undefined> {
    const raw = await this.#store.logValue(KEY.witness(origin));
    if (raw === undefined) return undefined;
    const v = JSON.parse(Buffer.from(raw).toString('utf8')) as { size: number; root: string };
    return { size: v.size, rootHash: parseHashBase64(v.root, `witness/${origin} root`) };
  }
}
