// Issue 7's `--mysql`: every curated Nequi table loads into MariaDB with exact counts and content,
// and a second load changes nothing. The curated Parquet is read independently by DuckDB. Tables get
// the test's unique prefix plus `nequi_`, so they never meet the TechStore tests' tables.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { LocalStorage } from '@lakeblocks/core';
import { connectTestMySql, type TestMySql } from '@lakeblocks/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duckContent, mysqlContent, type Content } from '../../testing/curated-content.js';
import { generateNequi } from '../generate/generate-nequi.js';
import { nequiModels } from '../models/index.js';
import { testLakeRoot } from '../testing/nequi-lake.js';
import { loadNequiToMySql } from './mysql-load.js';
import { nequiPipeline } from './nequi-pipeline.js';

describe('curated Nequi tables into MariaDB', () => {
  let root: string;
  let lakeDir: string;
  let db: TestMySql;
  let duck: DuckDBConnection;
  let prefix: string;

  beforeAll(async () => {
    db = await connectTestMySql({ database: 'lakeblocks_examples_test' });
    prefix = `${db.tablePrefix}nequi_`;
    root = await mkdtemp(join(testLakeRoot(), 'nequi-mysql-'));
    lakeDir = join(root, 'lake');
    await generateNequi({ outDir: join(root, 'data'), rows: 3_000, dirtyShare: 0.02, seed: 21 });
    // The pipeline's own mysql-load step, through the URL the CLI takes (`--mysql`).
    const log = await nequiPipeline({
      lakeDir,
      dataDir: join(root, 'data'),
      durable: false,
      report: false,
      mysql: { url: 'mysql://root@127.0.0.1:3306/lakeblocks_examples_test', tablePrefix: prefix },
    }).run();
    expect(log.steps.map((s) => s.name)).toEqual(['upload', 'raw-to-processed', 'curated', 'mysql-load', 'reports']);
    expect(log.steps.find((s) => s.name === 'mysql-load')?.output).toMatchObject({ database: 'lakeblocks_examples_test' });
    duck = await (await DuckDBInstance.create(':memory:')).connect();
  }, 120_000);

  afterAll(async () => {
    duck?.closeSync();
    await db?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('the run loaded every curated table with exact counts and content; reloading changes nothing', async () => {
    const expected = new Map<string, Content>();
    for (const m of nequiModels) expected.set(m.name, await duckContent(duck, lakeDir, m.output));
    for (const round of [1, 2]) {
      if (round === 2) {
        const loads = await loadNequiToMySql({ storage: new LocalStorage(lakeDir, { durable: false }), pool: db.pool, tablePrefix: prefix, queryTimeoutMs: 60_000 });
        expect(loads.map((l) => l.target)).toEqual(nequiModels.map((m) => `${prefix}${m.name}`));
        for (const l of loads) expect(l.rows, l.table).toBe(expected.get(l.table)!.rows);
      }
      for (const m of nequiModels) {
        const want = expected.get(m.name)!;
        expect(want.rows, `${m.name} is empty`).toBeGreaterThan(0);
        expect(await mysqlContent(db, `${prefix}${m.name}`, m.output), `${m.name} (round ${round})`).toEqual(want);
      }
    }
  }, 120_000);

  it('fails the run within seconds naming the mysql-load step when the server is unreachable, without the password', async () => {
    const started = Date.now();
    const error = await nequiPipeline({ lakeDir, durable: false, report: false, mysql: { url: 'mysql://root:s3cret@127.0.0.1:1/x', connectTimeoutMs: 2_000 } })
      .run()
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(/mysql-load/);
    expect(error!.message).not.toContain('s3cret');
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});
