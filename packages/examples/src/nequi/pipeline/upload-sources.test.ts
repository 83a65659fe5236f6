import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalStorage } from '@lakeblocks/core';
import { DuckDbEngine } from '@lakeblocks/transform/duckdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateNequi } from '../generate/generate-nequi.js';
import { nequiModels } from '../models/index.js';
import { nequiTables } from '../tables.js';
import { testLakeRoot } from '../testing/nequi-lake.js';
import { nequiPipeline } from './nequi-pipeline.js';
import { NEQUI_SOURCE_BATCH, uploadNequiSources } from './upload-sources.js';

let root: string;
let dataDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(testLakeRoot(), 'nequi-upload-'));
  dataDir = join(root, 'data');
  await generateNequi({ outDir: dataDir, rows: 1_500, dirtyShare: 0, seed: 11 });
}, 30_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Rewrites the transactions source keeping the rows `keep` accepts; returns how many were dropped. */
async function filterTransactions(dir: string, keep: (line: string) => boolean): Promise<number> {
  const path = join(dir, 'transactions_data.csv');
  const [header, ...lines] = (await readFile(path, 'utf8')).trimEnd().split('\n');
  const kept = lines.filter(keep);
  await writeFile(path, `${[header, ...kept].join('\n')}\n`);
  return lines.length - kept.length;
}

describe('uploadNequiSources', () => {
  it('lands the snapshots under raw/<table>/source/, skips unchanged files and replaces a changed one', async () => {
    const storage = new LocalStorage(join(root, 'lake-a'), { durable: false });
    const first = await uploadNequiSources(storage, dataDir);
    expect(first.map((r) => [r.table, r.status])).toEqual([['users', 'uploaded'], ['cards', 'uploaded'], ['mcc_codes', 'uploaded'], ['transactions', 'uploaded']]);
    expect(first.every((r) => r.key.includes(`/${NEQUI_SOURCE_BATCH}/`))).toBe(true);
    const second = await uploadNequiSources(storage, dataDir);
    expect(second.map((r) => r.status)).toEqual(['present', 'present', 'present', 'present']);

    const changed = join(root, 'data-changed');
    await generateNequi({ outDir: changed, rows: 1_500, dirtyShare: 0, seed: 11 });
    expect((await uploadNequiSources(storage, changed)).map((r) => r.status)).toEqual(['present', 'present', 'present', 'present']); // same bytes
    const dropped = await filterTransactions(changed, (line) => !line.includes(',2010-01-01 '));
    expect(dropped).toBeGreaterThan(0);
    const third = await uploadNequiSources(storage, changed);
    expect(third.map((r) => r.status)).toEqual(['present', 'present', 'present', 'uploaded']);
    expect(third[3]?.key).toBe(first[3]?.key); // replaced in place, not added beside

    await uploadNequiSources(storage, dataDir, { batch: 'b1' });
    const again = await uploadNequiSources(storage, dataDir, { batch: 'b1' });
    expect(again.map((r) => r.status)).toEqual(['uploaded', 'uploaded', 'uploaded', 'uploaded']);
  });
});

describe('nequi run --data, rerun and a changed source', () => {
  it('a rerun ingests nothing; a changed transactions file replaces its rows (no duplicates) and a month it lost leaves curated', async () => {
    const lakeDir = join(root, 'lake-run');
    const data = join(root, 'data-run');
    await generateNequi({ outDir: data, rows: 1_500, dirtyShare: 0, seed: 11 });
    const first = await nequiPipeline({ lakeDir, dataDir: data, durable: false, report: false }).run({ runId: 'r1' });
    expect(first.status).toBe('succeeded');

    const second = await nequiPipeline({ lakeDir, dataDir: data, durable: false, report: false }).run({ runId: 'r2' });
    expect(second.status).toBe('succeeded');
    expect((second.steps.find((s) => s.name === 'upload')?.output as { status: string }[]).map((r) => r.status)).toEqual(['present', 'present', 'present', 'present']);
    expect((second.steps.find((s) => s.name === 'raw-to-processed')?.output as { nothingNew?: boolean }).nothingNew).toBe(true);

    // The newest month of the source disappears from the corrected file.
    const lines = (await readFile(join(data, 'transactions_data.csv'), 'utf8')).trimEnd().split('\n').slice(1);
    const lastMonth = lines.at(-1)!.split(',')[1]!.slice(0, 7); // 'YYYY-MM'
    const dropped = await filterTransactions(data, (line) => line.split(',')[1]?.slice(0, 7) !== lastMonth);
    expect(dropped).toBeGreaterThan(0);
    const third = await nequiPipeline({ lakeDir, dataDir: data, durable: false, report: false }).run({ runId: 'r3' });
    expect(third.status).toBe('succeeded');

    const engine = await DuckDbEngine.create({ lakeDir, tables: nequiTables, models: nequiModels });
    try {
      const one = async (sql: string) => Number((await engine.queryAll(sql))[0]?.['n']);
      expect(await one('SELECT count(*) AS n FROM transactions')).toBe(lines.length - dropped);
      expect(await one('SELECT count(*) - count(DISTINCT transaction_id) AS n FROM transactions')).toBe(0);
      expect(await one('SELECT count(*) AS n FROM users')).toBe(2_000);
      expect(await one('SELECT count(*) AS n FROM transactions_enriched')).toBe(lines.length - dropped);
      const [y, m] = lastMonth.split('-').map(Number);
      expect(await one(`SELECT count(*) AS n FROM transactions_enriched WHERE year = ${y} AND month = ${m}`)).toBe(0);
    } finally {
      engine.close();
    }
  }, 90_000);
});
