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

describe('AthenaEngine.run (full rebuild)', () => {
  it('splits 250 partitions into one CTAS and two INSERT INTO of at most 100 partitions', async () => {
    const header = ['year', 'month'];
    const rows = months.map((p) => [String(p.year), String(p.month)]);
    results = [page([header, ...rows.slice(0, 150)], 'next-1'), page(rows.slice(150))];

    const result = await engine().run(factOrders, { runId: 'r1' });

    expect(result.partitionsWritten).toHaveLength(250);
    expect(result.statements).toHaveLength(5);
    const [distinct, drop, ctas, insert1, insert2] = result.statements as [string, string, string, string, string];
    expect(distinct).toMatch(/^SELECT DISTINCT "year", "month" FROM \(/);
    expect(distinct).toContain('FROM "processed_db"."orders"');
    expect(drop).toBe('DROP TABLE IF EXISTS `curated_db`.`fact_orders`');
    expect(ctas).toMatch(/^CREATE TABLE "curated_db"."fact_orders"\nWITH \(format = 'PARQUET', write_compression = 'SNAPPY', external_location = 's3:\/\/lake-bucket\/curated\/fact_orders\/', partitioned_by = ARRAY\['year', 'month'\]\)\nAS\nSELECT "order_id", "order_time", "total_usd", "year", "month"/);
    expect(ctas).toContain('CAST(year(CAST("order_time" AS TIMESTAMP)) AS INTEGER) AS "year"');
    expect(ctas).toContain('CAST("total_usd" AS DECIMAL(12,2))');
    expect(insert1).toMatch(/^INSERT INTO "curated_db"."fact_orders"\nSELECT /);
    expect(insert2).toMatch(/^INSERT INTO "curated_db"."fact_orders"\nSELECT /);
    const chunks = [ctas, insert1, insert2].map(partitionsIn);
    expect(chunks.map((c) => c.length)).toEqual([100, 100, 50]);
    expect(chunks.flat().sort()).toEqual(months.map((p) => `${p.year}-${p.month}`).sort());

    // Requests: context, work group, output location, idempotency token; polled until SUCCEEDED.
    const inputs = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(5);
    for (const input of inputs) {
      expect(input).toMatchObject({ QueryExecutionContext: { Database: 'curated_db' }, WorkGroup: 'lakeblocks', ResultConfiguration: { OutputLocation: 's3://lake-bucket/athena-results/' } });
      expect(input.ClientRequestToken).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(new Set(inputs.map((i) => i.ClientRequestToken)).size).toBe(5);
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(15);
    const resultCalls = athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input);
    expect(resultCalls).toEqual([
      { QueryExecutionId: 'q1', MaxResults: 1000 },
      { QueryExecutionId: 'q1', MaxResults: 1000, NextToken: 'next-1' },
    ]);
  });

  it('drops the table before clearing its files: readers get "table not found", never a silently empty table', async () => {
    const order: string[] = [];
    athena.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string }) => {
      order.push(input.QueryString.split(' ')[0] ?? '');
      return { QueryExecutionId: `q${order.length}` };
    });
    await engine({ clearLocation: async () => void order.push('clear') }).run(kpi, { runId: 'r6' });
    expect(order).toEqual(['DROP', 'clear', 'CREATE']);
  });

  it('renders an unpartitioned mart as DROP + one CTAS, model refs in the curated database', async () => {
    let cleared = '';
    const result = await engine({ clearLocation: async (l) => void (cleared = l) }).run(kpi, { runId: 'r2' });
    expect(cleared).toBe('s3://lake-bucket/curated/kpi/');
    expect(result.statements).toHaveLength(2);
    const ctas = result.statements[1] ?? '';
    expect(ctas).not.toContain('partitioned_by');
    expect(ctas).toContain('FROM "curated_db"."fact_orders" f JOIN "processed_db"."orders" o');
    expect(ctas).toContain('CAST("orders" AS BIGINT)');
  });
});

