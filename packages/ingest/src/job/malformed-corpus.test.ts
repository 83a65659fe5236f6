/**
 * A corpus of malformed files, each pushed through upload validation and the raw → processed job:
 * a file either is refused as a whole (an `IngestError` naming file, line, column where they apply,
 * and reason; nothing published, the bookmark does not move), or each bad row is rejected with its
 * line, column and reason while every other row lands unaltered. Never a crash, never a row
 * silently dropped or changed: rows_in = rows_out + rows_rejected, the rejects keep each record
 * byte for byte, and DuckDB reads back exactly the accepted values.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStorage } from '@lakeblocks/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCleaning } from '../cleaning/cleaning-rules.js';
import { IngestError } from '../errors/ingest-error.js';
import { openDuckDb, parquetScan } from '../testing/duckdb.js';
import { uploadStream } from '../upload/upload-file.js';
import { runRawToProcessed } from './raw-to-processed.js';
import { notesTable } from '../testing/notes-table.js';

const notes = notesTable({ granularity: 'month', kinds: ['a', 'b', 'desconocido'], qty: true });
const cleaning = defineCleaning(notes, {
  coerce: { amount: 'money', qty: 'integral-float' },
  defaults: { kind: 'desconocido' },
  dedupe: 'keep-first',
});
const HEADER = 'id,at,amount,qty,label,kind';
const ok = (id: number, label = 'x') => `${id},2025-01-0${(id % 9) + 1}T10:00:00,$1.50,2.0,${label},a`;
/** The accepted row `ok(id, label)` as DuckDB reads it back. */
const okRow = (id: number, label: string | null = 'x'): Row => [id, `2025-01-0${(id % 9) + 1} 10:00:00`, '1.50', 2, label, 'a'];

type Row = [number, string, string, number | null, string | null, string];
interface Refused {
  name: string;
  bytes: Uint8Array | string;
  /** The job's refusal. */
  refused: { reason: string; line?: number; column?: number; message: RegExp };
  /** Upload validation's refusal reason (`UploadRefused`); `null`: upload accepts it (the problem is past the header). */
  upload: string | null;
}
interface Rows {
  name: string;
  bytes: Uint8Array | string;
  accepted: Row[];
  /** [line, column, reason] of every rejected record, in file order. */
  rejected: [number, string, RegExp][];
  /** Upload validation accepts the file (only file-level problems refuse it); or its refusal reason. */
  upload?: string;
}

const lines = (...l: string[]) => `${l.join('\n')}\n`;
const bytesOf = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
const utf16 = (text: string, be: boolean) => {
  const le = Buffer.from(`\uFEFF${text}`, 'utf16le');
  if (be) for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
  return le;
};

