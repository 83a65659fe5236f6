import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStorage, col, definePipeline, defineTable } from '@lakeblocks/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCleaning } from '../cleaning/cleaning-rules.js';
import { openDuckDb, parquetScan } from '../testing/duckdb.js';
import { rawToProcessedStep } from './raw-to-processed.js';

// A transactions-shaped table deduped keep-first on id, like the Nequi one.
const payments = defineTable({
  name: 'payments',
  columns: {
    id: col.int(),
    at: col.timestamp(),
    amount: col.decimal(12, 2),
    note: col.string().nullable(),
    kind: col.enum(['a', 'b', 'desconocido']),
  },
  primaryKey: ['id'],
  partitioning: { kind: 'time', column: 'at', granularity: 'month' },
});
const cleaning = defineCleaning(payments, { coerce: { amount: 'money' }, defaults: { kind: 'desconocido' }, nullTokens: ['', 'NULL'], dedupe: 'keep-first' });

/**
 * `rows` records with quoted multi-line notes, CRLF line ends, bad rows, and duplicate ids: each
 * id in `dupes` is repeated `gap` records later (so the repeat stays in the same range when `gap`
 * is small). `middle` is inserted halfway.
 */
function file(first: number, rows: number, options: { dupes?: (id: number) => boolean; gap?: number; middle?: string; tail?: string } = {}): string {
  const out = ['id,at,amount,note,kind\r\n'];
  const repeats = new Map<number, string>();
  for (let i = first; i < first + rows; i++) {
    const month = 1 + (i % 12);
    const line = `${i},2024-${String(month).padStart(2, '0')}-0${1 + (i % 9)}T08:${String(i % 60).padStart(2, '0')}:00,$${(i % 300) - 50}.${String(i % 100).padStart(2, '0')},${i % 9 === 0 ? `"two\nlines, ""${i}"""` : i % 10 === 0 ? 'NULL' : `n${i}`},${i % 6 === 0 ? '' : i % 2 ? 'a' : 'b'}${i % 4 === 0 ? '\r\n' : '\n'}`;
    out.push(i % 333 === 0 ? `${i},2024-13-01T00:00:00,$1.00,bad,a\n` : line);
    if (options.dupes?.(i)) repeats.set(i + (options.gap ?? 3), `${i},2024-05-05T05:05:05,$9.99,"dup of ${i}",b\n`);
    const r = repeats.get(i);
    if (r !== undefined) out.push(r);
    if (i === first + Math.floor(rows / 2) && options.middle !== undefined) out.push(options.middle);
  }
  if (options.tail !== undefined) out.push(options.tail);
  return out.join('');
}

let dir: string;
let db: Awaited<ReturnType<typeof openDuckDb>>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingest-job-threads-'));
  db = await openDuckDb();
});
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the job as a pipeline step over `files` (key → text) with `threads`; what it produced. */
async function run(name: string, files: Record<string, string>, threads: number) {
  const storage = new LocalStorage(join(dir, `${name}-${threads}`), { durable: false });
  for (const [key, text] of Object.entries(files)) await storage.put(key, text);
  const pipeline = definePipeline({ name: 'threads-test', storage, steps: [rawToProcessedStep({ storage, tables: [cleaning], threads, minParallelBytes: 0 })] });
  const log = await pipeline.run();
  expect(log.status).toBe('succeeded');
  const step = log.steps[0]!;
  const messages = step.messages.map((m) => m.message);
  const rows = await db.query(
    `SELECT id, strftime("at", '%Y-%m-%d %H:%M:%S') AS at, amount::VARCHAR AS amount, note, kind, year, month FROM ${parquetScan(storage.uri('processed/payments'))} ORDER BY id`,
  );
  const rejects = (await storage.exists(`rejects/payments/${log.runId}.csv`)) ? new TextDecoder().decode(await storage.get(`rejects/payments/${log.runId}.csv`)) : '';
  return {
    counters: { rowsIn: step.rowsIn, rowsOut: step.rowsOut, rowsRejected: step.rowsRejected, bytesRead: step.bytesRead },
    rows,
    rejects,
    oneThread: messages.filter((m) => /read on one thread/.test(m)),
    parallel: messages.filter((m) => /parsed on \d+ threads/.test(m)),
  };
}

