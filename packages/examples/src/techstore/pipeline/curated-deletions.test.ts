import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStorage, lakeLayout } from '@lakeblocks/core';
import { DuckDbEngine } from '@lakeblocks/transform/duckdb';
import { generateTechstore } from '../generate/generate.js';
import { techstoreModels } from '../models/index.js';
import { techstoreTables } from '../tables.js';
import { testLakeRoot } from '../testing/techstore-lake.js';
import { runTechstore } from './run-techstore.js';
import { uploadTechstoreFile } from './upload-data.js';

/** Every curated table's rows, in a stable order. */
async function curatedRows(lakeDir: string): Promise<Record<string, unknown[]>> {
  const engine = await DuckDbEngine.create({ lakeDir, tables: techstoreTables, models: techstoreModels });
  try {
    const out: Record<string, unknown[]> = {};
    for (const m of techstoreModels) out[m.name] = await engine.queryAll(`SELECT * FROM ${m.name} ORDER BY ALL`);
    return out;
  } finally {
    engine.close();
  }
}

/** The same lake's curated tables rebuilt from scratch over the processed layer. */
async function rebuiltRows(lakeDir: string): Promise<Record<string, unknown[]>> {
  const engine = await DuckDbEngine.create({ lakeDir, tables: techstoreTables, models: techstoreModels });
  try {
    await engine.runAll();
  } finally {
    engine.close();
  }
  return curatedRows(lakeDir);
}

/** Keeps the header and the lines `keep` accepts. */
async function filterCsv(path: string, keep: (line: string) => boolean): Promise<{ text: string; dropped: number }> {
  const [header, ...lines] = (await readFile(path, 'utf8')).trimEnd().split('\n');
  const kept = lines.filter(keep);
  return { text: `${[header, ...kept].join('\n')}\n`, dropped: lines.length - kept.length };
}

