/**
 * `run` on an S3 lake: S3 is a real S3-compatible server (s3rver), Glue and Athena are
 * aws-sdk-client-mock fakes checked request by request (the models' SQL itself is tested on DuckDB).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import { BatchDeletePartitionCommand, CreateDatabaseCommand, CreateTableCommand } from '@aws-sdk/client-glue';
import { DuckDBInstance } from '@duckdb/node-api';
import { lakeLayout } from '@lakeblocks/core';
import { S3Storage } from '@lakeblocks/core/s3';
import { startS3rver, type S3rverHandle } from '@lakeblocks/core/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTechstore } from '../../generate/generate.js';
import { techstoreModels } from '../../models/index.js';
import { techstoreTables } from '../../tables.js';
import { fakeGlue } from '../../testing/fake-glue.js';
import { testLakeRoot } from '../../testing/techstore-lake.js';
import { main } from '../../cli/main.js';
import { DASHBOARD_KEY, runTechstore, type RunTechstoreOptions } from '../run-techstore.js';

const BATCH = join(import.meta.dirname, '../../../../../../../shared/data/techstore/batches/2025-11');
const DB = 'techstore';
const WORKGROUP = 'lakeblocks-wg';
const OUTPUT = 's3://athena-results/techstore/';

/**
 * Athena behind the AthenaClient mock: every query SUCCEEDED. Results: the partitions a model
 * produces (those named in its WHERE, else 2025-10 and 2025-11), no catalog columns (tables absent
 * until created), and two months of `kpi_monthly` for the business questions; everything else empty.
 */
function fakeAthena() {
  const athena = mockClient(AthenaClient);
  const started: StartQueryExecutionCommandInput[] = [];
  athena.on(StartQueryExecutionCommand).callsFake((input: StartQueryExecutionCommandInput) => {
    started.push(input);
    return { QueryExecutionId: `q${started.length}` };
  });
  athena.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => {
    const sql = started[Number(input.QueryExecutionId.slice(1)) - 1]?.QueryString ?? '';
    const select = /^SELECT/.test(sql);
    return {
      QueryExecution: {
        QueryExecutionId: input.QueryExecutionId,
        StatementType: select ? 'DML' : 'DDL',
        ...(select ? { SubstatementType: 'SELECT' } : {}),
        Status: { State: 'SUCCEEDED' },
        Statistics: { DataScannedInBytes: 1_000, EngineExecutionTimeInMillis: 3 },
      },
    };
  });
  const cells = (...values: string[]) => ({ Data: values.map((v) => ({ VarCharValue: v })) });
  athena.on(GetQueryResultsCommand).callsFake((input: { QueryExecutionId: string }) => {
    const sql = started[Number(input.QueryExecutionId.slice(1)) - 1]?.QueryString ?? '';
    const distinct = /^SELECT DISTINCT ((?:"\w+"(?:, )?)+) FROM \(/.exec(sql);
    if (distinct) {
      const keys = (distinct[1] ?? '').split(', ');
      const named = [...sql.matchAll(/"year" = (\d+) AND "month" = (\d+)/g)].map((m) => [m[1] as string, m[2] as string]);
      const months = named.length > 0 ? named : [['2025', '10'], ['2025', '11']];
      const rows = [...new Set(months.map((m) => m.slice(0, keys.length).join('/')))].map((k) => cells(...k.split('/')));
      return { ResultSet: { Rows: [cells(...keys.map((k) => k.replaceAll('"', ''))), ...rows] } };
    }
    if (/FROM kpi_monthly ORDER BY year DESC/.test(sql)) {
      const columns = [
        { Name: 'year', Type: 'integer' },
        { Name: 'month', Type: 'integer' },
        { Name: 'revenue_usd', Type: 'decimal', Precision: 14, Scale: 2 },
        { Name: 'orders', Type: 'integer' },
        { Name: 'customers', Type: 'integer' },
        { Name: 'avg_ticket_usd', Type: 'decimal', Precision: 12, Scale: 2 },
      ];
      return {
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: columns },
          Rows: [cells(...columns.map((c) => c.Name)), cells('2025', '11', '20400.50', '15', '15', '1360.03'), cells('2025', '10', '41000.00', '30', '29', '1366.67')],
        },
      };
    }
    return { ResultSet: { ResultSetMetadata: { ColumnInfo: [] }, Rows: [] } };
  });
  return { athena, started };
}