describe('AthenaEngine.run (overwrite_partitions)', () => {
  it('writes named partitions under a fresh prefix, repoints them, drops the ones no longer produced', async () => {
    results = [page([['year', 'month'], ['2025', '11']])];
    const result = await engine().run(factOrders, { runId: 'r3', partitions: [{ year: 2025, month: 11 }, { year: 2025, month: 12 }] });
    expect(result.partitionsWritten).toEqual([{ year: 2025, month: 11 }]);
    expect(result.partitionsRemoved).toEqual([{ year: 2025, month: 12 }]);
    expect(result.dataLocation).toBe('s3://lake-bucket/curated/fact_orders/_runs/r3/');
    const s = result.statements;
    expect(s[0]).toContain('WHERE (("year" = 2025 AND "month" = 11) OR ("year" = 2025 AND "month" = 12))');
    expect(s.slice(1)).toEqual([
      'DROP TABLE IF EXISTS `curated_db`.`fact_orders__stage_r3`',
      expect.stringMatching(/^CREATE TABLE "curated_db"."fact_orders__stage_r3"\nWITH \(.*external_location = 's3:\/\/lake-bucket\/curated\/fact_orders\/_runs\/r3\/'/),
      "ALTER TABLE `curated_db`.`fact_orders` ADD IF NOT EXISTS\nPARTITION (`year` = 2025, `month` = 11) LOCATION 's3://lake-bucket/curated/fact_orders/_runs/r3/year=2025/month=11/'",
      "ALTER TABLE `curated_db`.`fact_orders` PARTITION (`year` = 2025, `month` = 11) SET LOCATION 's3://lake-bucket/curated/fact_orders/_runs/r3/year=2025/month=11/'",
      'ALTER TABLE `curated_db`.`fact_orders` DROP IF EXISTS PARTITION (`year` = 2025, `month` = 12)',
      'DROP TABLE IF EXISTS `curated_db`.`fact_orders__stage_r3`',
    ]);
    expect(partitionsIn(s[2] ?? '')).toEqual(['2025-11']);
  });

  it('quotes string partition values as Hive DDL literals and their locations as Hive paths (no injection through data)', async () => {
    const byCountry = defineModel({
      output: defineTable({ name: 'by_country', columns: { country: col.string(), orders: col.bigint() }, partitioning: { kind: 'columns', columns: ['country'] } }),
      sql: "SELECT country, count(*) AS orders FROM {{ ref('orders') }} GROUP BY country",
      writeMode: 'overwrite_partitions',
    });
    // A value from the data: a quote (Hive reads '' as two adjacent literals, dropping it) and path characters.
    results = [page([['country'], ["Cote d'Ivoire/x y"]])];
    const result = await engine().run(byCountry, { runId: 'r5', partitions: [{ country: "Cote d'Ivoire/x y" }] });
    const location = "'s3://lake-bucket/curated/by_country/_runs/r5/country=Cote d%27Ivoire%2Fx y/'";
    expect(result.statements).toContain(
      `ALTER TABLE \`curated_db\`.\`by_country\` ADD IF NOT EXISTS\nPARTITION (\`country\` = 'Cote d\\'Ivoire/x y') LOCATION ${location}`,
    );
    expect(result.statements).toContain(`ALTER TABLE \`curated_db\`.\`by_country\` PARTITION (\`country\` = 'Cote d\\'Ivoire/x y') SET LOCATION ${location}`);
  });

  it('drops the staging table definition when a partition rebuild fails, so none lingers in Glue', async () => {
    results = [page([['year', 'month'], ['2025', '11']])];
    athena.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => ({
      QueryExecution: { Status: input.QueryExecutionId === 'q3' ? { State: 'FAILED', StateChangeReason: 'HIVE_BAD_DATA' } : { State: 'SUCCEEDED' } },
    }));
    const error = await engine().run(factOrders, { runId: 'r7', partitions: [{ year: 2025, month: 11 }] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ _tag: 'QueryFailed', context: { queryExecutionId: 'q3' } });
    expect(started[2]).toMatch(/^CREATE TABLE "curated_db"."fact_orders__stage_r7"/);
    expect(started.slice(3)).toEqual(['DROP TABLE IF EXISTS `curated_db`.`fact_orders__stage_r7`']);
  });

  it('runAll rebuilds models inputs first', async () => {
    results = [page([['year', 'month'], ['2025', '1']])];
    const all = await engine().runAll([kpi, factOrders]);
    expect(all.map((r) => r.model)).toEqual(['fact_orders', 'kpi']);
    expect(started.filter((s) => s.startsWith('CREATE TABLE')).map((s) => s.split('\n')[0])).toEqual([
      'CREATE TABLE "curated_db"."fact_orders"',
      'CREATE TABLE "curated_db"."kpi"',
    ]);
  });

  it('refuses partitions for a replace model', async () => {
    await expect(engine().run(kpi, { partitions: [{ year: 2025 }] })).rejects.toMatchObject({ _tag: 'InvalidArgument' });
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
    expect(tokens).toHaveLength(3); // DROP (throttled, then retried), CTAS
    expect(tokens[0]).toBe(tokens[1]);
    expect(result.queryExecutionIds).toEqual(['qx', 'qx']);
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