const refusedCases: Refused[] = [
  {
    name: 'unbalanced quote swallowing the rest of the file',
    bytes: lines(HEADER, ok(1), '2,2025-01-02T10:00:00,$1.00,1,"never closed,a', ok(3), ok(4)),
    refused: { reason: 'unterminated-quote', line: 3, column: 31, message: /Unterminated quoted field opened at line 3, character 31/ },
    upload: 'malformed-csv',
  },
  {
    name: 'UTF-16 LE with BOM',
    bytes: utf16(lines(HEADER, ok(1)), false),
    refused: { reason: 'encoding', line: 1, message: /UTF-16/ },
    upload: 'encoding',
  },
  {
    name: 'UTF-16 BE with BOM',
    bytes: utf16(lines(HEADER, ok(1)), true),
    refused: { reason: 'encoding', line: 1, message: /UTF-16/ },
    upload: 'encoding',
  },
  {
    name: 'UTF-16 LE without BOM',
    bytes: Buffer.from(lines(HEADER, ok(1)), 'utf16le'),
    refused: { reason: 'encoding', line: 1, message: /NUL byte in the header line .*UTF-16/ },
    upload: 'encoding',
  },
  {
    name: 'Latin-1 byte in a value',
    bytes: bytesOf(lines(HEADER, ok(1)), '2,2025-01-02T10:00:00,$1.00,1,caf', [0xe9], ',a\n'),
    refused: { reason: 'encoding', line: 3, message: /line 3/ },
    upload: 'encoding',
  },
  {
    name: 'truncated UTF-8 sequence at the end',
    bytes: bytesOf(lines(HEADER, ok(1)), '2,2025-01-02T10:00:00,$1.00,1,x', [0xe2, 0x82]),
    refused: { reason: 'encoding', line: 3, message: /line 3/ },
    upload: 'encoding',
  },
  {
    name: 'overlong UTF-8 and an encoded surrogate',
    bytes: bytesOf(lines(HEADER, ok(1)), '2,2025-01-02T10:00:00,$1.00,1,', [0xc0, 0xaf], ',a\n', '3,2025-01-02T10:00:00,$1.00,1,', [0xed, 0xa0, 0x80], ',a\n'),
    refused: { reason: 'encoding', line: 3, message: /invalid byte 0xC0 .* at byte offset 94, line 3/ },
    upload: 'encoding',
  },
  {
    name: 'UTF-8 encoded surrogate (CESU-8)',
    bytes: bytesOf(lines(HEADER, ok(1)), '3,2025-01-02T10:00:00,$1.00,1,', [0xed, 0xa0, 0x80], ',a\n'),
    refused: { reason: 'encoding', line: 3, message: /at byte offset 94, line 3/ },
    upload: 'encoding',
  },
  {
    name: 'NUL byte in the header of a UTF-8 file',
    bytes: lines('id,at,amount,qty,label,kind\u0000', ok(1)),
    refused: { reason: 'encoding', line: 1, message: /NUL byte in the header line/ },
    upload: 'encoding',
  },
  { name: 'empty file', bytes: '', refused: { reason: 'empty', message: /empty/ }, upload: 'empty' },
  { name: 'BOM only', bytes: '\uFEFF', refused: { reason: 'empty', message: /empty/ }, upload: 'empty' },
  { name: 'blank lines only', bytes: '\n\r\n\n', refused: { reason: 'empty', message: /empty/ }, upload: 'empty' },
  {
    name: 'header missing a required column',
    bytes: lines('id,at,qty,label,kind', '1,2025-01-01T10:00:00,1,x,a'),
    refused: { reason: 'header-mismatch', line: 1, message: /missing column\(s\) "amount"/ },
    upload: 'header-mismatch',
  },
  {
    name: 'header with an unknown and a repeated column',
    bytes: lines('id,at,amount,qty,label,kind,Label,extra', ok(1)),
    refused: { reason: 'header-mismatch', line: 1, message: /"label" appears twice.*unknown column\(s\) "extra"/ },
    upload: 'header-mismatch',
  },
  {
    name: 'header repeated mid-file in another column order (rows after it could be read into the wrong columns)',
    bytes: lines(HEADER, ok(1), 'id,at,amount,qty,kind,label', '2,2025-01-02T10:00:00,$1.50,2,a,x'),
    refused: { reason: 'header-reordered', line: 3, message: /Line 3 of .* repeats the header in another column order/ },
    upload: null,
  },
];

