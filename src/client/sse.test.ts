import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SSE_MESSAGE_BYTES, readSse, SseParser } from './sse.js';

const STREAM =
  'id: 1\nevent: published\ndata: {"a":1}\n\n: keep-alive\n\nevent: progress\ndata: {"registry_version":1}\n\nid: 2\r\nevent: published\r\ndata:x\r\ndata: y\r\n\r\nid: 3\revent: deprecated\rdata: z\r\r';

const EXPECTED = [
  { id: '1', event: 'published', data: '{"a":1}' },
  { id: undefined, event: 'progress', data: '{"registry_version":1}' },
  { id: '2', event: 'published', data: 'x\ny' },
  { id: '3', event: 'deprecated', data: 'z' },
];

describe('SseParser', () => {
  it('reads LF, CRLF and CR line ends, comments and multi-line data', () => {
    expect(new SseParser().push(STREAM)).toEqual(EXPECTED);
  });

  it('gives the same messages however the text is split into chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(STREAM.length), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const parser = new SseParser();
        const out = [];
        let from = 0;
        for (const p of [...points, STREAM.length]) {
          out.push(...parser.push(STREAM.slice(from, p)));
          from = p;
        }
        expect(out).toEqual(EXPECTED);
      }),
    );
  });

  it('dispatches nothing without data, defaults the event name, ignores retry and NUL ids', () => {
    const p = new SseParser();
    expect(p.push('id: 7\n\nretry: 10\ndata\n\n')).toEqual([{ id: undefined, event: 'message', data: '' }]);
    expect(p.lastEventId).toBe('7');
    expect(p.push('id: a\0b\ndata: q\n\n')).toEqual([{ id: undefined, event: 'message', data: 'q' }]);
  });

  it('refuses a message that grows without end', () => {
    const p = new SseParser();
    expect(() => p.push(`data: ${'x'.repeat(MAX_SSE_MESSAGE_BYTES)}`)).toThrowRegistryError('BadRequest');
  });
});

describe('readSse', () => {
  it('drops a last message cut off before its blank line', async () => {
    const body = new Response('data: whole\n\ndata: half').body;
    if (body === null) throw new Error('no body');
    const out = [];
    for await (const m of readSse(body)) out.push(m.data);
    expect(out).toEqual(['whole']);
  });
});
