import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalStorage } from '@lakeblocks/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateNequi } from '../generate/generate-nequi.js';
import { testLakeRoot } from '../testing/nequi-lake.js';
import { nequiPipeline } from './nequi-pipeline.js';
import { nequiSourcesBatch, uploadNequiSources } from './upload-sources.js';

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

describe('uploadNequiSources', () => {
  it('puts unchanged sources in the same content-addressed batch and skips what is already there', async () => {
    const storage = new LocalStorage(join(root, 'lake-a'), { durable: false });
    const batch = await nequiSourcesBatch(dataDir);
    expect(batch).toMatch(/^src-[0-9a-f]{16}$/);
    const first = await uploadNequiSources(storage, dataDir);
    expect(first.map((r) => [r.table, r.status])).toEqual([['users', 'uploaded'], ['cards', 'uploaded'], ['mcc_codes', 'uploaded'], ['transactions', 'uploaded']]);
    expect(first.every((r) => r.key.includes(`/${batch}/`))).toBe(true);
    const second = await uploadNequiSources(storage, dataDir);
    expect(second.map((r) => r.status)).toEqual(['present', 'present', 'present', 'present']);
    expect(second.map((r) => r.key)).toEqual(first.map((r) => r.key));
  });

  it('a changed source gets a new batch; an explicit batch always copies', async () => {
    const storage = new LocalStorage(join(root, 'lake-b'), { durable: false });
    const changedDir = join(root, 'data-changed');
    await generateNequi({ outDir: changedDir, rows: 1_500, dirtyShare: 0, seed: 11 });
    const before = await nequiSourcesBatch(changedDir);
    expect(before).toBe(await nequiSourcesBatch(dataDir)); // same seed → same bytes → same batch
    await appendFile(join(changedDir, 'transactions_data.csv'), '');
    expect(await nequiSourcesBatch(changedDir)).toBe(before); // no byte changed
    await appendFile(join(changedDir, 'users_data.csv'), '\n');
    expect(await nequiSourcesBatch(changedDir)).not.toBe(before);
    await uploadNequiSources(storage, dataDir, { batch: 'b1' });
    const again = await uploadNequiSources(storage, dataDir, { batch: 'b1' });
    expect(again.map((r) => r.status)).toEqual(['uploaded', 'uploaded', 'uploaded', 'uploaded']);
  });
});

describe('nequi run --data twice', () => {
  it('the second run with the same sources uploads nothing and ingests nothing new', async () => {
    const lakeDir = join(root, 'lake-run');
    const first = await nequiPipeline({ lakeDir, dataDir, durable: false, report: false }).run({ runId: 'r1' });
    expect(first.status).toBe('succeeded');
    expect(first.steps.find((s) => s.name === 'raw-to-processed')?.rowsIn).toBeGreaterThan(1_500);
    const second = await nequiPipeline({ lakeDir, dataDir, durable: false, report: false }).run({ runId: 'r2' });
    expect(second.status).toBe('succeeded');
    const upload = second.steps.find((s) => s.name === 'upload');
    expect((upload?.output as { status: string }[]).map((r) => r.status)).toEqual(['present', 'present', 'present', 'present']);
    const ingest = second.steps.find((s) => s.name === 'raw-to-processed');
    expect(ingest?.rowsIn ?? 0).toBe(0);
    expect((ingest?.output as { nothingNew?: boolean } | undefined)?.nothingNew).toBe(true);
  }, 60_000);
});