const rowCases: Rows[] = [
  {
    name: 'old Mac line ends (CR only) and quoted header names',
    bytes: `"id","At",amount,qty,"label",kind\r${ok(1)}\r${ok(2, '"a\rb"')}\r3,2025-01-02T10:00:00,$1.00,1,x,z\r`,
    accepted: [okRow(1), okRow(2, 'a\rb')],
    rejected: [[5, 'kind', /expected one of/]],
  },
  {
    name: 'broken quotes inside records (text after a closing quote, a quote inside an unquoted field)',
    bytes: lines(HEADER, ok(1), '2,2025-01-02T10:00:00,$1.00,1,"ab"c,a', '3,2025-01-02T10:00:00,$1.00,1,a"b,a', '4,2025-01-02T10:00:00,$1.00,1,"a ""quoted"" word",a', ok(5)),
    accepted: [okRow(1), [4, '2025-01-02 10:00:00', '1.00', 1, 'a "quoted" word', 'a'], okRow(5)],
    rejected: [
      [3, 'label', /malformed CSV: text after the closing quote of field 5/],
      [4, 'label', /malformed CSV: a quote inside unquoted field 5/],
    ],
  },
  {
    name: 'wrong column counts (too few, too many, trailing delimiter, whitespace-only line)',
    bytes: lines(HEADER, '1,2025-01-01T10:00:00,$1.00,1,x', '2,2025-01-01T10:00:00,$1.00,1,x,a,extra', '3,2025-01-01T10:00:00,$1.00,1,x,a,', '   ', ok(5)),
    accepted: [okRow(5)],
    rejected: [
      [2, '', /expected 6 fields, found 5/],
      [3, '', /expected 6 fields, found 7/],
      [4, '', /expected 6 fields, found 7/],
      [5, '', /expected 6 fields, found 1/],
    ],
  },
  {
    name: 'bad numbers',
    bytes: lines(
      HEADER,
      '1,2025-01-01T10:00:00,$1.00,12abc,x,a',
      '2,2025-01-01T10:00:00,$1.00,99999999999,x,a',
      '3,2025-01-01T10:00:00,$1.00,2.5,x,a',
      '4,2025-01-01T10:00:00,$1.005,1,x,a',
      '5,2025-01-01T10:00:00,$--5,1,x,a',
      '6,2025-01-01T10:00:00,NaN,1,x,a',
      '7,2025-01-01T10:00:00,"1,5",1,x,a',
      '8,2025-01-01T10:00:00,1e3,1,x,a',
      '9x,2025-01-01T10:00:00,$1.00,1,x,a',
      '10,2025-01-01T10:00:00,$-0.50,-3.0,x,a',
      '11,2025-01-01T10:00:00,9999999999.99,+4,x,a',
      '12,2025-01-01T10:00:00,99999999999.00,1,x,a',
    ),
    accepted: [
      [10, '2025-01-01 10:00:00', '-0.50', -3, 'x', 'a'],
      [11, '2025-01-01 10:00:00', '9999999999.99', 4, 'x', 'a'],
    ],
    rejected: [
      [2, 'qty', /expected int/],
      [3, 'qty', /int out of range: "99999999999"/],
      [4, 'qty', /not an integral number: "2.5"/],
      [5, 'amount', /allows 2 digit\(s\) after the point/],
      [6, 'amount', /not a money amount|expected decimal/],
      [7, 'amount', /expected decimal/],
      [8, 'amount', /expected decimal/],
      [9, 'amount', /expected decimal/],
      [10, 'id', /expected int/],
      [13, 'amount', /decimal\(12,2\)/],
    ],
  },
  {
    name: 'bad dates and times',
    bytes: lines(
      HEADER,
      '1,2025-02-30T10:00:00,$1.00,1,x,a',
      '2,31/01/2025,$1.00,1,x,a',
      '3,2025-13-01 10:00:00,$1.00,1,x,a',
      '4,2025-01-01T25:00:00,$1.00,1,x,a',
      '5,,$1.00,1,x,a',
      '6,2025-01-01T10:00:00+02:00,$1.00,1,x,a',
      '7,2024-02-29 23:59:59.999999,$1.00,1,x,a',
      '8,2025-1-1T10:00:00,$1.00,1,x,a',
    ),
    accepted: [[7, '2024-02-29 23:59:59.999999', '1.00', 1, 'x', 'a']],
    rejected: [
      [2, 'at', /expected a timestamp|no such/],
      [3, 'at', /expected a timestamp/],
      [4, 'at', /expected a timestamp|no such/],
      [5, 'at', /expected a timestamp|no such/],
      [6, 'at', /missing value in a non-null column/],
      [7, 'at', /expected a timestamp/],
      [9, 'at', /expected a timestamp/],
    ],
  },
  {
    name: 'control characters (NUL, U+0001, DEL) in text and numbers; tab is kept',
    bytes: lines(
      HEADER,
      '1,2025-01-01T10:00:00,$1.00,1,a\u0000b,a',
      '2,2025-01-01T10:00:00,$1.00,1,"a\u0001b",a',
      '3,2025-01-01T10:00:00,$1.00,1,a\u007fb,a',
      '4,2025-01-01T10:00:00,$1.00,1\u0000,x,a',
      '5\u0000,2025-01-01T10:00:00,$1.00,1,x,a',
      '6,2025-01-01T10:00:00,$1.00,1,"a\tb",a',
    ),
    accepted: [[6, '2025-01-01 10:00:00', '1.00', 1, 'a\tb', 'a']],
    rejected: [
      [2, 'label', /control character U\+0000/],
      [3, 'label', /control character U\+0001/],
      [4, 'label', /control character U\+007F/],
      [5, 'qty', /expected int/],
      [6, 'id', /expected int/],
    ],
  },
  {
    name: 'duplicated header row (right after the header, mid-file, and in another spelling)',
    bytes: lines(HEADER, HEADER, ok(1), ' ID ,At,amount,QTY,label,kind', ok(2), '"id","at","amount","qty","label","kind"', ok(3)),
    accepted: [okRow(1), okRow(2), okRow(3)],
    rejected: [
      [2, '', /repeated header row/],
      [4, '', /repeated header row/],
      [6, '', /repeated header row/],
    ],
  },
  {
    name: 'header only',
    bytes: lines(HEADER),
    accepted: [],
    rejected: [],
    upload: 'header-only',
  },
  {
    name: 'missing and duplicate primary keys',
    bytes: lines(HEADER, ok(1), ok(1, 'second'), ',2025-01-01T10:00:00,$1.00,1,x,a', ok(2)),
    accepted: [okRow(1), okRow(2)],
    rejected: [
      [3, 'id', /duplicate primary key id=1/],
      [4, 'id', /missing primary key value/],
    ],
  },
  {
    name: 'valid but tricky text lands byte for byte (BOM, CRLF, lone CR, embedded newlines, non-ASCII, blank lines)',
    bytes: `\uFEFF${HEADER}\r\n${ok(1, 'café ✓ 𝄞 日本')}\r\n\r\n2,2025-01-02T10:00:00,$1.00,,"line one\r\nline two, ""2""",\r${ok(3, '" spaced "')}\n\n4,2025-01-04T10:00:00,$1.00,1,"",b\n5,2025-01-05T10:00:00,$1.00,1,x,c\n6,2025-01-06T10:00:00,$1.00,1,\u00a0nbsp\u00a0,b`,
    accepted: [okRow(1, 'café ✓ 𝄞 日本'), [2, '2025-01-02 10:00:00', '1.00', null, 'line one\r\nline two, "2"', 'desconocido'], okRow(3, 'spaced'), [4, '2025-01-04 10:00:00', '1.00', 1, null, 'b'], [6, '2025-01-06 10:00:00', '1.00', 1, '\u00a0nbsp\u00a0', 'b']],
    rejected: [[9, 'kind', /expected one of a\|b\|desconocido/]],
  },
];

