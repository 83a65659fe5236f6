import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '@lakeblocks/transform/duckdb';
import { techstoreModels } from '../models/index.js';
import { techstoreTables } from '../tables.js';
import { testLakeRoot } from '../testing/techstore-lake.js';
import { formatAnswers } from './answers.js';
import { runTechstore, type RunTechstoreResult } from './run-techstore.js';

const BATCH = join(import.meta.dirname, '../../../../../../shared/data/techstore/batches/2025-11');

async function snapshot(lakeDir: string): Promise<Map<string, number>> {
  const files = new Map<string, number>();
  const walk = async (dir: string): Promise<void> => {
    if (!existsSync(dir)) return;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else files.set(relative(lakeDir, path), (await stat(path)).mtimeMs);
    }
  };
  await walk(join(lakeDir, 'processed'));
  await walk(join(lakeDir, 'curated'));
  await walk(join(lakeDir, 'reports'));
  return files;
}

describe('runTechstore', () => {
  let lakeDir: string;
  let first: RunTechstoreResult;
  beforeAll(async () => {
    lakeDir = await mkdtemp(join(testLakeRoot(), 'techstore-run-'));
    first = await runTechstore({ lakeDir, scale: 0.01, seed: 'run', durable: false, tmpDir: testLakeRoot() });
  }, 60_000);
  afterAll(async () => {
    await rm(lakeDir, { recursive: true, force: true });
  });

  it('generates the demo data into an empty lake, builds everything and answers the questions', async () => {
    expect(first.generated).toBe('demo');
    expect(first.uploads.map((u) => u.table).sort()).toEqual(['customers', 'events', 'order_items', 'orders', 'products', 'reviews', 'sessions']);
    expect(first.curated.mode).toBe('full');
    expect(first.curated.models).toHaveLength(techstoreModels.length);
    const ingest = first.runLog.steps.find((s) => s.name === 'raw-to-processed');
    expect(ingest?.rowsIn).toBe(ingest?.rowsOut);
    expect(ingest?.rowsRejected).toBe(0);
    expect(first.answers.thisMonth).toMatchObject({ year: 2025, month: 10 });
    expect(first.answers.funnelMonth?.stages.map((s) => s.stage)).toEqual(['page_view', 'add_to_cart', 'checkout', 'purchase']);
    expect(first.answers.countries.length).toBeGreaterThan(0);
    const text = formatAnswers(first.answers);
    expect(text).toMatch(/1\. How did the business do this month\? October 2025 \(against September 2025\)/);
    expect(text).toMatch(/Most users are lost between \w+ and \w+/);
    // The run log, with counts and the AWS estimate.
    const log = JSON.parse(await readFile(join(lakeDir, '_state/runs', `${first.runLog.runId}.json`), 'utf8')) as typeof first.runLog;
    expect(log.status).toBe('succeeded');
    expect(log.steps.map((s) => s.name)).toEqual(['generate', 'upload', 'raw-to-processed', 'curated', 'business-questions', 'dashboard']);
    expect(first.dashboard.written).toBe(true);
    const html = await readFile(first.dashboard.path, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|https?:\/\//); // self-contained: no script, no network
    expect((html.match(/<rect class="bar"/g) ?? []).length).toBeGreaterThan(60); // one bar per month
    expect(html).toContain('id="funnel"');
    expect(log.totals.rowsIn).toBeGreaterThan(0);
    expect(log.costEstimate?.items.map((i) => i.name)).toEqual(['glue:raw-to-processed', 'glue:curated', 'athena:business-questions', 's3:storage', 's3:put-requests']);
  });

  it('reruns with nothing new without rewriting a file, and answers the same', async () => {
    const before = await snapshot(lakeDir);
    expect(before.size).toBeGreaterThan(100);
    const again = await runTechstore({ lakeDir, durable: false });
    expect(again.generated).toBeUndefined();
    expect(again.curated.mode).toBe('nothing-new');
    expect(again.dashboard.written).toBe(false);
    expect(again.runLog.steps.find((s) => s.name === 'raw-to-processed')?.rowsIn).toBe(0);
    expect(await snapshot(lakeDir)).toEqual(before);
    expect(formatAnswers(again.answers)).toBe(formatAnswers(first.answers));
  });

  it.skipIf(!existsSync(BATCH))('takes a monthly batch incrementally: only the touched curated partitions, same result as a full rebuild', async () => {
    const before = await snapshot(lakeDir);
    const result = await runTechstore({ lakeDir, dataDir: BATCH, durable: false });
    expect(result.generated).toBeUndefined(); // the batch has its own sessions and events
    expect(result.curated.mode).toBe('incremental');
    const scope = Object.fromEntries(result.curated.models.map((m) => [m.model, m.scope]));
    expect(scope['fact_orders_enriched']).toEqual(['year=2025/month=11']);
    expect(scope['events_enriched']).toEqual(['year=2025/month=11']);
    expect(scope['fact_order_items_enriched']).toEqual(['year=2025']);
    expect(scope['kpi_monthly']).toBe('all');
    // Curated partitions of other months were not rewritten.
    const after = await snapshot(lakeDir);
    for (const [key, mtime] of before) {
      if (key.startsWith('curated/fact_orders_enriched/') && !key.includes('year=2025/month=11/')) expect(after.get(key), key).toBe(mtime);
    }
    expect(result.answers.thisMonth).toMatchObject({ year: 2025, month: 11, orders: 15 });
    // The same marts as a full rebuild.
    const engine = await DuckDbEngine.create({ lakeDir, tables: techstoreTables, models: techstoreModels });
    try {
      const q = 'SELECT * FROM kpi_monthly ORDER BY year, month';
      const f = 'SELECT * FROM funnel_monthly ORDER BY year, month, stage';
      const incremental = [await engine.queryAll(q), await engine.queryAll(f)];
      await engine.runAll();
      expect([await engine.queryAll(q), await engine.queryAll(f)]).toEqual(incremental);
    } finally {
      engine.close();
    }
  });
});
