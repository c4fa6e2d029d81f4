import { RegistryError } from '../core/index.js';

/** One dispatched Server-Sent Events message (WHATWG HTML §9.2 event stream interpretation). */
export interface SseMessage {
  /** The `id:` field of this very message; undefined when it had none (e.g. progress notes). */
  readonly id: string | undefined;
  /** The `event:` field, `message` when absent. */
  readonly event: string;
  /** The `data:` lines joined with `\n`. */
  readonly data: string;
}

/** A peer that never ends a line or a message must not make the client buffer without bound. */
export const MAX_SSE_MESSAGE_BYTES = 1024 * 1024;

/**
 * Incremental event-stream parser. Attacker-controlled input: lines may end in CRLF, LF or
 * CR and may be split anywhere across chunks; a message is dispatched only at its blank
 * line, so one cut off by a dropped connection is never delivered half-read.
 */
export class SseParser {
  #buf = '';
  #skipLf = false;
  #id: string | undefined;
  #event = '';
  #data: string[] = [];
  #dataBytes = 0;
  #hasData = false;
  /** The last `id:` seen, as the WHATWG `lastEventId` (kept across messages). */
  lastEventId = '';

  /** Feeds decoded text; returns the messages completed by it. */
  push(text: string): SseMessage[] {
    const out: SseMessage[] = [];
    let start = 0;
    let s = this.#buf + text;
    this.#buf = '';
    if (this.#skipLf && s.startsWith('\n')) s = s.slice(1);
    this.#skipLf = false;
    for (let i = 0; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      if (ch !== 10 && ch !== 13) continue;
      this.#line(s.slice(start, i), out);
      if (ch === 13) {
        if (i + 1 < s.length) {
          if (s.charCodeAt(i + 1) === 10) i++;
        } else {
          this.#skipLf = true;
        }
      }
      start = i + 1;
    }
    this.#buf = s.slice(start);
    if (this.#buf.length + this.#dataBytes > MAX_SSE_MESSAGE_BYTES) {
      throw new RegistryError('BadRequest', `event stream message over ${MAX_SSE_MESSAGE_BYTES} bytes`);
    }
    return out;
  }

  #line(line: string, out: SseMessage[]): void {
    if (line === '') {
      this.#dispatch(out);
      return;
    }
    if (line.startsWith(':')) return; // comment (keep-alive)
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.#event = value;
        break;
      case 'data':
        this.#data.push(value);
        this.#dataBytes += value.length + 1;
        this.#hasData = true;
        break;
      case 'id':
        // WHATWG: an id containing NUL is ignored.
        if (!value.includes('\0')) {
          this.#id = value;
          this.lastEventId = value;
        }
        break;
      default:
        // `retry:` and unknown fields: the reconnect policy belongs to the caller.
        break;
    }
  }

  #dispatch(out: SseMessage[]): void {
    // WHATWG: a block without any `data:` line dispatches nothing (its id still counts).
    if (this.#hasData) {
      out.push({
        id: this.#id,
        event: this.#event === '' ? 'message' : this.#event,
        data: this.#data.join('\n'),
      });
    }
    this.#id = undefined;
    this.#event = '';
    this.#data = [];
    this.#dataBytes = 0;
    this.#hasData = false;
  }
}

/** Reads a response body as SSE messages; an unterminated last message is dropped (WHATWG). */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<SseMessage, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
