import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { S3Storage } from '@lakeblocks/core/s3';
import { startS3rver, type S3rverHandle } from '@lakeblocks/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDb, parquetScan } from '../testing/duckdb.js';
import { techstoreCleaning, techstoreTables } from '../testing/techstore-tables.js';
import { uploadFile } from '../upload/upload-file.js';
import { runRawToProcessed } from './raw-to-processed.js';

const HEADER = 'order_id,customer_id,order_time,payment_method,discount_pct,subtotal_usd,total_usd,country,device,source\n';
const row = (id: number, day: number) => `${id},1,2025-12-${String(day).padStart(2, '0')}T09:25:00,card,10,50.00,45.00,US,mobile,organic\n`;

let s3: S3rverHandle;
let dir: string;
beforeAll(async () => {
  s3 = await startS3rver({ bucket: 'ingest-lake' });
  dir = await mkdtemp(join(tmpdir(), 'ingest-s3-'));
});
afterAll(async () => {
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('upload and raw → processed on S3 (s3rver)', () => {
  it('uploads, refuses a bad multipart-sized file leaving nothing, ingests to Parquet that DuckDB reads', async () => {
    const storage = new S3Storage(`s3://${s3.bucket}/lake`, { client: s3.client, timeoutMs: 10_000 });
    const good = join(dir, 'orders_2025_12.csv');
    await writeFile(good, HEADER + row(1, 2) + row(2, 2) + row(3, 5));
    const up = await uploadFile(storage, good, { tables: techstoreTables, batch: '2025-12' });
    expect(up.key).toBe('raw/orders/2025-12/orders_2025_12.csv');

    // > 5 MiB (multipart) with an invalid byte at the very end: refused, nothing visible.
    const big = join(dir, 'orders_big.csv');
    const body = HEADER + row(10, 3).repeat(Math.ceil((6 * 1024 * 1024) / row(10, 3).length));
    await writeFile(big, Buffer.concat([Buffer.from(body), Buffer.from([0xff, 0x0a])]));
    await expect(uploadFile(storage, big, { tables: techstoreTables, batch: '2025-12' })).rejects.toMatchObject({
      _tag: 'UploadRefused',
      context: { reason: 'encoding' },
    });
    const raw: string[] = [];
    for await (const o of storage.listAll('raw/')) raw.push(o.key);
    expect(raw).toEqual(['raw/orders/2025-12/orders_2025_12.csv']);

    const result = await runRawToProcessed({ storage, tables: techstoreCleaning.filter((c) => c.table.name === 'orders'), runId: 'run-s3' });
    expect(result).toMatchObject({ rowsIn: 3, rowsOut: 3, rowsRejected: 0 });
    const again = await runRawToProcessed({ storage, tables: techstoreCleaning.filter((c) => c.table.name === 'orders') });
    expect(again.nothingNew).toBe(true);

    // Mirror processed/ locally for DuckDB (no httpfs in tests).
    const local = join(dir, 'mirror');
    for await (const o of storage.listAll('processed/')) {
      const path = join(local, o.key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, await storage.get(o.key));
    }
    const db = await openDuckDb();
    try {
      expect(await db.query(`SELECT order_id, day, typeof(order_time) AS t FROM ${parquetScan(join(local, 'processed/orders'))} ORDER BY 1`)).toEqual([
        { order_id: 1, day: '2', t: 'TIMESTAMP' },
        { order_id: 2, day: '2', t: 'TIMESTAMP' },
        { order_id: 3, day: '5', t: 'TIMESTAMP' },
      ]);
    } finally {
      db.close();
    }
  });

  it('parses a raw object on 2 threads from a temporary local copy, same rows and counters as 1 thread', async () => {
    const orders = techstoreCleaning.filter((c) => c.table.name === 'orders');
    const rows: string[] = [];
    for (let i = 1; i <= 3_000; i++) rows.push(row(i, 1 + (i % 28)), ...(i % 500 === 0 ? [row(i, 3)] : []));
    const text = HEADER + rows.join('');
    const db = await openDuckDb();
    try {
      const results = [];
      for (const threads of [1, 2]) {
        const storage = new S3Storage(`s3://${s3.bucket}/lake-threads-${threads}`, { client: s3.client, timeoutMs: 10_000 });
        await storage.put('raw/orders/b1/orders_many.csv', text);
        const messages: string[] = [];
        const counts: Record<string, number>[] = [];
        const result = await runRawToProcessed({
          storage,
          tables: orders,
          runId: 'run-threads',
          threads,
          minParallelBytes: 0,
          context: { count: (c) => counts.push(c as Record<string, number>), log: { info: (m: string) => messages.push(m), warn: () => {}, error: () => {} }, signal: new AbortController().signal },
        });
        const local = join(dir, `mirror-threads-${threads}`);
        for await (const o of storage.listAll('processed/')) {
          const path = join(local, o.key);
          await mkdir(dirname(path), { recursive: true });
          await writeFile(path, await storage.get(o.key));
        }
        const back = await db.query(`SELECT order_id, strftime(order_time, '%Y-%m-%d %H:%M:%S') AS t, day FROM ${parquetScan(join(local, 'processed/orders'))} ORDER BY 1`);
        const rejects = new TextDecoder().decode(await storage.get('rejects/orders/run-threads.csv'));
        results.push({ result, messages, counts, back, rejects });
      }
      const [one, two] = results;
      expect(one!.result).toMatchObject({ rowsIn: 3_006, rowsOut: 3_000, rowsRejected: 6 });
      expect(two!.messages).toContain('raw/orders/b1/orders_many.csv parsed on 2 threads');
      expect(two!.result.rowsOut).toBe(one!.result.rowsOut);
      expect(two!.result.rowsRejected).toBe(one!.result.rowsRejected);
      expect(two!.counts.map((c) => [c.rowsIn, c.rowsOut, c.rowsRejected, c.bytesRead])).toEqual(one!.counts.map((c) => [c.rowsIn, c.rowsOut, c.rowsRejected, c.bytesRead]));
      expect(two!.rejects).toBe(one!.rejects);
      expect(two!.back).toEqual(one!.back);
      expect(two!.back).toHaveLength(3_000);
    } finally {
      db.close();
    }
  });
});
