import { describe, expect, it } from 'vitest';
import { IngestError } from '../errors/ingest-error.js';
import { Utf8ChunkDecoder, locateInvalidUtf8 } from './utf8.js';

function decodeAll(chunks: Uint8Array[]): string {
  const d = new Utf8ChunkDecoder('f.csv');
  return chunks.map((c) => d.decode(c)).join('') + d.end();
}

function failure(chunks: Uint8Array[]): IngestError {
  try {
    decodeAll(chunks);
  } catch (e) {
    return e as IngestError;
  }
  throw new Error('expected a failure');
}

describe('Utf8ChunkDecoder', () => {
  it('drops a BOM and joins characters split across chunks', () => {
    const bytes = Buffer.from('\uFEFFname\nMüller,García,👍\n');
    const chunks = [...bytes].map((b) => Uint8Array.of(b));
    expect(decodeAll(chunks)).toBe('name\nMüller,García,👍\n');
  });

  it('refuses Latin-1 bytes with their byte offset and line', () => {
    const latin1 = Buffer.from('id,name\n1,M\xfcller\n', 'latin1');
    const e = failure([latin1.subarray(0, 5), latin1.subarray(5)]);
    expect(e._tag).toBe('CsvMalformed');
    expect(e.context).toMatchObject({ offset: 11, line: 2, reason: 'encoding' });
    expect(e.message).toMatch(/invalid byte 0xFC .*byte offset 11, line 2/);
  });

  it('refuses UTF-16', () => {
    const e = failure([Buffer.from('\uFEFFid\n', 'utf16le')]);
    expect(e.message).toMatch(/UTF-16/);
  });

  it('refuses input ending inside a multi-byte character', () => {
    const e = failure([Buffer.from('ab\n'), Uint8Array.of(0xc3)]);
    expect(e.context).toMatchObject({ offset: 3, reason: 'encoding' });
  });

  it('locates a bad continuation that started in the previous chunk', () => {
    // 0xE2 0x82 | 0x41: a 3-byte character broken by 'A'.
    expect(locateInvalidUtf8(Uint8Array.of(0x61, 0xe2, 0x82), Uint8Array.of(0x41)).index).toBe(-2);
  });
});

describe('Utf8ChunkDecoder ASCII fast path', () => {
  it('decodes ASCII chunks and UTF-8 chunks alike, keeps a U+FEFF that is not at the start, strips a leading BOM', () => {
    const d = new Utf8ChunkDecoder('a.csv');
    const parts = [Buffer.from('id,name\n1,'), Buffer.from('\uFEFFx\n2,é'), Buffer.from([0xc3]), Buffer.from([0xa9, 0x0a]), Buffer.from('3,z\n')];
    expect(parts.map((p) => d.decode(p)).join('') + d.end()).toBe('id,name\n1,\uFEFFx\n2,éé\n3,z\n');
    const b = new Utf8ChunkDecoder('b.csv');
    expect(b.decode(Buffer.from('\uFEFFid\n')) + b.decode(Buffer.from('1\n')) + b.end()).toBe('id\n1\n');
  });

  it('still names the line and offset of an invalid byte after ASCII chunks', () => {
    const d = new Utf8ChunkDecoder('a.csv');
    d.decode(Buffer.from('id\n1\n'));
    expect(() => d.decode(Buffer.from([0x32, 0x0a, 0x33, 0xe9, 0x0a]))).toThrow(/byte offset 8, line 4/);
  });

  it('returns a prefix joined to the chunk, the same text whatever the prefix and chunk hold', () => {
    const cases: [string, string][] = [
      ['1,ab', 'c\n2,x\n'], // ASCII both: joined as bytes
      ['1,Mü', 'ller\n'], // Latin-1 prefix, ASCII chunk
      ['1,👍 ', 'ok\n'], // prefix beyond Latin-1
      ['1,', 'García\n'], // non-ASCII chunk
      ['', 'plain\n'],
      ['kept', ''], // empty chunk
    ];
    for (const [prefix, text] of cases) {
      const d = new Utf8ChunkDecoder('f.csv');
      expect(d.decode(Buffer.from('id,name\n'))).toBe('id,name\n');
      expect(d.decode(Buffer.from(text), prefix)).toBe(prefix + text);
      expect(d.bytesRead).toBe(8 + Buffer.byteLength(text));
    }
  });

  it('keeps counting lines and offsets of the chunk only when given a prefix', () => {
    const d = new Utf8ChunkDecoder('f.csv');
    d.decode(Buffer.from('id\n1\n'));
    const e = (() => {
      try {
        d.decode(Buffer.from('2\n\xff\n', 'latin1'), 'x\ny\n');
      } catch (error) {
        return error as IngestError;
      }
      throw new Error('expected a failure');
    })();
    expect(e.context).toMatchObject({ offset: 7, line: 4 });
  });
});
