import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStorage } from '@lakeblocks/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCleaning } from '../cleaning/cleaning-rules.js';
import { PrimaryKeySet } from '../dedupe/primary-key-set.js';
import { IngestError } from '../errors/ingest-error.js';
import { ParquetDatasetWriter } from '../parquet/dataset-writer.js';
import type { RejectedRow } from '../rejects/rejected-row.js';
import { openDuckDb, parquetScan } from '../testing/duckdb.js';
import { ingestCsvFile, type IngestCsvFileOptions } from './ingest-csv-file.js';
import { portableCleaning, restoreCleaning } from './portable-cleaning.js';
import { notesTable } from '../testing/notes-table.js';

const notes = notesTable({ kinds: ['a', 'b', 'desconocido'] });
const cleaning = defineCleaning(notes, { coerce: { amount: 'money' }, defaults: { kind: 'desconocido' }, nullTokens: ['', 'NULL'] });

let dir: string;
let db: Awaited<ReturnType<typeof openDuckDb>>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingest-parallel-'));
  db = await openDuckDb();
});
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

/** Rows with quoted multi-line text, CRLF and lone CR line ends, blank lines and a few bad rows. */
function corpus(rows: number, middle = ''): string {
  const out: string[] = ['\uFEFFid,at,amount,label,kind\r\n'];
  for (let i = 1; i <= rows; i++) {
    const day = 1 + (i % 28);
    const at = `2025-02-${String(day).padStart(2, '0')} 10:${String(i % 60).padStart(2, '0')}:00`;
    const label = i % 7 === 0 ? `"multi\nline ""${i}"", with comma"` : i % 11 === 0 ? 'NULL' : `café-${i}`;
    const kind = i % 13 === 0 ? '' : i % 2 === 0 ? 'a' : 'b';
    const end = i % 5 === 0 ? '\r\n' : i % 17 === 0 ? '\r' : '\n';
    if (i % 401 === 0) out.push(`${i},not-a-time,$1.00,x,a\n`);
    else if (i % 599 === 0) out.push(`${i},${at},$1.00,x\n`);
    else out.push(`${i},${at},$${(i % 500) - 100}.${String(i % 100).padStart(2, '0')},${label},${kind}${end}`);
    if (i % 3001 === 0) out.push('\n');
    if (i === Math.floor(rows / 2)) out.push(middle);
  }
  return out.join('');
}

async function ingest(name: string, text: string, options: Partial<IngestCsvFileOptions>) {
  const path = join(dir, `${name}.csv`);
  await writeFile(path, text);
  const root = join(dir, `lake-${name}-${options.threads ?? 1}`);
  const storage = new LocalStorage(root, { durable: false });
  const writer = new ParquetDatasetWriter(storage, notes);
  const rejects: RejectedRow[] = [];
  try {
    const result = await ingestCsvFile(writer, path, { cleaning, file: `${name}.csv`, minParallelBytes: 0, onReject: (r) => rejects.push(r), ...options });
    const committed = await writer.commit();
    const rows = await db.query(`SELECT id, strftime("at", '%Y-%m-%d %H:%M:%S') AS at, amount::VARCHAR AS amount, label, kind, day FROM ${parquetScan(storage.uri('processed/notes'))} ORDER BY id`);
    return { result, rejects, rows, files: committed.files.map((f) => f.key.replace(/part-\w+-/, 'part-')).sort() };
  } finally {
    await writer.close();
  }
}

