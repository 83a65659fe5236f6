/**
 * An S3 lake end to end with Athena that really runs the SQL: S3 is s3rver, Glue is an in-memory
 * fake, Athena is a mock that executes every statement on DuckDB over the bucket's files (see
 * `testing/duckdb-athena.ts`), MySQL is the real MariaDB (a database per test).
 *
 * - `--mysql` on an S3 lake loads the curated tables Athena built — the files the catalog points
 *   at, under `_runs/` prefixes, named without `.parquet` — with counts and content equal to them.
 * - Models built on Athena report their rows.
 * - `watch` on an S3 lake reruns once per new raw file, not otherwise.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { lakeLayout } from '@lakeblocks/core';
import { S3Storage } from '@lakeblocks/core/s3';
import { connectTestMySql, DEFAULT_TEST_MYSQL_URL, startS3rver, type S3rverHandle, type TestMySql } from '@lakeblocks/core/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { generateTechstore } from '../../generate/generate.js';
import { techstoreModels } from '../../models/index.js';
import { techstoreTables } from '../../tables.js';
import { duckContent, mysqlContent, type Content } from '../../../testing/curated-content.js';
import { duckDbAthena } from '../../testing/duckdb-athena.js';
import { fakeGlue } from '../../testing/fake-glue.js';
import { testLakeRoot } from '../../testing/techstore-lake.js';
import { runTechstore, type RunTechstoreOptions, type RunTechstoreResult } from '../run-techstore.js';
import { uploadTechstoreFile } from '../upload-data.js';
import { watchTechstore } from '../watch.js';

// The CLI opens its lake with the engine's polling (first status check 500 ms after each start,
// then backing off); against the mock, whose statements have finished when StartQueryExecution
// returns, that is only waiting: ~25 s over a run's ~80 statements. Poll every 1 ms, as the runs
// through `runTechstore` here do (`athenaPollMs`); everything else in the CLI runs unchanged.
vi.mock(import('./aws-lake.js'), async (importOriginal) => {
  const actual = await importOriginal();
  return { ...actual, openAwsLake: (aws, options) => actual.openAwsLake(aws, { athenaPollMs: 1, ...options }) };
});

const BATCH = join(import.meta.dirname, '../../../../../../../shared/data/techstore/batches/2025-11');
const DB = 'techstore';
const LAKE = 's3://lake/techstore';
const ROOT = `${LAKE}/`;

describe('an S3 lake with Athena on DuckDB: --mysql, row counts, watch', () => {
  let s3: S3rverHandle;
  let work: string;
  let dataDir: string;
  let storage: S3Storage;
  let duck: DuckDBConnection;
  let mysql: TestMySql;
  let mysqlUrl: string;
  const database = `lb_ts_s3_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const env = { id: process.env['AWS_ACCESS_KEY_ID'], secret: process.env['AWS_SECRET_ACCESS_KEY'] };
  const glue = fakeGlue(DB);
  let athena: Awaited<ReturnType<typeof duckDbAthena>>;
  let options: RunTechstoreOptions;

  /** The content of every curated table as the catalog has it: its live files downloaded, read by DuckDB. */
  async function curatedContent(tag: string): Promise<Map<string, Content>> {
    await athena.sync();
    const dir = join(work, `live-${tag}`);
    const contents = new Map<string, Content>();
    for (const m of techstoreModels) {
      const files = athena.liveFiles(m.name);
      expect(files.length, `${m.name} has live files`).toBeGreaterThan(0);
      for (const [i, uri] of files.entries()) {
        const key = uri.slice(ROOT.length);
        const partition = /\/_runs\/[a-z0-9_]+\/(.*)\/[^/]+$/.exec(key)?.[1];
        const path = join(dir, 'curated', m.name, partition ?? '', `f${i}.parquet`);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, await storage.get(key));
      }
      contents.set(m.name, await duckContent(duck, dir, m.output));
    }
    return contents;
  }

  async function expectMySqlEquals(expected: Map<string, Content>, label: string): Promise<void> {
    for (const m of techstoreModels) {
      const want = expected.get(m.name);
      expect(want?.rows, `${m.name} (${label}) is not empty`).toBeGreaterThan(0);
      expect(await mysqlContent(mysql, m.name, m.output), `${m.name} in MariaDB (${label})`).toEqual(want);
    }
  }

  beforeAll(async () => {
    s3 = await startS3rver({ bucket: 'lake' });
    process.env['AWS_ACCESS_KEY_ID'] = 'S3RVER';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'S3RVER';
    work = await mkdtemp(join(testLakeRoot(), 'techstore-aws-duck-'));
    dataDir = join(work, 'data');
    await generateTechstore({ out: dataDir, scale: 0.003, seed: 'aws-duck' });
    storage = new S3Storage(LAKE, { client: s3.client });
    athena = await duckDbAthena({
      storage,
      root: ROOT,
      database: DB,
      workDir: join(work, 'athena'),
      tables: [...techstoreTables, ...techstoreModels.map((m) => m.output)],
      glueTables: glue.tables,
    });
    duck = await (await DuckDBInstance.create(':memory:')).connect();
    mysql = await connectTestMySql({ database });
    mysqlUrl = `${(process.env['LAKEBLOCKS_MYSQL_URL'] ?? DEFAULT_TEST_MYSQL_URL).replace(/\/?$/, '/')}${database}`;
    options = {
      lakeDir: LAKE,
      dataDir,
      tmpDir: work,
      aws: { endpoint: s3.endpoint, region: 'eu-west-1', glueDatabase: DB, athenaWorkgroup: 'wg', athenaOutput: 's3://athena-results/techstore/', athenaPollMs: 1 },
    };
  }, 120_000);

  afterAll(async () => {
    athena?.restore();
    glue.glue.restore();
    duck?.closeSync();
    if (mysql) {
      await mysql.pool.query(`DROP DATABASE IF EXISTS \`${database}\``).catch(() => undefined);
      await mysql.close();
    }
    if (env.id === undefined) delete process.env['AWS_ACCESS_KEY_ID'];
    else process.env['AWS_ACCESS_KEY_ID'] = env.id;
    if (env.secret === undefined) delete process.env['AWS_SECRET_ACCESS_KEY'];
    else process.env['AWS_SECRET_ACCESS_KEY'] = env.secret;
    await s3?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('first run with --mysql: the curated tables Athena built load into MySQL; every model reports its rows', async () => {
    const result = await runTechstore({ ...options, mysql: { url: mysqlUrl } });
    expect(result.runLog.status).toBe('succeeded');
    expect(result.runLog.steps.map((s) => s.name)).toEqual(['generate', 'upload', 'raw-to-processed', 'catalog', 'curated', 'mysql-load', 'business-questions', 'dashboard']);
    expect(result.curated.mode).toBe('full');

    // Athena's layout: data under curated/<model>/_runs/<run>/, files without an extension.
    await athena.sync();
    const live = athena.liveFiles('fact_orders_enriched');
    expect(live.length).toBeGreaterThan(0);
    expect(live.every((f) => /^s3:\/\/lake\/techstore\/curated\/fact_orders_enriched\/_runs\/[a-z0-9_]+\/year=\d{4}\/month=\d{1,2}\/q\d+_\d{5}$/.test(f))).toBe(true);

    const expected = await curatedContent('first');
    // Row counts read back from Athena equal what the curated tables hold.
    for (const m of techstoreModels) {
      const report = result.curated.models.find((r) => r.model === m.name);
      expect(report?.rows, `${m.name} rows reported`).toBe(expected.get(m.name)?.rows);
    }
    const curatedStep = result.runLog.steps.find((s) => s.name === 'curated');
    expect(curatedStep?.rowsOut).toBe([...expected.values()].reduce((n, c) => n + c.rows, 0));
    // MySQL: every table under its own name, counts and content equal to the curated tables.
    expect(result.mysql?.map((l) => [l.table, l.target, l.rows])).toEqual(techstoreModels.map((m) => [m.name, m.name, expected.get(m.name)?.rows]));
    await expectMySqlEquals(expected, 'first run');
    // The business questions read the marts Athena built (on DuckDB here), not canned answers.
    expect(result.answers.thisMonth?.orders).toBeGreaterThan(0);
  }, 300_000);

  it.skipIf(!existsSync(BATCH))('a monthly batch from the CLI with --mysql: partitions spread over several runs load exactly; rows printed', async () => {
    const out = { stdout: '', stderr: '' };
    const io = { stdout: { write: (t: string) => (out.stdout += t) }, stderr: { isTTY: false, write: (t: string) => (out.stderr += t) } };
    const flags = ['--lake', LAKE, '--endpoint', s3.endpoint, '--region', 'eu-west-1', '--glue-database', DB, '--athena-workgroup', 'wg', '--athena-output', 's3://athena-results/techstore/'];
    expect(await main(['run', ...flags, '--data', BATCH, '--mysql', mysqlUrl], io), out.stderr).toBe(0);
    expect(out.stdout).toMatch(/curated: incremental, .*fact_orders_enriched \(1 partition, [1-9][\d,]* rows\), .*kpi_monthly \(all, [1-9][\d,]* rows\)/);
    expect(out.stdout).toMatch(new RegExp(`mysql-load: 9 curated tables, [\\d,]+ rows into database ${database} \\(replace\\)`));
    // fact_orders_enriched now has partitions written by two runs (the first, and this batch's).
    await athena.sync();
    const runs = new Set(athena.liveFiles('fact_orders_enriched').map((f) => /\/_runs\/([a-z0-9_]+)\//.exec(f)?.[1]));
    expect(runs.size).toBe(2);
    await expectMySqlEquals(await curatedContent('batch'), 'after the batch');
  }, 300_000);

  it('watch on the S3 lake: a new raw file → one rerun; nothing new → no rerun', async () => {
    const controller = new AbortController();
    const results: RunTechstoreResult[] = [];
    const errors: unknown[] = [];
    const settle = async (ms: number) => new Promise((r) => setTimeout(r, ms));
    const waitFor = async (n: number) => {
      const deadline = Date.now() + 120_000;
      while (results.length + errors.length < n && Date.now() < deadline) await settle(50);
    };
    const watching = watchTechstore({
      lakeDir: LAKE,
      ...(options.aws ? { aws: options.aws } : {}),
      intervalMs: 100,
      listTimeoutMs: 10_000,
      signal: controller.signal,
      onRun: (r) => results.push(r),
      onError: (e) => errors.push(e),
    });
    try {
      await waitFor(1); // catching up at start: the raw files already there, nothing new to build
      expect(errors.map((e) => (e as Error).message)).toEqual([]);
      expect(results[0]?.curated.mode).toBe('nothing-new');
      await settle(1_000); // ten listings, nothing new
      expect(results).toHaveLength(1);

      // One new raw file (a later reviews file): exactly one more run, which ingests it.
      const reviews = (await readFile(join(dataDir, 'reviews.csv'), 'utf8')).trimEnd().split('\n');
      const extra = join(work, 'reviews_late.csv');
      await writeFile(extra, `${reviews.slice(0, 3).join('\n')}\n`);
      const uploaded = await uploadTechstoreFile(storage, extra);
      expect(uploaded.status).toBe('uploaded');
      await waitFor(2);
      await settle(1_000);
      expect(results).toHaveLength(2);
      expect(results[1]?.runLog.steps.find((s) => s.name === 'raw-to-processed')?.rowsIn).toBe(2);
    } finally {
      controller.abort();
    }
    expect(await watching).toBe(results.length);
    expect(errors).toEqual([]);
    expect(await storage.exists(lakeLayout.runLogFile(results[1]?.runLog.runId ?? ''))).toBe(true);
  }, 300_000);
});