/** Every object under `prefix`, downloaded into `dir` (same relative keys). */
async function download(storage: S3Storage, prefix: string, dir: string): Promise<number> {
  let n = 0;
  for await (const o of storage.listAll(prefix)) {
    const path = join(dir, o.key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, await storage.get(o.key));
    n++;
  }
  return n;
}

describe('runTechstore on an S3 lake (s3rver; Glue and Athena mocked)', () => {
  let s3: S3rverHandle;
  let root: string;
  let dataDir: string;
  let storage: S3Storage;
  const env = { id: process.env['AWS_ACCESS_KEY_ID'], secret: process.env['AWS_SECRET_ACCESS_KEY'] };
  const glue = fakeGlue(DB);
  const athena = fakeAthena();
  let options: RunTechstoreOptions;

  beforeAll(async () => {
    s3 = await startS3rver({ bucket: 'lake' });
    process.env['AWS_ACCESS_KEY_ID'] = 'S3RVER';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'S3RVER';
    root = await mkdtemp(join(testLakeRoot(), 'techstore-aws-'));
    dataDir = join(root, 'data');
    await generateTechstore({ out: dataDir, scale: 0.003, seed: 'aws' });
    storage = new S3Storage('s3://lake/techstore', { client: s3.client });
    options = {
      lakeDir: 's3://lake/techstore',
      dataDir,
      tmpDir: root,
      aws: { endpoint: s3.endpoint, region: 'eu-west-1', glueDatabase: DB, athenaWorkgroup: WORKGROUP, athenaOutput: OUTPUT, athenaPollMs: 1 },
    };
  }, 60_000);
  afterAll(async () => {
    glue.glue.restore();
    athena.athena.restore();
    if (env.id === undefined) delete process.env['AWS_ACCESS_KEY_ID'];
    else process.env['AWS_ACCESS_KEY_ID'] = env.id;
    if (env.secret === undefined) delete process.env['AWS_SECRET_ACCESS_KEY'];
    else process.env['AWS_SECRET_ACCESS_KEY'] = env.secret;
    await s3?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('uploads, ingests into the processed layout, registers Glue tables and partitions, runs the models on Athena', async () => {
    const result = await runTechstore(options);
    expect(result.runLog.status).toBe('succeeded');
    expect(result.runLog.steps.map((s) => s.name)).toEqual(['generate', 'upload', 'raw-to-processed', 'catalog', 'curated', 'business-questions', 'dashboard']);

    // raw/: every CSV byte for byte under its digest batch.
    for (const t of techstoreTables) {
      const raw = result.uploads.find((u) => u.table === t.name);
      expect(raw?.key).toMatch(new RegExp(`^raw/${t.name}/[0-9a-f]{16}/${t.name}\\.csv$`));
      expect(Buffer.from(await storage.get(raw?.key as string)).equals(await readFile(join(dataDir, `${t.name}.csv`)))).toBe(true);
    }
    // processed/: Hive day partitions; DuckDB reads back every row.
    const local = join(root, 'mirror');
    expect(await download(storage, lakeLayout.layerPrefix('processed'), local)).toBeGreaterThan(100);
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    try {
      for (const t of ['orders', 'events', 'order_items']) {
        const csvRows = (await readFile(join(dataDir, `${t}.csv`), 'utf8')).trimEnd().split('\n').length - 1;
        const reader = await db.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${join(local, 'processed', t)}/**/*.parquet', hive_partitioning = true)`);
        expect(reader.getRowObjects()[0]?.['n'], t).toBe(csvRows);
      }
    } finally {
      db.closeSync();
    }
    const ordersKeys: string[] = [];
    for await (const o of storage.listAll(lakeLayout.tablePrefix('processed', 'orders'))) ordersKeys.push(o.key);
    expect(ordersKeys.every((k) => /^processed\/orders\/year=\d{4}\/month=\d{1,2}\/day=\d{1,2}\/part-[0-9a-f]{12}-\d{5}\.parquet$/.test(k))).toBe(true);
    // Bookmarks and the run log live in the bucket.
    for (const job of ['raw-to-processed/orders', 'raw-to-processed/events', 'processed-to-curated']) expect(await storage.exists(lakeLayout.bookmarkFile(job)), job).toBe(true);
    const bookmark = Buffer.from(await storage.get(lakeLayout.bookmarkFile('raw-to-processed/orders'))).toString('utf8');
    expect(bookmark).toContain(result.uploads.find((u) => u.table === 'orders')?.key);
    expect(await storage.exists(lakeLayout.runLogFile(result.runLog.runId))).toBe(true);

    // Glue: the database, one table per processed table at its S3 prefix, every day partition.
    expect(glue.glue.commandCalls(CreateDatabaseCommand).map((c) => c.args[0].input.DatabaseInput?.Name)).toEqual([DB]);
    const created = glue.glue.commandCalls(CreateTableCommand).map((c) => c.args[0].input);
    expect(created.map((t) => t.TableInput?.Name).sort()).toEqual(techstoreTables.map((t) => t.name).sort());
    for (const t of created) {
      expect(t.DatabaseName).toBe(DB);
      expect(t.TableInput?.StorageDescriptor?.Location).toBe(`s3://lake/techstore/processed/${t.TableInput?.Name}/`);
    }
    expect(created.find((t) => t.TableInput?.Name === 'orders')?.TableInput?.PartitionKeys?.map((k) => k.Name)).toEqual(['year', 'month', 'day']);
    const dayDirs = new Set(ordersKeys.map((k) => k.slice(0, k.lastIndexOf('/') + 1)));
    const ordersPartitions = [...(glue.partitions.get('orders')?.values() ?? [])];
    expect(ordersPartitions).toHaveLength(dayDirs.size);
    for (const p of ordersPartitions) expect(dayDirs.has((p.StorageDescriptor?.Location ?? '').replace('s3://lake/techstore/', ''))).toBe(true);

    // Athena: every statement in the workgroup, results to the output location, in the database.
    expect(athena.started.length).toBeGreaterThan(techstoreModels.length * 3);
    for (const q of athena.started) {
      expect(q.WorkGroup).toBe(WORKGROUP);
      expect(q.ResultConfiguration?.OutputLocation).toBe(OUTPUT);
      expect(q.QueryExecutionContext?.Database).toBe(DB);
    }
    const sql = athena.started.map((q) => q.QueryString ?? '');
    for (const m of techstoreModels) {
      const ctas = sql.find((s) => s.startsWith(`CREATE TABLE "${DB}"."${m.name}__stage_`));
      expect(ctas, m.name).toBeDefined();
      expect(ctas).toMatch(new RegExp(`external_location = 's3://lake/techstore/curated/${m.name}/_runs/[a-z0-9_]+/'`));
      expect(sql.some((s) => s.startsWith('CREATE EXTERNAL TABLE') && s.includes(m.name)), m.name).toBe(true);
    }
    expect(sql.find((s) => s.includes('__stage_') && s.includes('fact_orders_enriched') && s.startsWith('CREATE TABLE'))).toContain(`FROM "${DB}"."orders"`);
    expect(result.curated.mode).toBe('full');

    // The answers come from Athena's (typed) rows; the dashboard is in the bucket.
    expect(result.answers.thisMonth).toEqual({ year: 2025, month: 11, revenue: 20400.5, orders: 15, customers: 15, avgTicket: 1360.03 });
    expect(result.answers.lastMonth?.month).toBe(10);
    expect(result.dashboard).toEqual({ path: `s3://lake/techstore/${DASHBOARD_KEY}`, written: true });
    expect(Buffer.from(await storage.get(DASHBOARD_KEY)).toString('utf8')).toMatch(/^<!doctype html>/);
    expect(result.runLog.steps.find((s) => s.name === 'business-questions')?.bytesRead).toBeGreaterThan(0);
  }, 120_000);

  it('a second run with nothing new, from the CLI flags, sends no Glue write and no CTAS', async () => {
    const glueWrites = () => glue.glue.calls().filter((c) => !/^Get/.test((c.args[0] as object).constructor.name)).length;
    const writesBefore = glueWrites();
    const callNames = () => glue.glue.calls().map((c) => (c.args[0] as object).constructor.name);
    const namesBefore = callNames().length;
    const before = athena.started.length;
    const out = { stdout: '', stderr: '' };
    const io = { stdout: { write: (t: string) => (out.stdout += t) }, stderr: { isTTY: false, write: (t: string) => (out.stderr += t) } };
    const flags = ['--lake', 's3://lake/techstore', '--endpoint', s3.endpoint, '--region', 'eu-west-1', '--glue-database', DB, '--athena-workgroup', WORKGROUP, '--athena-output', OUTPUT];
    expect(await main(['run', ...flags, '--data', dataDir], io), out.stderr).toBe(0);
    expect(out.stdout).toContain('lake s3://lake/techstore');
    expect(out.stdout).toContain('upload: 0 file(s) uploaded, 7 already in the lake');
    expect(out.stdout).toContain('curated: no new processed files, nothing written');
    expect(out.stdout).toContain('dashboard: s3://lake/techstore/reports/techstore-dashboard.html (unchanged)');
    expect(out.stdout).toMatch(/November 2025 \(against October 2025\)/);
    expect(out.stdout + out.stderr).not.toContain('S3RVER'); // the credentials
    expect(callNames().slice(namesBefore).filter((n) => !n.startsWith('Get'))).toEqual([]);
    expect(glueWrites()).toBe(writesBefore);
    expect(athena.started.slice(before).some((q) => /^(CREATE|INSERT|ALTER|DROP)/.test(q.QueryString ?? ''))).toBe(false);
    // query runs on Athena with the same flags.
    out.stdout = '';
    expect(await main(['query', ...flags, 'SELECT year, month, revenue_usd, orders, customers, avg_ticket_usd FROM kpi_monthly ORDER BY year DESC, month DESC LIMIT 2'], io), out.stderr).toBe(0);
    expect(out.stdout).toMatch(/year\s+month\s+revenue_usd/);
    expect(out.stdout).toContain('20400.50');
    expect(out.stdout).toContain('(2 rows)');
    expect(athena.started.at(-1)?.WorkGroup).toBe(WORKGROUP);
  }, 120_000);

  it.skipIf(!existsSync(BATCH))('a monthly batch: new partitions registered, only the touched partitions rebuilt, dimension files found by "$path"', async () => {
    const before = athena.started.length;
    const result = await runTechstore({ ...options, dataDir: BATCH });
    expect(result.curated.mode).toBe('incremental');
    const scope = Object.fromEntries(result.curated.models.map((m) => [m.model, m.scope]));
    expect(scope['fact_orders_enriched']).toContain('year=2025/month=11');
    expect(scope['events_enriched']).toEqual(['year=2025/month=11']);
    expect([...(glue.partitions.get('orders')?.keys() ?? [])].filter((k) => k.startsWith('2025/11/')).length).toBeGreaterThan(0);
    const sql = athena.started.slice(before).map((q) => q.QueryString ?? '');
    const planning = sql.find((s) => s.includes('"$path" IN ('));
    expect(planning).toMatch(/FROM customers WHERE "\$path" IN \('s3:\/\/lake\/techstore\/processed\/customers\/year=2025\/month=11\/day=\d+\/part-[0-9a-f]{12}-\d{5}\.parquet'/);
    const ctas = sql.find((s) => s.startsWith(`CREATE TABLE "${DB}"."events_enriched__stage_`));
    expect(ctas).toMatch(/"year" = 2025 AND "month" = 11|year.*2025.*month.*11/s);
  }, 120_000);

  it.skipIf(!existsSync(BATCH))('processed files deleted on S3: their Glue partitions are removed and the month is rebuilt', async () => {
    const prefix = `${lakeLayout.tablePrefix('processed', 'orders')}year=2025/month=11/`;
    let deleted = 0;
    for await (const o of storage.listAll(prefix)) {
      await storage.delete(o.key);
      deleted++;
    }
    expect(deleted).toBeGreaterThan(0);
    const gluePartitionsBefore = [...(glue.partitions.get('orders')?.keys() ?? [])].filter((k) => k.startsWith('2025/11/'));
    expect(gluePartitionsBefore.length).toBeGreaterThan(0);
    const before = athena.started.length;
    const result = await runTechstore(options);
    expect([...(glue.partitions.get('orders')?.keys() ?? [])].filter((k) => k.startsWith('2025/11/'))).toEqual([]);
    const removedByGlue = glue.glue.commandCalls(BatchDeletePartitionCommand).flatMap((c) => c.args[0].input.PartitionsToDelete?.map((p) => (p.Values ?? []).join('/')) ?? []);
    expect(removedByGlue.sort()).toEqual(gluePartitionsBefore.sort());
    expect(result.runLog.steps.find((s) => s.name === 'catalog')?.output).toMatchObject({ partitionsRemoved: gluePartitionsBefore.length });
    expect(result.curated.mode).toBe('incremental');
    expect(result.curated.deletedFiles).toBe(deleted);
    const scope = Object.fromEntries(result.curated.models.map((m) => [m.model, m.scope]));
    expect(scope['fact_orders_enriched']).toEqual(['year=2025/month=11']);
    expect(scope['fact_order_items_enriched']).toEqual(['year=2025']);
    expect(athena.started.slice(before).some((q) => (q.QueryString ?? '').startsWith(`CREATE TABLE "${DB}"."fact_orders_enriched__stage_`))).toBe(true);
  }, 120_000);
});
