import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listPartitions } from '../partitions/list-partitions.js';
import { partitionValuesOf } from '../partitions/partition-values.js';
import { S3Storage } from '../s3/s3-storage.js';
import { LocalStorage } from '../storage/local-storage.js';
import type { Storage } from '../storage/storage.js';
import { startS3rver, type S3rverHandle } from '../testing/s3rver.js';
import { lakeLayout } from './lake-layout.js';

const spec = { kind: 'time', column: 'order_time', granularity: 'day' } as const;
const times = ['2024-12-31T23:59:59', '2025-01-31T23:07:42', '2025-10-01T00:00:00', '2025-10-01T12:00:00', '2025-11-30T08:00:00'];

/** Lays out a small dataset (one file per row) plus files a partition listing must ignore. */
async function writeDataset(storage: Storage): Promise<string[]> {
  const keys: string[] = [];
  for (const [i, order_time] of times.entries()) {
    const key = lakeLayout.dataFile('processed', 'orders', partitionValuesOf(spec, { order_time }), `part-${i}.parquet`);
    await storage.put(key, `file ${i}`);
    keys.push(key);
  }
  await storage.put('processed/orders/year=2025/month=10/day=1/_SUCCESS', '');
  await storage.put('processed/orders/_staging/year=2025/month=12/day=1/part-9.parquet', 'staged');
  await storage.put('processed/orders_archive/year=2020/month=1/day=1/part-0.parquet', 'other table');
  await storage.put(lakeLayout.rawFile('orders', '2025-12', 'orders_2025_12.csv'), 'order_id\n1\n');
  return keys;
}

describe('the lake layout is identical on a local directory and on S3', () => {
  let s3: S3rverHandle;
  let dir: string;
  let local: LocalStorage;
  let remote: S3Storage;

  beforeAll(async () => {
    s3 = await startS3rver();
    dir = await mkdtemp(join(tmpdir(), 'lakeblocks-layout-'));
    local = new LocalStorage(dir);
    remote = new S3Storage(`s3://${s3.bucket}/lakes/techstore`, { client: s3.client });
  });
  afterAll(async () => {
    await s3?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes the same keys, addressed by each store\'s root', async () => {
    const localKeys = await writeDataset(local);
    const remoteKeys = await writeDataset(remote);
    expect(remoteKeys).toEqual(localKeys);
    expect(localKeys[1]).toBe('processed/orders/year=2025/month=1/day=31/part-1.parquet');
    expect(local.uri(localKeys[1]!)).toBe(join(dir, 'processed/orders/year=2025/month=1/day=31/part-1.parquet'));
    expect(remote.uri(remoteKeys[1]!)).toBe(`s3://${s3.bucket}/lakes/techstore/processed/orders/year=2025/month=1/day=31/part-1.parquet`);

    const listed = async (storage: Storage) => {
      const out: string[] = [];
      for await (const o of storage.listAll('processed/orders/')) out.push(o.key);
      return out.sort();
    };
    expect(await listed(remote)).toEqual(await listed(local));
  });

  it('lists and prunes partitions the same way on both', async () => {
    for (const storage of [local, remote]) {
      const all = await listPartitions(storage, lakeLayout.tablePrefix('processed', 'orders'), ['year', 'month', 'day']);
      expect(all.map((p) => p.prefix).sort()).toEqual([
        'processed/orders/year=2024/month=12/day=31/',
        'processed/orders/year=2025/month=1/day=31/',
        'processed/orders/year=2025/month=10/day=1/',
        'processed/orders/year=2025/month=11/day=30/',
      ]);
      const october = all.find((p) => p.values.month === '10');
      expect(october).toMatchObject({ files: 2, bytes: 'file 2'.length + 'file 3'.length, values: { year: '2025', month: '10', day: '1' } });

      const pruned = await listPartitions(storage, 'processed/orders/', ['year', 'month', 'day'], { filter: 'year = 2025 and month >= 10' });
      expect(pruned.map((p) => `${p.values.year}-${p.values.month}-${p.values.day}`).sort()).toEqual(['2025-10-1', '2025-11-30']);
      const structured = await listPartitions(storage, 'processed/orders/', ['year', 'month', 'day'], { filter: { year: { lt: 2025 } } });
      expect(structured.map((p) => p.values)).toEqual([{ year: '2024', month: '12', day: '31' }]);
    }
  });
});
