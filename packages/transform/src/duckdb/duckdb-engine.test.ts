import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { col, defineTable } from '@lakeblocks/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TransformError } from '../errors/transform-error.js';
import { defineModel } from '../model/define-model.js';
import { DuckDbEngine } from './duckdb-engine.js';

const orders = defineTable({
  name: 'orders',
  columns: { order_id: col.int(), order_time: col.timestamp(), total_usd: col.decimal(12, 2), country: col.string() },
  partitioning: { kind: 'time', column: 'order_time', granularity: 'day' },
});

const monthlyOrders = defineModel({
  output: defineTable({
    name: 'orders_monthly',
    columns: { order_id: col.int(), order_time: col.timestamp(), total_usd: col.decimal(12, 2) },
    partitioning: { kind: 'time', column: 'order_time', granularity: 'month' },
  }),
  sql: "SELECT order_id, order_time, total_usd FROM {{ ref('orders') }}",
  writeMode: 'overwrite_partitions',
});

const byCountry = defineModel({
  output: defineTable({ name: 'revenue_by_country', columns: { country: col.string(), revenue_usd: col.decimal(14, 2), orders: col.bigint() } }),
  sql: "SELECT p.country, sum(o.total_usd) AS revenue_usd, count(*) AS orders FROM {{ ref('orders_monthly') }} o JOIN {{ ref('orders') }} p ON p.order_id = o.order_id GROUP BY p.country",
});

let lake: string;
let engine: DuckDbEngine;

async function writeOrders(values: string): Promise<void> {
  await rm(join(lake, 'processed', 'orders'), { recursive: true, force: true });
  await mkdir(join(lake, 'processed'), { recursive: true });
  await engine.execute(
    `COPY (SELECT order_id, CAST(order_time AS TIMESTAMP) AS order_time, CAST(total_usd AS DECIMAL(12,2)) AS total_usd, country,
       year(CAST(order_time AS TIMESTAMP)) AS year, month(CAST(order_time AS TIMESTAMP)) AS month, day(CAST(order_time AS TIMESTAMP)) AS day
     FROM (VALUES ${values}) AS t(order_id, order_time, total_usd, country))
     TO '${join(lake, 'processed', 'orders')}' (FORMAT parquet, PARTITION_BY (year, month, day))`,
  );
}

async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(child);
      else out.push(child);
    }
  };
  await walk('');
  return out.sort();
}

beforeEach(async () => {
  lake = await mkdtemp(join(tmpdir(), 'lakeblocks-transform-'));
  engine = await DuckDbEngine.create({ lakeDir: lake, tables: [orders], models: [byCountry, monthlyOrders] });
});
afterEach(async () => {
  engine.close();
  await rm(lake, { recursive: true, force: true });
});