let dir: string;
let db: Awaited<ReturnType<typeof openDuckDb>>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingest-corpus-'));
  db = await openDuckDb();
});
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function freshLake(): Promise<LocalStorage> {
  return new LocalStorage(join(dir, `lake-${n++}`), { durable: false });
}
async function keys(storage: LocalStorage, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of storage.listAll(prefix)) out.push(o.key);
  return out;
}
async function* chunks(b: Uint8Array | string, size = 5): AsyncGenerator<Uint8Array> {
  const buf = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}
const KEY = 'raw/notes/b1/notes.csv';

describe('malformed corpus: refused files', () => {
  it.each(refusedCases)('$name', async (c) => {
    const upload = await uploadStream(await freshLake(), 'notes.csv', chunks(c.bytes), { tables: [cleaning], batch: 'b1' }).catch((e: unknown) => e);
    if (c.upload === null) expect(upload).toMatchObject({ key: KEY });
    else {
      expect(upload).toBeInstanceOf(IngestError);
      expect(upload).toMatchObject({ _tag: 'UploadRefused', context: { file: 'notes.csv', reason: c.upload } });
    }

    const storage = await freshLake();
    await storage.put(KEY, typeof c.bytes === 'string' ? Buffer.from(c.bytes, 'utf8') : c.bytes);
    for (let attempt = 0; attempt < 2; attempt++) {
      // Refused again on a rerun: the bookmark did not move.
      const error = await runRawToProcessed({ storage, tables: [cleaning], runId: `r${attempt}` }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IngestError);
      const e = error as IngestError;
      expect(e._tag).toBe('CsvMalformed');
      expect(e.context).toMatchObject({ file: KEY, reason: c.refused.reason, ...(c.refused.line === undefined ? {} : { line: c.refused.line }), ...(c.refused.column === undefined ? {} : { column: c.refused.column }) });
      expect(e.message).toMatch(c.refused.message);
      expect(await keys(storage, 'processed/')).toEqual([]);
      expect(await keys(storage, 'rejects/')).toEqual([]);
    }
  });
});

