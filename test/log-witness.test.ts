import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateKeyPem } from '../src/cli/key-file.js';
import { generateSigningKey } from '../src/core/index.js';
import {
  encodeBase64,
  encodeVkey,
  encodeWitnessVkey,
  formatCheckpoint,
  noteSigner,
  parseNote,
  SIG_TYPE_ED25519,
  signNote,
  verifiedCosignatures,
  witnessVerifier,
} from '../src/core/tlog/index.js';
import { defaultWitnessName, type Registry } from '../src/registry/index.js';
import { publish, servicePayload, tempDir } from './helpers/fixtures.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const ORIGIN = 'example.test/registry';
const logKey = generateSigningKey();
const witnessKey = generateSigningKey();
const witnessName = defaultWitnessName(witnessKey.publicKey);
const witnessVkey = encodeWitnessVkey(witnessName, witnessKey.publicKey);
const logVkey = encodeVkey(ORIGIN, SIG_TYPE_ED25519, logKey.publicKey);
const keys = tempDir('registry-keys-');
const witnessDb = tempDir('registry-witness-');
const witnessEnv = () => ({
  WITNESS_KEY: join(keys.path, 'witness.pem'),
  WITNESS_LOGS: logVkey,
  REGISTRY_DB: witnessDb.path,
});

let witness: TestServer;
let log: TestServer;

beforeAll(async () => {
  writeFileSync(join(keys.path, 'log.pem'), privateKeyPem(logKey), { mode: 0o600 });
  writeFileSync(join(keys.path, 'witness.pem'), privateKeyPem(witnessKey), { mode: 0o600 });
  witness = await startTestServer(witnessEnv());
  log = await startTestServer({
    LOG_KEY: join(keys.path, 'log.pem'),
    LOG_ORIGIN: ORIGIN,
    WITNESSES: `${witnessVkey}@${witness.url}/v1/registry/log/witness`,
    WITNESS_QUORUM: '1',
    CHECKPOINT_INTERVAL: '200ms',
  });
});
afterAll(async () => {
  await log.stop();
  await witness.stop();
  keys.cleanup();
  witnessDb.cleanup();
});

async function servedCheckpoint(): Promise<string> {
  return (await fetch(`${log.url}/v1/registry/log/checkpoint`)).text();
}

/** Polls until the served checkpoint has `size` and a cosignature from the witness (bounded). */
async function cosignedAt(size: number): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const note = await servedCheckpoint();
    const cosigned = verifiedCosignatures(parseNote(note), [witnessVerifier(witnessVkey)]);
    if (note.split('\n')[1] === String(size) && cosigned.length === 1) return note;
    if (Date.now() > deadline) throw new Error(`no cosigned checkpoint of size ${size}: ${note}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function addCheckpoint(body: string) {
  return fetch(`${witness.url}/v1/registry/log/witness/add-checkpoint`, { method: 'POST', body });
}

/** A checkpoint signed with the log's own key but over another root: a fork. */
function forged(size: number, root = new Uint8Array(32).fill(7)): string {
  return signNote(formatCheckpoint({ origin: ORIGIN, size, rootHash: root, extensions: [] }), [
    noteSigner(ORIGIN, logKey),
  ]);
}

describe('a log with WITNESSES and WITNESS_QUORUM=1', () => {
  it('serves checkpoints cosigned by the witness, including one for each new batch', async () => {
    await cosignedAt(1);
    await publish(log.running.state.registry as Registry, servicePayload('svc-w'));
    const note = await cosignedAt(2);
    expect(note.startsWith(`${ORIGIN}\n2\n`)).toBe(true);
    const metrics = await (await fetch(`${log.url}/metrics`)).text();
    expect(metrics).toMatch(/registry_witness_requests_total\{witness="[^"]+",result="ok"\} [1-9]/);
  });

  it('shows the cosignature and its age on the console log page', async () => {
    await cosignedAt(2);
    const html = await (await fetch(`${log.url}/ui/log`)).text();
    expect(html).toContain(ORIGIN);
    expect(html).toContain(witnessName);
    expect(html).toMatch(/size 2, signed/);
  });

  it('re-sends while idle, so the cosignature timestamp advances', async () => {
    const first = verifiedCosignatures(parseNote(await cosignedAt(2)), [witnessVerifier(witnessVkey)])[0];
    await new Promise((r) => setTimeout(r, 1300));
    const later = verifiedCosignatures(parseNote(await cosignedAt(2)), [witnessVerifier(witnessVkey)])[0];
    expect(later?.timestamp).toBeGreaterThan(first?.timestamp ?? Infinity);
  });
});

describe('the witness (WITNESS_KEY)', () => {
  it('answers the tlog-witness codes in order: 404, 403, 400, 409, 422', async () => {
    const other = generateSigningKey();
    const unknown = signNote(
      formatCheckpoint({ origin: 'other.test/log', size: 1, rootHash: new Uint8Array(32), extensions: [] }),
      [noteSigner('other.test/log', other)],
    );
    expect((await addCheckpoint(`old 0\n\n${unknown}`)).status).toBe(404);
    const untrusted = signNote(
      formatCheckpoint({ origin: ORIGIN, size: 9, rootHash: new Uint8Array(32), extensions: [] }),
      [noteSigner(ORIGIN, other)],
    );
    expect((await addCheckpoint(`old 2\n\n${untrusted}`)).status).toBe(403);
    expect((await addCheckpoint(`old 5\n\n${forged(3)}`)).status).toBe(400);
    const conflict = await addCheckpoint(`old 1\n\n${forged(3)}`);
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get('content-type')).toBe('text/x.tlog.size');
    expect(await conflict.text()).toBe('2\n');
    // Same size as the one it cosigned, another root: a fork, 409.
    expect((await addCheckpoint(`old 2\n\n${forged(2)}`)).status).toBe(409);
    const badProof = `old 2\n${encodeBase64(new Uint8Array(32))}\n\n${forged(3)}`;
    expect((await addCheckpoint(badProof)).status).toBe(422);
    expect((await addCheckpoint('not a request')).status).toBe(400);
  });

  it('keeps its state across a restart and still refuses the fork', async () => {
    await log.stop();
    await witness.stop();
    witness = await startTestServer(witnessEnv());
    const fork = await addCheckpoint(`old 2\n\n${forged(2)}`);
    expect(fork.status).toBe(409);
    expect(await fork.text()).toBe('2\n');
    expect((await addCheckpoint(`old 0\n\n${forged(2)}`)).status).toBe(409);
    log = await startTestServer({});
  });

  it('answers NotFound (envelope) where no WITNESS_KEY is set', async () => {
    const res = await fetch(`${log.url}/v1/registry/log/witness/add-checkpoint`, {
      method: 'POST',
      body: 'old 0\n',
    });
    expect(res.status).toBe(404);
  });
});
