import { describe, expect, it } from 'vitest';
import { dropCsvColumns } from './drop-csv-columns.js';

async function collect(parts: string[], drop: string[]): Promise<string> {
  async function* source() {
    for (const p of parts) yield new TextEncoder().encode(p);
  }
  const chunks: Uint8Array[] = [];
  for await (const c of dropCsvColumns(source(), drop)) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

describe('dropCsvColumns', () => {
  it('removes a middle, first and last column, keeping quoted commas, quotes and newlines', async () => {
    const csv = 'a,cvv,"b"\n1,"x,y",2\n"q""1","multi\nline","z,w"\n';
    expect(await collect([csv], ['CVV'])).toBe('a,"b"\n1,2\n"q""1","z,w"\n');
    expect(await collect([csv], ['a'])).toBe('cvv,"b"\n"x,y",2\n"multi\nline","z,w"\n');
    expect(await collect([csv], ['b'])).toBe('a,cvv\n1,"x,y"\n"q""1","multi\nline"\n');
  });

  it('is chunk-boundary safe (split inside quotes, inside CRLF, inside a multi-byte character) and keeps CRLF', async () => {
    const csv = 'id,cvv,name\r\n1,623,"Zoë, ""Z"""\r\n2,111,Ana';
    const bytes = new TextEncoder().encode(csv);
    const expected = 'id,name\r\n1,"Zoë, ""Z"""\r\n2,Ana';
    for (let cut = 1; cut < bytes.length; cut++) {
      const chunks: Uint8Array[] = [];
      async function* source() {
        yield bytes.subarray(0, cut);
        yield bytes.subarray(cut);
      }
      for await (const c of dropCsvColumns(source(), ['cvv'])) chunks.push(c);
      expect(Buffer.concat(chunks).toString('utf8'), `cut at ${cut}`).toBe(expected);
    }
  });

  it('passes a file without the column through unchanged', async () => {
    expect(await collect(['x,y\n1,2\n'], ['cvv'])).toBe('x,y\n1,2\n');
  });
});