describe('curated rebuild when processed files disappear or are replaced', () => {
  let root: string;
  let dataDir: string;
  let lakeDir: string;
  let storage: LocalStorage;
  beforeAll(async () => {
    root = await mkdtemp(join(testLakeRoot(), 'techstore-deletions-'));
    dataDir = join(root, 'data');
    lakeDir = join(root, 'lake');
    await generateTechstore({ out: dataDir, scale: 0.01, seed: 'deletions' });
    storage = new LocalStorage(lakeDir, { durable: false });
    // Fixed batch names, so that a corrected file later lands on the same raw key (a replaced object).
    // Customers in two files: every fifth customer in a second batch.
    const customers = join(dataDir, 'customers.csv');
    const main = await filterCsv(customers, (line) => Number(line.split(',')[0]) % 5 !== 0);
    const extra = await filterCsv(customers, (line) => Number(line.split(',')[0]) % 5 === 0);
    await writeFile(customers, main.text);
    await writeFile(join(dataDir, 'customers_extra.csv'), extra.text);
    for (const t of techstoreTables) await uploadTechstoreFile(storage, join(dataDir, `${t.name}.csv`), { batch: 'b1' });
    await uploadTechstoreFile(storage, join(dataDir, 'customers_extra.csv'), { batch: 'b2' });
    const first = await runTechstore({ lakeDir, durable: false });
    expect(first.curated.mode).toBe('full');
  }, 120_000);
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** Deletes the processed files of `table` under `partition` (as a re-ingest replacing them would), returning how many. */
  async function deleteProcessed(table: string, partition: string): Promise<number> {
    let n = 0;
    for await (const o of storage.listAll(`${lakeLayout.tablePrefix('processed', table)}${partition}/`)) {
      await storage.delete(o.key);
      n++;
    }
    return n;
  }

  it('processed orders files deleted (a month re-ingested away): that month is rebuilt, so it disappears from curated', async () => {
    expect(await deleteProcessed('orders', 'year=2025/month=10')).toBeGreaterThan(0);
    const result = await runTechstore({ lakeDir, durable: false });
    expect(result.curated.mode).toBe('incremental');
    const scope = Object.fromEntries(result.curated.models.map((m) => [m.model, m.scope]));
    expect(scope['fact_orders_enriched']).toEqual(['year=2025/month=10']);
    expect(scope['fact_order_items_enriched']).toEqual(['year=2025']);
    expect(scope['events_enriched']).toBeUndefined(); // no events file changed
    const after = await curatedRows(lakeDir);
    const october = (rows: unknown[] | undefined) => (rows ?? []).filter((r) => (r as { year: number }).year === 2025 && (r as { month: number }).month === 10);
    expect(october(after['fact_orders_enriched'])).toEqual([]);
    expect(october(after['kpi_monthly'])).toEqual([]);
    expect(after).toEqual(await rebuiltRows(lakeDir));
  }, 120_000);

  it('upload with an explicit batch: the same bytes are left alone, other bytes replace the raw object', async () => {
    const key = lakeLayout.rawFile('products', 'b1', 'products.csv');
    expect((await uploadTechstoreFile(storage, join(dataDir, 'products.csv'), { batch: 'b1' })).status).toBe('present');
    const before = await storage.stat(key);
    const { text } = await filterCsv(join(dataDir, 'products.csv'), () => true);
    const corrected = join(root, 'products.csv');
    await writeFile(corrected, text.replace(/\n(\d+),/, '\n$1,Corrected '));
    const r = await uploadTechstoreFile(storage, corrected, { batch: 'b1' });
    expect(r).toMatchObject({ key, status: 'uploaded' });
    expect(Buffer.from(await storage.get(key)).toString('utf8')).toBe(await readFile(corrected, 'utf8'));
    expect((await storage.stat(key))?.size).not.toBe(before?.size);
    // Put the original back (the next tests' state), through the same path.
    expect((await uploadTechstoreFile(storage, join(dataDir, 'products.csv'), { batch: 'b1' })).status).toBe('uploaded');
  });

  it('processed customers files deleted: the orders of the removed customers lose their attributes', async () => {
    expect(await deleteProcessed('customers', 'year=2025/month=1')).toBeGreaterThan(0);
    const result = await runTechstore({ lakeDir, durable: false });
    expect(result.curated.mode).toBe('incremental');
    const scope = Object.fromEntries(result.curated.models.map((m) => [m.model, m.scope]));
    expect(scope['fact_orders_enriched']).toBe('all'); // which orders the deleted rows joined is unknown: the fact is rebuilt whole
    expect(await curatedRows(lakeDir)).toEqual(await rebuiltRows(lakeDir));
    const again = await runTechstore({ lakeDir, durable: false });
    expect(again.curated.mode).toBe('nothing-new');
  }, 120_000);

  // The ingest writer sweeps a rerun input's earlier files in every partition at commit, so a month
  // the corrected file no longer has loses its processed orders, and curated follows.
  it('a replaced raw orders file that drops a month: the month disappears from processed and curated', async () => {
    const { text, dropped } = await filterCsv(join(dataDir, 'orders.csv'), (line) => !line.split(',')[2]?.startsWith('2025-09-'));
    expect(dropped).toBeGreaterThan(0);
    await writeFile(join(dataDir, 'orders.csv'), text);
    expect((await uploadTechstoreFile(storage, join(dataDir, 'orders.csv'), { batch: 'b1' })).status).toBe('uploaded'); // replaces raw/orders/b1/orders.csv
    const result = await runTechstore({ lakeDir, durable: false });
    expect(result.curated.mode).toBe('incremental');
    const scope = Object.fromEntries(result.curated.models.map((m) => [m.model, m.scope]));
    expect(scope['fact_orders_enriched']).toContain('year=2025/month=9');
    const after = await curatedRows(lakeDir);
    expect(after['fact_orders_enriched']?.filter((r) => (r as { year: number }).year === 2025 && (r as { month: number }).month === 9)).toEqual([]);
    expect(after).toEqual(await rebuiltRows(lakeDir));
  }, 120_000);
});