describe('DuckDbEngine.run', () => {
  it('writes curated Parquet in the lake layout, partition columns in the path only, typed as declared', async () => {
    await writeOrders("(1, '2025-01-31 23:07:42', 10.50, 'US'), (2, '2025-02-01 08:00:00', 20.25, 'CO'), (3, '2024-12-15 12:00:00', 5, 'US')");
    const result = await engine.run('orders_monthly');
    expect(result.rows).toBe(3);
    expect(result.partitionsWritten).toEqual(['year=2024/month=12', 'year=2025/month=1', 'year=2025/month=2']);
    expect(await tree(join(lake, 'curated', 'orders_monthly'))).toEqual([
      'year=2024/month=12/part-0.parquet',
      'year=2025/month=1/part-0.parquet',
      'year=2025/month=2/part-0.parquet',
    ]);
    const file = join(lake, 'curated', 'orders_monthly', 'year=2025', 'month=1', 'part-0.parquet');
    const schema = await engine.queryAll(`SELECT name, type FROM parquet_schema('${file}') WHERE name <> 'duckdb_schema'`);
    expect(schema.map((r) => r['name'])).toEqual(['order_id', 'order_time', 'total_usd']);
    const rows = await engine.queryAll('SELECT * FROM orders_monthly ORDER BY order_id');
    expect(rows[0]).toEqual({ order_id: 1, order_time: new Date('2025-01-31T23:07:42Z'), total_usd: '10.50', year: 2025, month: 1 });
    expect(await readdir(join(lake, '_state', 'transform', 'staging', 'orders_monthly'))).toEqual([]);
  });

  it('rebuilds only the named partitions, removing a named partition that became empty', async () => {
    await writeOrders("(1, '2025-01-31 23:07:42', 10.50, 'US'), (2, '2025-02-01 08:00:00', 20.25, 'CO'), (3, '2024-12-15 12:00:00', 5, 'US')");
    await engine.run('orders_monthly');
    const before = await stat(join(lake, 'curated', 'orders_monthly', 'year=2024', 'month=12', 'part-0.parquet'));
    // New input: January gets a second order, February's order is gone, December changes (but is not rebuilt).
    await writeOrders("(1, '2025-01-31 23:07:42', 10.50, 'US'), (4, '2025-01-02 10:00:00', 1.99, 'MX'), (3, '2024-12-15 12:00:00', 7, 'US')");
    const result = await engine.run('orders_monthly', { partitions: [{ year: 2025, month: 1 }, { year: 2025, month: 2 }] });
    expect(result.partitionsWritten).toEqual(['year=2025/month=1']);
    expect(result.partitionsRemoved).toEqual(['year=2025/month=2']);
    const after = await stat(join(lake, 'curated', 'orders_monthly', 'year=2024', 'month=12', 'part-0.parquet'));
    expect(after.ino).toBe(before.ino);
    const rows = await engine.queryAll('SELECT order_id, total_usd FROM orders_monthly ORDER BY order_id');
    expect(rows).toEqual([
      { order_id: 1, total_usd: '10.50' },
      { order_id: 3, total_usd: '5.00' },
      { order_id: 4, total_usd: '1.99' },
    ]);
  });

  it('replace removes partitions the model no longer produces; unpartitioned models swap the table directory', async () => {
    await writeOrders("(1, '2025-01-31 23:07:42', 10.50, 'US'), (2, '2025-02-01 08:00:00', 20.25, 'CO')");
    await engine.runAll();
    expect(await engine.queryAll('SELECT * FROM revenue_by_country ORDER BY country')).toEqual([
      { country: 'CO', revenue_usd: '20.25', orders: 1n },
      { country: 'US', revenue_usd: '10.50', orders: 1n },
    ]);
    await writeOrders("(1, '2025-01-31 23:07:42', 10.50, 'US')");
    const results = await engine.runAll();
    expect(results.map((r) => r.model)).toEqual(['orders_monthly', 'revenue_by_country']);
    expect(results[0]?.partitionsRemoved).toEqual(['year=2025/month=2']);
    expect(await tree(join(lake, 'curated'))).toEqual(['orders_monthly/year=2025/month=1/part-0.parquet', 'revenue_by_country/part-0.parquet']);
    expect(await engine.queryAll('SELECT country, revenue_usd FROM revenue_by_country')).toEqual([{ country: 'US', revenue_usd: '10.50' }]);
  });

  it('reads an input without files as an empty view and writes an empty unpartitioned table', async () => {
    const results = await engine.runAll();
    expect(results.map((r) => r.rows)).toEqual([0, 0]);
    expect(await engine.queryAll('SELECT count(*) AS n FROM revenue_by_country')).toEqual([{ n: 0n }]);
  });

  it('refuses partitions for a replace model, unknown inputs, and reports DuckDB errors as QueryFailed', async () => {
    await expect(engine.run('revenue_by_country', { partitions: [{ year: 2025 }] })).rejects.toMatchObject({ _tag: 'InvalidArgument' });
    await expect(engine.run('nope')).rejects.toMatchObject({ _tag: 'InputMissing' });
    const orphan = defineModel({ output: defineTable({ name: 'orphan', columns: { x: col.int() } }), sql: "SELECT 1 AS x FROM {{ ref('missing') }}" });
    await expect(engine.run(orphan)).rejects.toMatchObject({ _tag: 'InputMissing' });
    const broken = defineModel({ output: defineTable({ name: 'broken', columns: { x: col.int() } }), sql: "SELECT no_such_column AS x FROM {{ ref('orders') }}" });
    const error = await engine.run(broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransformError);
    expect(error).toMatchObject({ _tag: 'QueryFailed', context: { model: 'broken' } });
  });
});

