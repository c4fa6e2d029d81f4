/** A minimal SSE reader over fetch for tests: yields { id, event, data } messages. */
export interface SseMessage {
  id: string | undefined;
  event: string;
  data: string;
}

export async function* readSse(res: Response): AsyncGenerator<SseMessage> {
  if (res.body === null) return;
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += dec.decode(value, { stream: true });
      let idx = buf.indexOf('\n\n');
      while (idx >= 0) {
        const block = buf.slice(0, idx);
        buf = buf.slice(idx + 2);
        const msg: SseMessage = { id: undefined, event: 'message', data: '' };
        for (const line of block.split('\n')) {
          if (line.startsWith('id: ')) msg.id = line.slice(4);
          else if (line.startsWith('event: ')) msg.event = line.slice(7);
          else if (line.startsWith('data: ')) msg.data += line.slice(6);
        }
        if (block.trim() !== '') yield msg;
        idx = buf.indexOf('\n\n');
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** Reads messages until `stop` says so (or the stream ends). */
export async function collect(res: Response, stop: (seen: SseMessage[]) => boolean): Promise<SseMessage[]> {
  const seen: SseMessage[] = [];
  for await (const m of readSse(res)) {
    seen.push(m);
    if (stop(seen)) break;
  }
  return seen;
}
