import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunLog } from '@lakeblocks/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateNequi, type GenerateNequiSummary } from '../generate/generate-nequi.js';
import { nequiModels } from '../models/index.js';
import { nequiPipeline } from '../pipeline/nequi-pipeline.js';
import { nequiTables } from '../tables.js';
import { testLakeRoot } from '../testing/nequi-lake.js';
import { fingerprintLake, runDuckDbBaseline, type DuckDbBaselineResult } from './duckdb-baseline.js';

let root: string;
let summary: GenerateNequiSummary;
let log: RunLog;
let baseline: DuckDbBaselineResult;

beforeAll(async () => {
  root = await mkdtemp(join(testLakeRoot(), 'nequi-baseline-'));
  const data = join(root, 'data');
  summary = await generateNequi({ outDir: data, rows: 20_000, dirtyShare: 0.03, seed: 17 });
  log = await nequiPipeline({ lakeDir: join(root, 'lake'), dataDir: data, durable: false, report: false }).run();
  baseline = await runDuckDbBaseline({ dataDir: data, outDir: join(root, 'duckdb'), threads: 2, memoryLimit: '512MB' });
}, 90_000);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('the plain DuckDB script (cleaning written in SQL from the design) against the pipeline', () => {
  it('reads the same rows and rejects exactly the dirty rows the generator meant to be rejected', () => {
    const ingest = log.steps.find((s) => s.name === 'raw-to-processed')!;
    const expectedRejects = summary.users.expectedRejects + summary.cards.expectedRejects + summary.transactions.expectedRejects;
    expect(expectedRejects).toBeGreaterThan(100);
    expect([baseline.rowsIn, baseline.rejected]).toEqual([ingest.rowsIn, ingest.rowsRejected]);
    expect(baseline.rejected).toBe(expectedRejects);
    expect(baseline.processed['transactions']).toBe(summary.transactions.rows - summary.transactions.expectedRejects);
  });

  it('every processed table and curated model holds the same rows in both lakes', async () => {
    const ours = await fingerprintLake(join(root, 'lake'));
    const theirs = await fingerprintLake(join(root, 'duckdb'));
    expect(Object.keys(ours)).toEqual([...nequiTables.map((t) => t.name), ...nequiModels.map((m) => m.name)]);
    for (const name of Object.keys(ours)) {
      expect(ours[name], name).toMatch(/^[1-9]\d*:-?\d+$/);
      expect(ours[name], name).toBe(theirs[name]);
    }
  });
});