describe('DuckDbEngine.query', () => {
  it('streams results in chunks with exact decimals', async () => {
    const chunks: number[] = [];
    let sum = 0;
    for await (const rows of engine.query('SELECT range AS n, CAST(range / 100 AS DECIMAL(12,2)) AS d FROM range(5000)')) {
      chunks.push(rows.length);
      for (const r of rows) sum += Number(r['n']);
    }
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(sum).toBe((4999 * 5000) / 2);
    expect(await engine.queryAll('SELECT CAST(0.1 AS DECIMAL(12,2)) + CAST(0.2 AS DECIMAL(12,2)) AS d')).toEqual([{ d: '0.30' }]);
  });

  it('returns complete results to concurrent queries and interleaved streams', async () => {
    const counts = await Promise.all([
      engine.queryAll('SELECT range AS n FROM range(5000)'),
      engine.queryAll('SELECT range AS n FROM range(3)'),
      engine.queryAll('SELECT 1 AS n'),
      engine.queryAll('SELECT count(*) AS n FROM orders'),
    ]);
    expect(counts.slice(0, 3).map((rows) => rows.length)).toEqual([5000, 3, 1]);
    expect(counts[3]).toHaveLength(1);

    // A consumer holding an open stream while another query runs must still get all its rows.
    const first = engine.query('SELECT range AS n FROM range(10000)');
    let seen = 0;
    const head = await first.next();
    seen += head.done ? 0 : head.value.length;
    expect(await engine.queryAll('SELECT range AS n FROM range(7)')).toHaveLength(7);
    for await (const rows of first) seen += rows.length;
    expect(seen).toBe(10000);
  });
});

describe('DuckDbEngine.run with a partition filter', () => {
  it('rebuilds the partitions a filter matches and removes matching ones no longer produced', async () => {
    await writeOrders("(1, '2024-12-15 12:00:00', 5, 'US'), (2, '2025-01-31 23:07:42', 10.50, 'US'), (3, '2025-02-01 08:00:00', 20.25, 'CO')");
    await engine.run('orders_monthly');
    await writeOrders("(1, '2024-12-15 12:00:00', 9, 'US'), (2, '2025-01-31 23:07:42', 11, 'US'), (4, '2025-03-01 00:00:00', 1, 'MX')");
    const result = await engine.run('orders_monthly', { filter: 'year = 2025 and month >= 2' });
    expect(result.partitionsWritten).toEqual(['year=2025/month=3']);
    expect(result.partitionsRemoved).toEqual(['year=2025/month=2']);
    expect(await engine.queryAll('SELECT order_id, total_usd FROM orders_monthly ORDER BY order_id')).toEqual([
      { order_id: 1, total_usd: '5.00' },
      { order_id: 2, total_usd: '10.50' },
      { order_id: 4, total_usd: '1.00' },
    ]);
    await expect(engine.run('orders_monthly', { filter: 'country = 1' })).rejects.toMatchObject({ _tag: 'InvalidArgument' });
  });
});