describe('ingestCsvFile', () => {
  it('gives the same rows, rejects (lines in the whole file) and counters on 3 threads (two cuts) as on one', async () => {
    const text = corpus(3_000);
    const one = await ingest('same', text, { threads: 1 });
    expect(one.result.threads).toBe(1);
    expect(one.result.stats.rowsIn).toBe(3_000);
    expect(one.rejects.length).toBeGreaterThan(10);
    expect(one.rows).toHaveLength(one.result.stats.rowsOut);
    for (const threads of [3]) {
      const many = await ingest('same', text, { threads });
      expect(many.result).toMatchObject({ threads });
      expect(many.result.sequentialBecause).toBeUndefined();
      expect(many.result.stats).toMatchObject({ rowsIn: 3_000, rowsOut: one.result.stats.rowsOut, rowsRejected: one.result.stats.rowsRejected, blankLines: one.result.stats.blankLines });
      expect(many.rejects).toEqual(one.rejects);
      expect(many.rows).toEqual(one.rows);
      expect(many.files.length).toBeGreaterThanOrEqual(28);
    }
    // The rejects point at the right physical lines.
    const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
    for (const r of one.rejects) expect(lines[r.line - 1]).toBe(r.rawRecord);
  });

  it('a cut inside a quoted field is detected; the file is read again on this thread, same result', async () => {
    // A quoted field of 8,000 lines that look like records, around the middle: the cut lands inside it.
    const inside = '1,2025-02-01 00:00:00,$1.00,x,a\n'.repeat(8_000);
    const big = `999999,2025-02-01 00:00:00,$1.00,"${inside}",a\n`;
    const text = corpus(1_000, big);
    const one = await ingest('cut', text, { threads: 1 });
    const two = await ingest('cut', text, { threads: 2 });
    expect(two.result.threads).toBe(1);
    expect(two.result.sequentialBecause).toMatch(/parallel read abandoned \(range 1 of 2: .*[Uu]nterminated/);
    expect(two.rows).toEqual(one.rows);
    expect(two.rejects).toEqual(one.rejects);
    expect(two.rows.find((r) => r.id === 999999)?.label).toBe(inside); // the final line break is data: only spaces and tabs are trimmed
  });

  it('an unterminated quote in a later range fails like the sequential read, naming the line', async () => {
    const text = `${corpus(2_000)}4000,2025-02-01 00:00:00,$1.00,"never closed,a\n4001,2025-02-01 00:00:00,$1.00,x,a\n`;
    const error = await ingest('open', text, { threads: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IngestError);
    const sequentialLine = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/).findIndex((l) => l.startsWith('4000,')) + 1;
    expect((error as IngestError).context).toMatchObject({ reason: 'unterminated-quote', line: sequentialLine, file: 'open.csv' });
  });

  it('reads on this thread when the rules cannot cross threads, saying why', async () => {
    const text = corpus(500);
    const coerced = await ingest('coerce', text, { threads: 2, cleaning: defineCleaning(notes, { ...cleaning.rules, coerce: { ...cleaning.rules.coerce, label: (t) => t } }) });
    expect(coerced.result).toMatchObject({ threads: 1, sequentialBecause: expect.stringMatching(/coercion of label is a function/) });
    const checked = await ingest('check', text, {
      threads: 2,
      cleaning: defineCleaning(notes, { ...cleaning.rules, checks: [{ name: 'positive', columns: ['id'], test: (r) => r.id > 0 }] }),
    });
    expect(checked.result.sequentialBecause).toMatch(/row checks are functions/);
    expect(checked.rows).toEqual(coerced.rows);
  });

  it('dedupes keep-first on 2 threads: within a range in the worker; a key kept by two ranges or seen in an earlier file falls back', async () => {
    const deduping = defineCleaning(notes, { ...cleaning.rules, dedupe: 'keep-first' });
    // Ids 10 and 2,990 repeated right after themselves: each repeat stays in its range.
    const near = corpus(3_000).replace(/\n(10,[^\n]*\n)/, '\n$1$1').replace(/\n(2990,[^\n]*\n)/, '\n$1$1');
    const one = await ingest('dd-near', near, { threads: 1, cleaning: deduping });
    const two = await ingest('dd-near', near, { threads: 2, cleaning: deduping, seenKeys: new PrimaryKeySet() });
    expect(one.rejects.filter((r) => /duplicate primary key id=(10|2990) /.test(r.reason))).toHaveLength(2);
    const { rowsIn, rowsOut, rowsRejected, blankLines } = one.result.stats;
    expect(two.result).toMatchObject({ threads: 2, stats: { rowsIn, rowsOut, rowsRejected, blankLines } });
    expect(two.result.sequentialBecause).toBeUndefined();
    expect(two.rejects).toEqual(one.rejects);
    expect(two.rows).toEqual(one.rows);
    // A second file sharing the first one's keys: new ids, but for id 2,000, which is a duplicate.
    const shared = new PrimaryKeySet();
    await ingest('dd-shared', near, { threads: 2, cleaning: deduping, seenKeys: shared });
    expect(shared.size).toBe(one.result.stats.rowsOut);
    const next = near.replace(/^(\d+),/gm, (m, id: string) => (id === '2000' ? m : `${Number(id) + 100_000},`));
    const again = await ingest('dd-shared2', next, { threads: 2, cleaning: deduping, seenKeys: shared });
    expect(again.result.sequentialBecause).toMatch(/primary key id = 2000 also occurs in another range or an earlier file/);
    expect(again.result.stats.rowsOut).toBe(one.result.stats.rowsOut - 1);
    expect(again.rejects.filter((r) => /duplicate/.test(r.reason)).map((r) => r.reason)).toEqual([
      'duplicate primary key id=100010 (the first occurrence is kept)',
      'duplicate primary key id=2000 (the first occurrence is kept)',
      'duplicate primary key id=102990 (the first occurrence is kept)',
    ]);
    expect(shared.size).toBe(2 * one.result.stats.rowsOut - 1);
    // Id 5 repeated at the end of the file: the second range keeps a key the first one kept.
    const far = `${near}5,2025-02-03 10:00:00,$1.00,late,a\n`;
    const oneFar = await ingest('dd-far', far, { threads: 1, cleaning: deduping });
    const twoFar = await ingest('dd-far', far, { threads: 2, cleaning: deduping });
    expect(twoFar.result.sequentialBecause).toMatch(/parallel read abandoned \(range \d of 2: primary key id = 5 also occurs/);
    expect(twoFar.rejects).toEqual(oneFar.rejects);
    expect(twoFar.rows).toEqual(oneFar.rows);
    expect(oneFar.rejects.at(-1)).toMatchObject({ reason: 'duplicate primary key id=5 (the first occurrence is kept)', rawRecord: '5,2025-02-03 10:00:00,$1.00,late,a' });
  });

  it('portable cleaning rebuilds the same table and rules', () => {
    const p = portableCleaning(cleaning)!;
    const back = restoreCleaning(structuredClone(p));
    expect(back.table.columns).toEqual(notes.columns);
    expect(back.table.partitioning).toEqual(notes.partitioning);
    expect(back.rules).toEqual(cleaning.rules);
    expect(portableCleaning(defineCleaning(notes, { coerce: { label: (t) => t.trim() } }))).toBeUndefined();
    const deduping = defineCleaning(notes, { dedupe: 'keep-first' });
    expect(portableCleaning(deduping)).toBeUndefined();
    expect(restoreCleaning(structuredClone(portableCleaning(deduping, [], { dedupe: true })!)).rules.dedupe).toBe('keep-first');
  });
});
