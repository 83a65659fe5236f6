import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDbEngine } from '@lakeblocks/transform/duckdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateNequi } from '../generate/generate-nequi.js';
import { nequiModels } from '../models/index.js';
import { nequiTables } from '../tables.js';
import { testLakeRoot } from '../testing/nequi-lake.js';
import { runNequiMicroBatch, splitTransactions, type MicroBatchResult } from './micro-batch.js';
import { nequiPipeline } from './nequi-pipeline.js';
import { NEQUI_SOURCE_FILES } from './upload-sources.js';

let root: string;
let results: MicroBatchResult[];
let batchMonths: number[];
const BASE = 4_000;
const BATCH = 500;

/** Every model's rows, sorted by the whole row: the lake's curated content. */
async function curatedContent(lakeDir: string): Promise<Record<string, string[]>> {
  const engine = await DuckDbEngine.create({ lakeDir, tables: nequiTables, models: nequiModels, threads: 1 });
  try {
    const out: Record<string, string[]> = {};
    for (const m of nequiModels) {
      const rows = await engine.queryAll(`SELECT * FROM ${m.name}`);
      out[m.name] = rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).sort();
    }
    return out;
  } finally {
    engine.close();
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(testLakeRoot(), 'nequi-micro-'));
  const all = join(root, 'all');
  await generateNequi({ outDir: all, rows: BASE + 3 * BATCH - 120, dirtyShare: 0, seed: 11 });
  const { base, batches } = splitTransactions(await readFile(join(all, NEQUI_SOURCE_FILES.transactions), 'utf8'), BASE, BATCH);
  expect(batches).toHaveLength(3);
  batchMonths = batches.map((csv) => new Set(csv.split('\n').slice(1, -1).map((line) => line.split(',')[1]!.slice(0, 7))).size);
  const baseDir = join(root, 'base');
  await mkdir(baseDir);
  for (const f of [NEQUI_SOURCE_FILES.users, NEQUI_SOURCE_FILES.cards, NEQUI_SOURCE_FILES.mccCodes]) await copyFile(join(all, f), join(baseDir, f));
  await writeFile(join(baseDir, NEQUI_SOURCE_FILES.transactions), base);
  const lakeDir = join(root, 'lake');
  await nequiPipeline({ lakeDir, dataDir: baseDir, batch: 'base', durable: false, report: false }).run({ runId: 'base' });
  results = [];
  for (const [i, csv] of batches.entries()) results.push(await runNequiMicroBatch({ lakeDir, batch: `mb-${i + 1}`, csv: Buffer.from(csv), durable: false }));
  // The same data in one go, into a fresh lake.
  await nequiPipeline({ lakeDir: join(root, 'scratch'), dataDir: all, batch: 'all', durable: false, report: false }).run({ runId: 'all' });
}, 90_000);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('micro-batches through the incremental path', () => {
  it('each batch is ingested alone and rebuilds only the months it touches, then the per-client models', () => {
    expect(results.map((r) => r.rows)).toEqual([BATCH, BATCH, BATCH - 120]);
    for (const r of results) {
      expect(r.runLog.status).toBe('succeeded');
      const ingest = r.runLog.steps.find((s) => s.name === 'raw-to-processed')!;
      expect([ingest.rowsIn, ingest.rowsOut + ingest.rowsRejected]).toEqual([r.rows, r.rows]);
      const curated = r.runLog.steps.find((s) => s.name === 'curated')!.output as { mode: string; months: number; models: Record<string, number> };
      expect(curated.mode).toBe('incremental');
      expect(curated.months).toBe(batchMonths[results.indexOf(r)]);
      // Only the touched months of the monthly models were rewritten (a month holds far fewer rows than the lake).
      expect(curated.models['transactions_enriched']).toBeLessThan(BASE);
      expect(curated.models['client_risk_profile']).toBe(2_000);
      expect(r.latencyMs).toBeGreaterThanOrEqual(r.runMs);
      expect(r.runLog.steps.find((s) => s.name === 'upload')!.status).toBe('skipped');
    }
  });

  it('leaves exactly the curated content of a lake built from all the data at once', async () => {
    const incremental = await curatedContent(join(root, 'lake'));
    const scratch = await curatedContent(join(root, 'scratch'));
    expect(incremental['transactions_enriched']).toHaveLength(BASE + 3 * BATCH - 120);
    for (const m of nequiModels) expect(incremental[m.name], m.name).toEqual(scratch[m.name]);
  });
});
