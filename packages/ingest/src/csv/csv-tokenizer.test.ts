import { describe, expect, it } from 'vitest';
import { IngestError } from '../errors/ingest-error.js';
import { CsvTokenizer, type CsvRecord } from './csv-tokenizer.js';

function tokenize(text: string, chunkSize = text.length || 1): CsvRecord[] {
  const t = new CsvTokenizer({ file: 't.csv' });
  const out: CsvRecord[] = [];
  for (let i = 0; i < text.length; i += chunkSize) out.push(...t.push(text.slice(i, i + chunkSize)));
  out.push(...t.end());
  return out;
}

const SAMPLE = 'id,text,n\r\n1,"Great, fast delivery",2\r\n2,"multi\nline ""quoted""",3\r\n3,,\r\n4,plain,5';

describe('CsvTokenizer', () => {
  it('parses RFC 4180: quotes, escaped quotes, embedded delimiters and newlines, CRLF, no final newline', () => {
    const records = tokenize(SAMPLE);
    expect(records.map((r) => r.fields)).toEqual([
      ['id', 'text', 'n'],
      ['1', 'Great, fast delivery', '2'],
      ['2', 'multi\nline "quoted"', '3'],
      ['3', '', ''],
      ['4', 'plain', '5'],
    ]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 5, 6]);
    expect(records[2]?.raw).toBe('2,"multi\nline ""quoted""",3');
  });

  it('gives the same records whatever the chunk boundaries', () => {
    const whole = tokenize(SAMPLE);
    for (const size of [1, 2, 3, 5, 7, 11]) expect(tokenize(SAMPLE, size)).toEqual(whole);
  });

  it('skips blank lines but keeps counting physical lines', () => {
    const t = new CsvTokenizer();
    const records = [...t.push('a,b\n\n1,2\r\n\r\n3,4\n'), ...t.end()];
    expect(records.map((r) => [r.line, r.fields.join('|')])).toEqual([
      [1, 'a|b'],
      [3, '1|2'],
      [5, '3|4'],
    ]);
    expect(t.blankLines).toBe(2);
  });

  it('keeps an empty last field after a trailing delimiter', () => {
    expect(tokenize('a,b,\n1,2,').map((r) => r.fields)).toEqual([
      ['a', 'b', ''],
      ['1', '2', ''],
    ]);
  });

  it('flags text after a closing quote and a quote inside an unquoted field, without failing the file', () => {
    const records = tokenize('a,b\n"x"y,1\n5" screen,2\n');
    expect(records[1]?.problem?.reason).toMatch(/after the closing quote of field 1/);
    expect(records[1]?.fields).toEqual(['xy', '1']);
    expect(records[2]?.problem?.reason).toMatch(/quote inside unquoted field 1/);
  });

  it('fails on an unterminated quote, naming file, line and character where it opened', () => {
    const text = 'id,text\n1,ok\n2,"never closed\n3,x\n4,y\n';
    for (const size of [text.length, 4]) {
      const error = (() => {
        try {
          tokenize(text, size);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(IngestError);
      const e = error as IngestError;
      expect(e._tag).toBe('CsvMalformed');
      expect(e.context).toMatchObject({ file: 't.csv', line: 3, column: 3, reason: 'unterminated-quote' });
      expect(e.message).toMatch(/Unterminated quoted field opened at line 3, character 3/);
    }
  });

  it('bounds memory: a quote swallowing more than maxRecordChars fails early', () => {
    const t = new CsvTokenizer({ file: 'big.csv', maxRecordChars: 100 });
    t.push('a\n"');
    expect(() => t.push('x'.repeat(200))).toThrow(/line 2, character 1 \(the record grew past 100 characters\)/);
  });

  it('supports another delimiter', () => {
    const t = new CsvTokenizer({ delimiter: ';' });
    expect([...t.push('a;b\n1;"x;y"\n'), ...t.end()].map((r) => r.fields)).toEqual([
      ['a', 'b'],
      ['1', 'x;y'],
    ]);
  });
});

describe('CsvTokenizer against csv-parse', () => {
  it('gives the same fields on random RFC 4180 text (quotes, escapes, CRLF/LF, blank lines), whatever the chunks', async () => {
    const { parse } = await import('csv-parse/sync');
    let seed = 1;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const pick = <T,>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
    for (let round = 0; round < 40; round++) {
      const rows: string[] = [];
      const width = 1 + Math.floor(rand() * 5);
      for (let r = 0; r < 30; r++) {
        const fields: string[] = [];
        for (let f = 0; f < width; f++) {
          const plain = pick(['', 'a', '12.5', 'xyz abc', '2025-01-31 10:00:00']);
          fields.push(rand() < 0.2 ? `"${pick(['a,b', 'say ""hi""', 'multi\nline', 'cr\r\nlf', ''])}"` : plain);
        }
        rows.push(fields.join(','));
        if (rand() < 0.05) rows.push('');
      }
      const eol = pick(['\n', '\r\n']);
      const text = rows.join(eol) + (rand() < 0.5 ? eol : '');
      const expected = (parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][]);
      for (const size of [text.length, 1, 7, 64]) {
        const got = tokenize(text, size).map((r) => r.fields);
        expect(got, `round ${round}, chunks of ${size}`).toEqual(expected);
      }
    }
  });
});
