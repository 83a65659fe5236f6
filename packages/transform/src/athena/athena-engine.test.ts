import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type GetQueryResultsCommandOutput,
} from '@aws-sdk/client-athena';
import { col, defineTable } from '@lakeblocks/core';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { TransformError } from '../errors/transform-error.js';
import { defineModel } from '../model/define-model.js';
import { AthenaQueryRunner } from './athena-client.js';
import { AthenaEngine } from './athena-engine.js';
import { ATHENA_MAX_DDL_CHARS, renderAddPartitions, renderDropPartitions } from './render.js';

const athena = mockClient(AthenaClient);

const factOrders = defineModel({
  output: defineTable({
    name: 'fact_orders',
    columns: { order_id: col.int(), order_time: col.timestamp(), total_usd: col.decimal(12, 2) },
    partitioning: { kind: 'time', column: 'order_time', granularity: 'month' },
  }),
  sql: "SELECT order_id, order_time, total_usd FROM {{ ref('orders') }}",
  writeMode: 'overwrite_partitions',
});
const kpi = defineModel({
  output: defineTable({ name: 'kpi', columns: { orders: col.bigint() } }),
  sql: "SELECT count(*) AS orders FROM {{ ref('fact_orders') }} f JOIN {{ ref('orders') }} o ON o.order_id = f.order_id",
});

/** 250 months: 2000-01 … 2020-10. */
const months = Array.from({ length: 250 }, (_, i) => ({ year: 2000 + Math.floor(i / 12), month: (i % 12) + 1 }));

let started: string[];
let polls: Map<string, number>;
let results: GetQueryResultsCommandOutput[];

function engine(extra: Partial<ConstructorParameters<typeof AthenaEngine>[0]> = {}): AthenaEngine {
  return new AthenaEngine({
    client: new AthenaClient({ region: 'us-east-1' }),
    database: 'curated_db',
    inputDatabase: 'processed_db',
    curatedLocation: 's3://lake-bucket/curated/',
    workGroup: 'lakeblocks',
    outputLocation: 's3://lake-bucket/athena-results/',
    models: [factOrders, kpi],
    initialPollDelayMs: 1,
    maxPollDelayMs: 2,
    ...extra,
  });
}

function page(rows: (string | null)[][], nextToken?: string): GetQueryResultsCommandOutput {
  return {
    $metadata: {},
    ResultSet: { Rows: rows.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })) },
    ...(nextToken === undefined ? {} : { NextToken: nextToken }),
  };
}

beforeEach(() => {
  athena.reset();
  started = [];
  polls = new Map();
  results = [];
  athena.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string }) => {
    started.push(input.QueryString);
    return { QueryExecutionId: `q${started.length}` };
  });
  // Every query is QUEUED, then RUNNING, then SUCCEEDED.
  athena.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => {
    const n = (polls.get(input.QueryExecutionId) ?? 0) + 1;
    polls.set(input.QueryExecutionId, n);
    const State = n === 1 ? 'QUEUED' : n === 2 ? 'RUNNING' : 'SUCCEEDED';
    return { QueryExecution: { QueryExecutionId: input.QueryExecutionId, Status: { State } } };
  });
  athena.on(GetQueryResultsCommand).callsFake(() => results.shift() ?? page([]));
});

function partitionsIn(sql: string): string[] {
  return [...sql.matchAll(/\("year" = (\d+) AND "month" = (\d+)\)/g)].map((m) => `${m[1]}-${m[2]}`);
}

const FACT = 's3://lake-bucket/curated/fact_orders/';
const FACT_TABLE = '`curated_db`.`fact_orders`';
const factColumns = page([['column_name'], ['order_id'], ['order_time'], ['total_usd'], ['year'], ['month']]);
const kpiColumns = page([['column_name'], ['orders']]);
const COLUMNS_QUERY = (table: string) =>
  `SELECT "column_name" FROM "information_schema"."columns" WHERE "table_schema" = 'curated_db' AND "table_name" = '${table}' ORDER BY "ordinal_position"`;