describe('crash recovery', () => {
  it('finishes a commit a crash interrupted and discards a run that crashed while writing', async () => {
    await writeOrders("(1, '2025-01-31 23:07:42', 10.50, 'US'), (2, '2025-02-01 08:00:00', 20.25, 'CO')");
    await engine.run('orders_monthly');
    const runs = join(lake, '_state', 'transform', 'staging', 'orders_monthly');
    const january = 'year=2025/month=1';
    // Crashed run 1: journaled, had moved the old January away, new January still staged.
    await mkdir(join(runs, '1-crashed', 'old', 'year=2025'), { recursive: true });
    await rename(join(lake, 'curated', 'orders_monthly', january), join(runs, '1-crashed', 'old', january));
    await mkdir(join(runs, '1-crashed', 'data', january), { recursive: true });
    await engine.execute(
      `COPY (SELECT 9 AS order_id, TIMESTAMP '2025-01-02 00:00:00' AS order_time, CAST(99.99 AS DECIMAL(12,2)) AS total_usd) TO '${join(runs, '1-crashed', 'data', january, 'part-0.parquet')}' (FORMAT parquet)`,
    );
    await writeFile(join(runs, '1-crashed', 'commit.json'), JSON.stringify({ version: 1, written: [january], remove: [] }));
    // Crashed run 2: died during COPY (no journal): must not leak into the table.
    await mkdir(join(runs, '2-partial', 'data', 'year=2030', 'month=1'), { recursive: true });
    await writeFile(join(runs, '2-partial', 'data', 'year=2030', 'month=1', 'part-0.parquet'), 'garbage');

    await engine.run('orders_monthly', { partitions: [{ year: 2025, month: 2 }] });

    expect(await readdir(runs)).toEqual([]);
    expect(await tree(join(lake, 'curated', 'orders_monthly'))).toEqual(['year=2025/month=1/part-0.parquet', 'year=2025/month=2/part-0.parquet']);
    expect(await engine.queryAll('SELECT order_id, total_usd FROM orders_monthly ORDER BY order_id')).toEqual([
      { order_id: 2, total_usd: '20.25' },
      { order_id: 9, total_usd: '99.99' },
    ]);
  });
});

describe('crash recovery without a readable journal', () => {
  it('puts back a partition a crashed commit had moved away when its journal is unreadable (torn write), instead of deleting it', async () => {
    await writeOrders("(1, '2025-01-31 23:07:42', 10.50, 'US'), (2, '2025-02-01 08:00:00', 20.25, 'CO')");
    await engine.run('orders_monthly');
    const runs = join(lake, '_state', 'transform', 'staging', 'orders_monthly');
    const january = 'year=2025/month=1';
    // The renames reached the disk, the journal's content did not (no fsync before a power cut).
    await mkdir(join(runs, '1-torn', 'old', 'year=2025'), { recursive: true });
    await rename(join(lake, 'curated', 'orders_monthly', january), join(runs, '1-torn', 'old', january));
    await mkdir(join(runs, '1-torn', 'data', january), { recursive: true });
    await writeFile(join(runs, '1-torn', 'data', january, 'part-0.parquet'), 'not yet moved');
    await writeFile(join(runs, '1-torn', 'commit.json'), '');

    await engine.run('orders_monthly', { partitions: [{ year: 2025, month: 2 }] });

    expect(await readdir(runs)).toEqual([]);
    expect(await engine.queryAll('SELECT order_id, total_usd FROM orders_monthly ORDER BY order_id')).toEqual([
      { order_id: 1, total_usd: '10.50' },
      { order_id: 2, total_usd: '20.25' },
    ]);
  });
});

describe('DuckDbEngine spill directory', () => {
  it('spills into a directory of its own per engine (never the shared ./.tmp), removed on close; a given one is kept', async () => {
    const spillOf = async (e: DuckDbEngine): Promise<string> => String((await e.queryAll("SELECT current_setting('temp_directory') AS d"))[0]?.['d']);
    const a = await DuckDbEngine.create({ lakeDir: lake });
    const b = await DuckDbEngine.create({ lakeDir: lake });
    const [da, db] = [await spillOf(a), await spillOf(b)];
    expect(da).not.toBe(db);
    expect(da.startsWith(tmpdir())).toBe(true);
    await expect(stat(da)).resolves.toBeDefined();
    a.close();
    b.close();
    await expect(stat(da)).rejects.toThrow(/ENOENT/);
    await expect(stat(db)).rejects.toThrow(/ENOENT/);
    const mine = await mkdtemp(join(tmpdir(), 'spill-given-'));
    const c = await DuckDbEngine.create({ lakeDir: lake, tempDirectory: mine });
    expect(await spillOf(c)).toBe(mine);
    c.close();
    await expect(stat(mine)).resolves.toBeDefined();
    await rm(mine, { recursive: true, force: true });
  });
});