describe('runRawToProcessed with threads', () => {
  it('gives the same Parquet rows, rejects and run-log counters on 2 threads as on 1, dedupe keep-first included', async () => {
    const files = {
      // Duplicates a few records apart: each stays within one range, so the workers dedupe it.
      'raw/payments/b1/payments_1.csv': file(1, 4_000, { dupes: (i) => i % 97 === 0 }),
      // A second file of the same run, with new ids only: checked against the first file's keys.
      'raw/payments/b1/payments_2.csv': file(10_001, 3_000, { dupes: (i) => i % 101 === 0, gap: 2 }),
    };
    const one = await run('same', files, 1);
    const two = await run('same', files, 2);
    expect(two.oneThread).toEqual([]);
    expect(two.parallel).toEqual(['raw/payments/b1/payments_1.csv parsed on 2 threads', 'raw/payments/b1/payments_2.csv parsed on 2 threads']);
    expect(one.parallel).toEqual([]);
    expect(one.counters.rowsRejected).toBeGreaterThan(60);
    expect(one.rejects).toMatch(/duplicate primary key id=97 \(the first occurrence is kept\)/);
    expect(two.counters).toEqual(one.counters);
    expect(two.counters.rowsIn).toBe(two.counters.rowsOut! + two.counters.rowsRejected!);
    expect(two.rejects).toBe(one.rejects);
    expect(two.rows).toEqual(one.rows);
    expect(two.rows).toHaveLength(one.counters.rowsOut!);
  });

  it('a key repeated in another range, or in an earlier file of the run, falls back to one thread, same result', async () => {
    const files = {
      'raw/payments/b1/payments_1.csv': file(1, 3_000, { dupes: (i) => i % 97 === 0, tail: '5,2024-06-06T06:06:06,$1.00,"late dup of 5",a\n' }),
      'raw/payments/b2/payments_2.csv': file(20_001, 2_000, { tail: '7,2024-06-06T06:06:06,$1.00,"dup of 7 from the first file",a\n' }),
    };
    const one = await run('across', files, 1);
    const two = await run('across', files, 2);
    expect(two.oneThread).toHaveLength(2);
    expect(two.oneThread[0]).toMatch(/payments_1\.csv read on one thread: parallel read abandoned \(range \d of 2: primary key id = 5 also occurs/);
    expect(two.oneThread[1]).toMatch(/payments_2\.csv read on one thread: .*primary key id = 7 also occurs in another range or an earlier file/);
    expect(one.rejects).toMatch(/late dup of 5/);
    expect(one.rejects).toMatch(/dup of 7 from the first file/);
    expect(two.counters).toEqual(one.counters);
    expect(two.rejects).toBe(one.rejects);
    expect(two.rows).toEqual(one.rows);
  });

  it('a cut inside a quoted multi-line field is detected and the file read again on one thread, same result', async () => {
    // A quoted field of 8,000 lines that look like records (with repeated ids) around the middle.
    const inside = '1,2024-02-01T00:00:00,$1.00,x,a\n'.repeat(8_000);
    const files = { 'raw/payments/b1/payments_1.csv': file(1, 2_000, { dupes: (i) => i % 50 === 0, middle: `999999,2024-02-01T00:00:00,$1.00,"${inside}",a\n` }) };
    const one = await run('cut', files, 1);
    const two = await run('cut', files, 2);
    expect(two.oneThread).toHaveLength(1);
    expect(two.oneThread[0]).toMatch(/parallel read abandoned/);
    expect(two.counters).toEqual(one.counters);
    expect(two.rejects).toBe(one.rejects);
    expect(two.rows).toEqual(one.rows);
    expect(two.rows.find((r) => r.id === 999999)?.note).toBe(inside); // the final line break is data: only spaces and tabs are trimmed
  });
});