/** Statements that touch the target table (not its staging table). */
function touchingTarget(statements: readonly string[], table: string): string[] {
  return statements.filter((s) => s.includes(`\`${table}\``) || s.includes(`"${table}"`) || s.includes(`"${table}$partitions"`));
}

describe('AthenaEngine.run (full rebuild)', () => {
  it('first build (table absent): CTAS series of at most 100 partitions into a fresh prefix, CREATE EXTERNAL TABLE, ADD PARTITION batches, drop the staging definition', async () => {
    const header = ['year', 'month'];
    const rows = months.map((p) => [String(p.year), String(p.month)]);
    results = [page([header, ...rows.slice(0, 150)], 'next-1'), page(rows.slice(150)), page([['column_name']])];
    let deleted: string[] | undefined;

    const result = await engine({ deleteLocations: async (l) => void (deleted = l) }).run(factOrders, { runId: 'r1' });

    expect(result.partitionsWritten).toHaveLength(250);
    expect(result).toMatchObject({ tableCreated: true, supersededLocations: [], partitionsRemoved: [], dataLocation: `${FACT}_runs/r1/` });
    expect(deleted).toBeUndefined(); // nothing superseded: the hook is not called
    const s = result.statements;
    expect(s).toHaveLength(11);
    const [distinct, columns, dropStage, ctas, insert1, insert2, create, add1, add2, add3, dropStage2] = s as [string, string, string, string, string, string, string, string, string, string, string];
    expect(distinct).toMatch(/^SELECT DISTINCT "year", "month" FROM \(/);
    expect(distinct).toContain('FROM "processed_db"."orders"');
    expect(columns).toBe(COLUMNS_QUERY('fact_orders'));
    expect(dropStage).toBe('DROP TABLE IF EXISTS `curated_db`.`fact_orders__stage_r1`');
    expect(ctas).toMatch(/^CREATE TABLE "curated_db"."fact_orders__stage_r1"\nWITH \(format = 'PARQUET', write_compression = 'SNAPPY', external_location = 's3:\/\/lake-bucket\/curated\/fact_orders\/_runs\/r1\/', partitioned_by = ARRAY\['year', 'month'\]\)\nAS\nSELECT "order_id", "order_time", "total_usd", "year", "month"/);
    expect(ctas).toContain('CAST(year(CAST("order_time" AS TIMESTAMP)) AS INTEGER) AS "year"');
    expect(ctas).toContain('CAST("total_usd" AS DECIMAL(12,2))');
    expect(insert1).toMatch(/^INSERT INTO "curated_db"."fact_orders__stage_r1"\nSELECT /);
    expect(insert2).toMatch(/^INSERT INTO "curated_db"."fact_orders__stage_r1"\nSELECT /);
    const chunks = [ctas, insert1, insert2].map(partitionsIn);
    expect(chunks.map((c) => c.length)).toEqual([100, 100, 50]);
    expect(chunks.flat().sort()).toEqual(months.map((p) => `${p.year}-${p.month}`).sort());
    // The table over the model's location, partitions pointing into the fresh prefix.
    expect(create).toMatch(/^CREATE EXTERNAL TABLE IF NOT EXISTS `curated_db`.`fact_orders` \(\n  `order_id` int,\n  `order_time` timestamp,\n  `total_usd` decimal\(12,2\)\n\)\nPARTITIONED BY \(\n  `year` int/);
    expect(create).toContain("LOCATION 's3://lake-bucket/curated/fact_orders/'");
    const adds = [add1, add2, add3];
    for (const add of adds) expect(add).toMatch(/^ALTER TABLE `curated_db`.`fact_orders` ADD IF NOT EXISTS\nPARTITION \(/);
    expect(adds.map((a) => a.split('\n').length - 1)).toEqual([100, 100, 50]);
    expect(add1.split('\n')[1]).toBe("PARTITION (`year` = 2000, `month` = 1) LOCATION 's3://lake-bucket/curated/fact_orders/_runs/r1/year=2000/month=1/'");
    expect(dropStage2).toBe(dropStage);
    expect(s.some((q) => q.startsWith('DROP TABLE IF EXISTS `curated_db`.`fact_orders`'))).toBe(false);

    // Requests: context, work group, output location, idempotency token; polled until SUCCEEDED.
    const inputs = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(11);
    for (const input of inputs) {
      expect(input).toMatchObject({ QueryExecutionContext: { Database: 'curated_db' }, WorkGroup: 'lakeblocks', ResultConfiguration: { OutputLocation: 's3://lake-bucket/athena-results/' } });
      expect(input.ClientRequestToken).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(new Set(inputs.map((i) => i.ClientRequestToken)).size).toBe(11);
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(33);
    const resultCalls = athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input);
    expect(resultCalls).toEqual([
      { QueryExecutionId: 'q1', MaxResults: 1000 },
      { QueryExecutionId: 'q1', MaxResults: 1000, NextToken: 'next-1' },
      { QueryExecutionId: 'q2', MaxResults: 1000 },
    ]);
  });

  it('rebuild of an existing table: repoints produced partitions, adds new ones, drops vanished ones, then deletes exactly the superseded locations', async () => {
    results = [
      page([['year', 'month'], ['2025', '10'], ['2025', '11'], ['2026', '1']]),
      factColumns,
      page([
        ['year', 'month', 'location'],
        ['2025', '10', `${FACT}year=2025/month=10/`], // written by an older, in-place CTAS
        ['2025', '11', `${FACT}_runs/r0/year=2025/month=11/`],
        ['2025', '12', `${FACT}_runs/r0/year=2025/month=12/`], // no longer produced
        ['2025', '9', null], // in the catalog, no files
      ]),
    ];
    const calls: { locations: string[]; statementsSent: number }[] = [];
    const result = await engine({ deleteLocations: async (locations) => void calls.push({ locations, statementsSent: started.length }) }).run(factOrders, { runId: 'r2' });

    const fresh = `${FACT}_runs/r2/`;
    expect(result.statements.slice(1)).toEqual([
      COLUMNS_QUERY('fact_orders'),
      'DROP TABLE IF EXISTS `curated_db`.`fact_orders__stage_r2`',
      expect.stringMatching(/^CREATE TABLE "curated_db"."fact_orders__stage_r2"\nWITH \(.*external_location = 's3:\/\/lake-bucket\/curated\/fact_orders\/_runs\/r2\/'/),
      [
        'SELECT "p"."year", "p"."month", "f"."location"',
        'FROM "curated_db"."fact_orders$partitions" AS "p"',
        `LEFT JOIN (SELECT DISTINCT "year", "month", regexp_replace("$path", '[^/]*$', '') AS "location" FROM "curated_db"."fact_orders") AS "f" ON "p"."year" = "f"."year" AND "p"."month" = "f"."month"`,
        'ORDER BY 1, 2',
      ].join('\n'),
      `ALTER TABLE ${FACT_TABLE} ADD IF NOT EXISTS\nPARTITION (\`year\` = 2026, \`month\` = 1) LOCATION '${fresh}year=2026/month=1/'`,
      `ALTER TABLE ${FACT_TABLE} PARTITION (\`year\` = 2025, \`month\` = 10) SET LOCATION '${fresh}year=2025/month=10/'`,
      `ALTER TABLE ${FACT_TABLE} PARTITION (\`year\` = 2025, \`month\` = 11) SET LOCATION '${fresh}year=2025/month=11/'`,
      `ALTER TABLE ${FACT_TABLE} DROP IF EXISTS PARTITION (\`year\` = 2025, \`month\` = 12), PARTITION (\`year\` = 2025, \`month\` = 9)`,
      'DROP TABLE IF EXISTS `curated_db`.`fact_orders__stage_r2`',
    ]);
    expect(result.statements.some((q) => q.startsWith(`DROP TABLE IF EXISTS ${FACT_TABLE}`))).toBe(false);
    expect(result.tableCreated).toBe(false);
    expect(result.partitionsRemoved).toEqual([{ year: 2025, month: 12 }, { year: 2025, month: 9 }]);
    const superseded = [`${FACT}year=2025/month=10/`, `${FACT}_runs/r0/year=2025/month=11/`, `${FACT}_runs/r0/year=2025/month=12/`];
    expect(result.supersededLocations).toEqual(superseded);
    // Called once, with exactly those, after every statement (the last one dropped the staging table).
    expect(calls).toEqual([{ locations: superseded, statementsSent: 10 }]);
  });

  it('a failed CTAS leaves the target untouched: no DROP, no ALTER, no CREATE of the table, nothing deleted', async () => {
    results = [page([['year', 'month'], ['2025', '11']]), factColumns];
    athena.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => ({
      QueryExecution: { Status: input.QueryExecutionId === 'q4' ? { State: 'FAILED', StateChangeReason: 'HIVE_BAD_DATA' } : { State: 'SUCCEEDED' } },
    }));
    let deleted = false;
    const error = await engine({ deleteLocations: async () => void (deleted = true) }).run(factOrders, { runId: 'r3' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ _tag: 'QueryFailed', context: { queryExecutionId: 'q4' } });
    expect(started.slice(1)).toEqual([
      COLUMNS_QUERY('fact_orders'),
      'DROP TABLE IF EXISTS `curated_db`.`fact_orders__stage_r3`',
      expect.stringMatching(/^CREATE TABLE "curated_db"."fact_orders__stage_r3"\n/),
      'DROP TABLE IF EXISTS `curated_db`.`fact_orders__stage_r3`', // the staging definition only
    ]);
    expect(touchingTarget(started.slice(2), 'fact_orders')).toEqual([]);
    expect(started.some((q) => q.startsWith('ALTER'))).toBe(false);
    expect(deleted).toBe(false);
  });

  it('does not call deleteLocations when a catalog change fails', async () => {
    results = [page([['year', 'month'], ['2025', '11']]), factColumns, page([['year', 'month', 'location'], ['2025', '11', `${FACT}_runs/r0/year=2025/month=11/`]])];
    athena.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => ({
      QueryExecution: { Status: input.QueryExecutionId === 'q6' ? { State: 'FAILED', StateChangeReason: 'AccessDenied' } : { State: 'SUCCEEDED' } },
    }));
    let deleted = false;
    const error = await engine({ deleteLocations: async () => void (deleted = true) }).run(factOrders, { runId: 'r4' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ _tag: 'QueryFailed', context: { queryExecutionId: 'q6' } });
    expect(started[5]).toMatch(/^ALTER TABLE `curated_db`.`fact_orders` PARTITION .* SET LOCATION/);
    expect(started.slice(6)).toEqual(['DROP TABLE IF EXISTS `curated_db`.`fact_orders__stage_r4`']);
    expect(deleted).toBe(false);
  });

  it('reports a failing delete hook as WriteFailed with the locations, after the catalog change', async () => {
    results = [page([['year', 'month'], ['2025', '11']]), factColumns, page([['year', 'month', 'location'], ['2025', '11', `${FACT}_runs/r0/year=2025/month=11/`]])];
    const error = await engine({ deleteLocations: async () => Promise.reject(new Error('AccessDenied')) }).run(factOrders, { runId: 'r5' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ _tag: 'WriteFailed', isRetryable: true, context: { supersededLocations: `${FACT}_runs/r0/year=2025/month=11/` } });
    expect(started.at(-1)).toBe('DROP TABLE IF EXISTS `curated_db`.`fact_orders__stage_r5`');
  });

  it('unpartitioned rebuild: ALTER TABLE … SET LOCATION to the fresh prefix; a legacy location holding the new one is not reported', async () => {
    results = [kpiColumns, page([['location'], ['s3://lake-bucket/curated/kpi/_runs/r0/'], ['s3://lake-bucket/curated/kpi/']])];
    let deleted: string[] = [];
    const result = await engine({ deleteLocations: async (l) => void (deleted = l) }).run(kpi, { runId: 'r6' });
    expect(result.statements).toEqual([
      COLUMNS_QUERY('kpi'),
      'DROP TABLE IF EXISTS `curated_db`.`kpi__stage_r6`',
      expect.stringMatching(/^CREATE TABLE "curated_db"."kpi__stage_r6"\nWITH \(format = 'PARQUET', write_compression = 'SNAPPY', external_location = 's3:\/\/lake-bucket\/curated\/kpi\/_runs\/r6\/'\)\nAS\n/),
      `SELECT DISTINCT regexp_replace("$path", '[^/]*$', '') AS "location" FROM "curated_db"."kpi"`,
      "ALTER TABLE `curated_db`.`kpi` SET LOCATION 's3://lake-bucket/curated/kpi/_runs/r6/'",
      'DROP TABLE IF EXISTS `curated_db`.`kpi__stage_r6`',
    ]);
    const ctas = result.statements[2] ?? '';
    expect(ctas).not.toContain('partitioned_by');
    expect(ctas).toContain('FROM "curated_db"."fact_orders" f JOIN "processed_db"."orders" o');
    expect(ctas).toContain('CAST("orders" AS BIGINT)');
    expect(result.supersededLocations).toEqual(['s3://lake-bucket/curated/kpi/_runs/r0/']);
    expect(deleted).toEqual(['s3://lake-bucket/curated/kpi/_runs/r0/']);
  });

  it('unpartitioned first build: CREATE EXTERNAL TABLE at the fresh prefix', async () => {
    const result = await engine().run(kpi, { runId: 'r7' });
    expect(result.statements.slice(3)).toEqual([
      "CREATE EXTERNAL TABLE IF NOT EXISTS `curated_db`.`kpi` (\n  `orders` bigint\n)\nSTORED AS PARQUET\nLOCATION 's3://lake-bucket/curated/kpi/_runs/r7/'\nTBLPROPERTIES ('parquet.compression'='SNAPPY')",
      'DROP TABLE IF EXISTS `curated_db`.`kpi__stage_r7`',
    ]);
    expect(result.tableCreated).toBe(true);
  });

  it('recreates a table whose columns differ from the model (after the CTAS succeeded), reporting its old locations', async () => {
    // The old table was partitioned by year only.
    results = [page([['year', 'month'], ['2025', '11']]), page([['column_name'], ['order_id'], ['year']]), page([['location'], [`${FACT}_runs/r0/year=2025/`]])];
    const result = await engine().run(factOrders, { runId: 'r8' });
    expect(result.statements.slice(4).map((q) => q.split('\n')[0])).toEqual([
      `SELECT DISTINCT regexp_replace("$path", '[^/]*$', '') AS "location" FROM "curated_db"."fact_orders"`,
      `DROP TABLE IF EXISTS ${FACT_TABLE}`,
      `CREATE EXTERNAL TABLE IF NOT EXISTS ${FACT_TABLE} (`,
      `ALTER TABLE ${FACT_TABLE} ADD IF NOT EXISTS`,
      'DROP TABLE IF EXISTS `curated_db`.`fact_orders__stage_r8`',
    ]);
    expect(result).toMatchObject({ tableCreated: true, supersededLocations: [`${FACT}_runs/r0/year=2025/`], partitionsRemoved: [] });
  });
});

describe('AthenaEngine.run (overwrite_partitions)', () => {
  it('writes named partitions under a fresh prefix, repoints them, drops the ones no longer produced', async () => {
    results = [
      page([['year', 'month'], ['2025', '11'], ['2026', '1']]),
      factColumns,
      page([['year', 'month', 'location'], ['2025', '11', `${FACT}_runs/r0/year=2025/month=11/`], ['2025', '12', `${FACT}_runs/r1/year=2025/month=12/`]]),
    ];
    const named = [{ year: 2025, month: 11 }, { year: 2025, month: 12 }, { year: 2026, month: 1 }];
    let deleted: string[] = [];
    const result = await engine({ deleteLocations: async (l) => void (deleted = l) }).run(factOrders, { runId: 'r3', partitions: named });
    expect(result.partitionsWritten).toEqual([{ year: 2025, month: 11 }, { year: 2026, month: 1 }]);
    expect(result.partitionsRemoved).toEqual([{ year: 2025, month: 12 }]);
    expect(result.dataLocation).toBe(`${FACT}_runs/r3/`);
    const s = result.statements;
    const within = '(("year" = 2025 AND "month" = 11) OR ("year" = 2025 AND "month" = 12) OR ("year" = 2026 AND "month" = 1))';
    expect(s[0]).toContain(`WHERE ${within}`);
    expect(s.slice(1)).toEqual([
      COLUMNS_QUERY('fact_orders'),
      'DROP TABLE IF EXISTS `curated_db`.`fact_orders__stage_r3`',
      expect.stringMatching(/^CREATE TABLE "curated_db"."fact_orders__stage_r3"\nWITH \(.*external_location = 's3:\/\/lake-bucket\/curated\/fact_orders\/_runs\/r3\/'/),
      [
        'SELECT "p"."year", "p"."month", "f"."location"',
        'FROM "curated_db"."fact_orders$partitions" AS "p"',
        `LEFT JOIN (SELECT DISTINCT "year", "month", regexp_replace("$path", '[^/]*$', '') AS "location" FROM "curated_db"."fact_orders" WHERE ${within.slice(1, -1)}) AS "f" ON "p"."year" = "f"."year" AND "p"."month" = "f"."month"`,
        'WHERE ("p"."year" = 2025 AND "p"."month" = 11) OR ("p"."year" = 2025 AND "p"."month" = 12) OR ("p"."year" = 2026 AND "p"."month" = 1)',
        'ORDER BY 1, 2',
      ].join('\n'),
      `ALTER TABLE ${FACT_TABLE} ADD IF NOT EXISTS\nPARTITION (\`year\` = 2026, \`month\` = 1) LOCATION '${FACT}_runs/r3/year=2026/month=1/'`,
      `ALTER TABLE ${FACT_TABLE} PARTITION (\`year\` = 2025, \`month\` = 11) SET LOCATION '${FACT}_runs/r3/year=2025/month=11/'`,
      `ALTER TABLE ${FACT_TABLE} DROP IF EXISTS PARTITION (\`year\` = 2025, \`month\` = 12)`,
      'DROP TABLE IF EXISTS `curated_db`.`fact_orders__stage_r3`',
    ]);
    expect(partitionsIn(s[3] ?? '')).toEqual(['2025-11', '2026-1']);
    expect(deleted).toEqual([`${FACT}_runs/r0/year=2025/month=11/`, `${FACT}_runs/r1/year=2025/month=12/`]);
  });

  it('only drops named partitions when none is produced (no CTAS, no staging table)', async () => {
    results = [page([['year', 'month']]), factColumns, page([['year', 'month', 'location'], ['2025', '12', `${FACT}_runs/r1/year=2025/month=12/`]])];
    const result = await engine().run(factOrders, { runId: 'r9', partitions: [{ year: 2025, month: 12 }] });
    expect(result.statements.slice(2).map((q) => q.split('\n')[0])).toEqual(['SELECT "p"."year", "p"."month", "f"."location"', `ALTER TABLE ${FACT_TABLE} DROP IF EXISTS PARTITION (\`year\` = 2025, \`month\` = 12)`]);
    expect(result.supersededLocations).toEqual([`${FACT}_runs/r1/year=2025/month=12/`]);
  });

  it('refuses a partition rebuild of a table whose columns differ from the model, before writing anything', async () => {
    results = [page([['year', 'month'], ['2025', '11']]), page([['column_name'], ['order_id'], ['year'], ['month']])];
    await expect(engine().run(factOrders, { runId: 'r10', partitions: [{ year: 2025, month: 11 }] })).rejects.toMatchObject({ _tag: 'InvalidModel' });
    expect(started).toHaveLength(2);
  });

  it('quotes string partition values as Hive DDL literals and their locations as Hive paths (no injection through data)', async () => {
    const byCountry = defineModel({
      output: defineTable({ name: 'by_country', columns: { country: col.string(), orders: col.bigint() }, partitioning: { kind: 'columns', columns: ['country'] } }),
      sql: "SELECT country, count(*) AS orders FROM {{ ref('orders') }} GROUP BY country",
      writeMode: 'overwrite_partitions',
    });
    // A value from the data: a quote (Hive reads '' as two adjacent literals, dropping it) and path characters.
    const value = "Cote d'Ivoire/x y";
    results = [page([['country'], [value]]), page([['column_name'], ['orders'], ['country']]), page([['country', 'location'], [value, null]])];
    const result = await engine().run(byCountry, { runId: 'r5', partitions: [{ country: value }, { country: 'Peru' }] });
    const location = "'s3://lake-bucket/curated/by_country/_runs/r5/country=Cote d%27Ivoire%2Fx y/'";
    expect(result.statements).toContain(`ALTER TABLE \`curated_db\`.\`by_country\` PARTITION (\`country\` = 'Cote d\\'Ivoire/x y') SET LOCATION ${location}`);
    expect(result.statements[4]).toContain(`WHERE ("p"."country" = 'Cote d''Ivoire/x y') OR ("p"."country" = 'Peru')`);
    expect(result.statements).toContain("ALTER TABLE `curated_db`.`by_country` DROP IF EXISTS PARTITION (`country` = 'Peru')");
  });

  it('drops the staging table definition when a partition rebuild fails, so none lingers in Glue', async () => {
    results = [page([['year', 'month'], ['2025', '11']]), factColumns];
    athena.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => ({
      QueryExecution: { Status: input.QueryExecutionId === 'q4' ? { State: 'FAILED', StateChangeReason: 'HIVE_BAD_DATA' } : { State: 'SUCCEEDED' } },
    }));
    const error = await engine().run(factOrders, { runId: 'r7', partitions: [{ year: 2025, month: 11 }] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ _tag: 'QueryFailed', context: { queryExecutionId: 'q4' } });
    expect(started[3]).toMatch(/^CREATE TABLE "curated_db"."fact_orders__stage_r7"/);
    expect(started.slice(4)).toEqual(['DROP TABLE IF EXISTS `curated_db`.`fact_orders__stage_r7`']);
  });

  it('runAll rebuilds models inputs first', async () => {
    results = [page([['year', 'month'], ['2025', '1']])];
    const all = await engine().runAll([kpi, factOrders]);
    expect(all.map((r) => r.model)).toEqual(['fact_orders', 'kpi']);
    expect(started.filter((s) => s.startsWith('CREATE EXTERNAL TABLE')).map((s) => s.split(' (')[0])).toEqual([
      'CREATE EXTERNAL TABLE IF NOT EXISTS `curated_db`.`fact_orders`',
      'CREATE EXTERNAL TABLE IF NOT EXISTS `curated_db`.`kpi`',
    ]);
  });

  it('refuses partitions for a replace model', async () => {
    await expect(engine().run(kpi, { partitions: [{ year: 2025 }] })).rejects.toMatchObject({ _tag: 'InvalidArgument' });
  });
});

describe('Athena DDL batching', () => {
  it('splits ADD PARTITION statements by count and by length', () => {
    const byCountry = defineTable({ name: 'by_country', columns: { country: col.string(), n: col.bigint() }, partitioning: { kind: 'columns', columns: ['country'] } });
    const entries = Array.from({ length: 30 }, (_, i) => ({ values: { country: `${'x'.repeat(3_000)}${i}` }, location: `s3://lake-bucket/t/_runs/r/country=${i}/` }));
    const statements = renderAddPartitions(byCountry, 'db', 'by_country', entries);
    expect(statements.length).toBeGreaterThan(1);
    for (const s of statements) expect(s.length).toBeLessThanOrEqual(ATHENA_MAX_DDL_CHARS);
    expect(statements.flatMap((s) => s.split('\n').slice(1))).toHaveLength(30);
    expect(renderDropPartitions(byCountry, 'db', 'by_country', Array.from({ length: 5 }, (_, i) => ({ country: String(i) })), 2).map((s) => s.split('PARTITION').length - 1)).toEqual([2, 2, 1]);
  });
});

describe('AthenaQueryRunner failures', () => {
  it('reports a FAILED query with its reason and Athena retryability', async () => {
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of 100 open writers', AthenaError: { Retryable: false } } },
    });
    const error = await engine().run(kpi).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransformError);
    expect(error).toMatchObject({ _tag: 'QueryFailed', isRetryable: false, context: { queryExecutionId: 'q1' } });
    expect((error as Error).message).toContain('HIVE_TOO_MANY_OPEN_PARTITIONS');
  });

  it('stops a query that runs past the timeout', async () => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const error = await engine({ queryTimeoutMs: 20 }).run(kpi).catch((e: unknown) => e);
    expect(error).toMatchObject({ _tag: 'Timeout', isRetryable: true });
    expect(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([{ QueryExecutionId: 'q1' }]);
  });

  it('retries a throttled start with the same idempotency token', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 400 } });
    athena.on(StartQueryExecutionCommand).rejectsOnce(throttled).callsFake(() => ({ QueryExecutionId: 'qx' }));
    const result = await engine().run(kpi, { runId: 'r4' });
    const tokens = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.ClientRequestToken);
    expect(tokens).toHaveLength(6); // columns (throttled, then retried), DROP stage, CTAS, CREATE, DROP stage
    expect(tokens[0]).toBe(tokens[1]);
    expect(result.queryExecutionIds).toEqual(['qx', 'qx', 'qx', 'qx', 'qx']);
  });

  it('gives a start without idempotency key a token of its own, so a retried start cannot run an INSERT twice', async () => {
    const failed = Object.assign(new Error('We encountered an internal error'), { name: 'InternalServerException', $metadata: { httpStatusCode: 500 } });
    athena.on(StartQueryExecutionCommand).rejectsOnce(failed).callsFake(() => ({ QueryExecutionId: 'qi' }));
    const runner = new AthenaQueryRunner({ client: new AthenaClient({ region: 'us-east-1' }), database: 'curated_db', initialPollDelayMs: 1 });
    await runner.run('INSERT INTO "curated_db"."t" SELECT 1');
    const tokens = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.ClientRequestToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toMatch(/^[0-9a-f-]{32,128}$/);
    expect(tokens[1]).toBe(tokens[0]);
  });

  it('bounds every API call: a GetQueryExecution that never answers is aborted and retried, then fails', async () => {
    athena.on(GetQueryExecutionCommand).callsFake(() => new Promise(() => undefined));
    const runner = new AthenaQueryRunner({ client: new AthenaClient({ region: 'us-east-1' }), database: 'curated_db', initialPollDelayMs: 1, callTimeoutMs: 20, attempts: 2 });
    const started = Date.now();
    const error = await runner.run('SELECT 1').catch((e: unknown) => e);
    expect(error).toMatchObject({ _tag: 'QueryFailed', isRetryable: true });
    expect((error as Error).message).toMatch(/GetQueryExecution.*did not finish within 20 ms/);
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('does not retry a permanent API error', async () => {
    athena.on(StartQueryExecutionCommand).rejects(Object.assign(new Error('bad request'), { name: 'InvalidRequestException', $metadata: { httpStatusCode: 400 } }));
    await expect(engine().run(kpi)).rejects.toMatchObject({ _tag: 'QueryFailed', isRetryable: false });
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);
  });
});