describe('malformed corpus: rows rejected with reasons, the others unaltered', () => {
  it.each(rowCases)('$name', async (c) => {
    const input = typeof c.bytes === 'string' ? Buffer.from(c.bytes, 'utf8') : Buffer.from(c.bytes);
    const upload = await uploadStream(await freshLake(), 'notes.csv', chunks(input), { tables: [cleaning], batch: 'b1' }).catch((e: unknown) => e);
    if (c.upload === undefined) expect(upload).toMatchObject({ key: KEY, bytes: input.length });
    else expect(upload).toMatchObject({ _tag: 'UploadRefused', context: { reason: c.upload } });

    const storage = await freshLake();
    await storage.put(KEY, input);
    const result = await runRawToProcessed({ storage, tables: [cleaning], runId: 'run' });
    const file = result.tables[0]!.files[0]!;
    expect(file).toMatchObject({ rowsIn: c.accepted.length + c.rejected.length, rowsOut: c.accepted.length, rowsRejected: c.rejected.length });
    expect(file.rowsIn).toBe(file.rowsOut + file.rowsRejected);

    const got =
      c.accepted.length === 0
        ? []
        : (
            await db.query(
              `SELECT id, strftime("at", '%Y-%m-%d %H:%M:%S') || CASE WHEN microsecond("at") % 1000000 = 0 THEN '' ELSE '.' || lpad((microsecond("at") % 1000000)::VARCHAR, 6, '0') END AS at,
                amount::VARCHAR AS amount, qty, label, kind, year, month, typeof("at") AS t FROM ${parquetScan(storage.uri('processed/notes'))} ORDER BY id`,
            )
          ).map((r) => {
            expect(r.t).toBe('TIMESTAMP');
            expect([Number(r.year), Number(r.month)]).toEqual([Number(String(r.at).slice(0, 4)), Number(String(r.at).slice(5, 7))]);
            return [r.id, r.at, r.amount, r.qty, r.label, r.kind];
          });
    expect(got).toEqual(c.accepted);

    if (c.rejected.length === 0) {
      expect(await keys(storage, 'rejects/')).toEqual([]);
      return;
    }
    // The rejects file, read back by DuckDB: every rejected record with its reason, byte for byte.
    const rejects = await db.query(
      `SELECT source_file, line::INT AS line, "column", reason, raw_record FROM read_csv('${storage.uri('rejects/notes/run.csv')}', header = true, all_varchar = true, strict_mode = true, null_padding = false) ORDER BY line::INT`,
    );
    expect(rejects.map((r) => [r.line, r.column ?? ''])).toEqual(c.rejected.map(([line, column]) => [line, column]));
    const text = input.toString('utf8').replace(/^\uFEFF/, '');
    const physical = text.split(/\r\n|\n|\r/);
    rejects.forEach((r, i) => {
      expect(r.source_file).toBe(KEY);
      expect(r.reason).toMatch(c.rejected[i]![2]);
      expect(r.raw_record ?? '').toBe(physical[(r.line as number) - 1]);
    });
  });
});
