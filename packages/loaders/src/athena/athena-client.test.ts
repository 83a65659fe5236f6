import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  InvalidRequestException,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-athena';
import type { GetQueryExecutionCommandOutput } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { LoadersError } from '../errors/loaders-error.js';
import { AthenaQueryClient } from './athena-client.js';
import { decimalWordsToString } from '../mysql/arrow-rows.js';
import { athenaLiteral, parseAthenaValue } from './athena-values.js';

const athenaMock = mockClient(AthenaClient);
const meta = { $metadata: {} };
const QID = 'q-123';
const fast = { baseDelayMs: 1, maxDelayMs: 2, pollIntervalMs: 1, maxPollIntervalMs: 2, timeoutMs: 2_000 };
let athena: AthenaQueryClient;

beforeEach(() => {
  athenaMock.reset();
  athena = new AthenaQueryClient({
    client: new AthenaClient({ region: 'eu-west-1' }),
    workGroup: 'analysts',
    outputLocation: 's3://athena-results/lake/',
    database: 'techstore',
    ...fast,
  });
  athenaMock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: QID });
});

const execution = (State: string, extra: Record<string, unknown> = {}): GetQueryExecutionCommandOutput => ({
  $metadata: {},
  QueryExecution: {
    QueryExecutionId: QID,
    StatementType: 'DML',
    SubstatementType: 'SELECT',
    Status: { State },
    Statistics: { DataScannedInBytes: 1_234_567, EngineExecutionTimeInMillis: 850, TotalExecutionTimeInMillis: 1_100, QueryQueueTimeInMillis: 40 },
    ...extra,
  } as GetQueryExecutionCommandOutput['QueryExecution'],
});
const columns = [
  { Name: 'country', Type: 'varchar' },
  { Name: 'orders', Type: 'bigint' },
  { Name: 'revenue', Type: 'decimal', Precision: 12, Scale: 2 },
  { Name: 'avg_items', Type: 'double' },
  { Name: 'first_order', Type: 'timestamp' },
  { Name: 'day', Type: 'date' },
  { Name: 'vip', Type: 'boolean' },
  { Name: 'rank', Type: 'integer' },
];
const cells = (...values: (string | undefined)[]) => ({ Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })) });

describe('AthenaQueryClient.execute', () => {
  it('sends the start request with workgroup, output location, parameters, result reuse and a token', async () => {
    athenaMock.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    await athena.execute("SELECT * FROM orders WHERE country = ? AND year = ?", {
      parameters: ["C'O", 2025],
      resultReuseMaxAgeMinutes: 60,
      clientRequestToken: 'token-0123456789-0123456789-0123456789',
    });
    expect(athenaMock.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input).toEqual({
      QueryString: 'SELECT * FROM orders WHERE country = ? AND year = ?',
      ClientRequestToken: 'token-0123456789-0123456789-0123456789',
      QueryExecutionContext: { Database: 'techstore' },
      WorkGroup: 'analysts',
      ResultConfiguration: { OutputLocation: 's3://athena-results/lake/' },
      ExecutionParameters: ["'C''O'", '2025'],
      ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: 60 } },
    });
  });

  it('polls until SUCCEEDED, reports statistics and pages typed rows (header skipped once)', async () => {
    athenaMock
      .on(GetQueryExecutionCommand)
      .resolvesOnce(execution('QUEUED'))
      .resolvesOnce(execution('RUNNING'))
      .resolves(execution('SUCCEEDED'));
    athenaMock
      .on(GetQueryResultsCommand, { NextToken: undefined })
      .resolves({
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: columns },
          Rows: [
            cells('country', 'orders', 'revenue', 'avg_items', 'first_order', 'day', 'vip', 'rank'),
            cells('CO', '9007199254740993', '12345678.91', '2.5', '2025-01-31 12:34:56.789', '2025-01-31', 'true', '1'),
          ],
        },
        NextToken: 'p2',
      })
      .on(GetQueryResultsCommand, { NextToken: 'p2' })
      .resolves({
        ResultSet: { ResultSetMetadata: { ColumnInfo: columns }, Rows: [cells('', '0', '0.10', 'NaN', undefined, undefined, 'false', '2')] },
      });

    const result = await athena.execute('SELECT …');
    expect(result.queryId).toBe(QID);
    expect(result.statistics).toEqual({
      dataScannedInBytes: 1_234_567,
      engineExecutionTimeMs: 850,
      totalExecutionTimeMs: 1_100,
      queryQueueTimeMs: 40,
      reusedPreviousResult: false,
    });
    expect(athenaMock.commandCalls(GetQueryExecutionCommand)).toHaveLength(3);
    const rows = await result.toArray();
    expect(rows).toEqual([
      {
        country: 'CO',
        orders: 9007199254740993n,
        revenue: '12345678.91',
        avg_items: 2.5,
        first_order: new Date('2025-01-31T12:34:56.789Z'),
        day: '2025-01-31',
        vip: true,
        rank: 1,
      },
      { country: '', orders: 0n, revenue: '0.10', avg_items: NaN, first_order: null, day: null, vip: false, rank: 2 },
    ]);
    expect(athenaMock.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input)).toEqual([
      { QueryExecutionId: QID, MaxResults: 1000 },
      { QueryExecutionId: QID, MaxResults: 1000, NextToken: 'p2' },
    ]);
    expect(result.columns.map((c) => c.type)).toEqual(columns.map((c) => c.Type));
  });

  it('pages results into typed Arrow record batches, exactly', async () => {
    athenaMock.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    athenaMock
      .on(GetQueryResultsCommand, { NextToken: undefined })
      .resolves({
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: columns },
          Rows: [
            cells('country', 'orders', 'revenue', 'avg_items', 'first_order', 'day', 'vip', 'rank'),
            cells('CO', '9007199254740993', '-12345678.91', '2.5', '2025-01-31 12:34:56.789123', '2025-01-31', 'true', '1'),
          ],
        },
        NextToken: 'p2',
      })
      .on(GetQueryResultsCommand, { NextToken: 'p2' })
      .resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: columns }, Rows: [cells(undefined, '0', '0.10', undefined, undefined, undefined, 'false', '2')] } });
    const batches = [];
    for await (const batch of (await athena.execute('SELECT …')).batches()) batches.push(batch);
    expect(batches.map((b) => b.numRows)).toEqual([1, 1]);
    expect(batches[0]?.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'country:Utf8',
      'orders:Int64',
      'revenue:Decimal[12e+2]',
      'avg_items:Float64',
      'first_order:Timestamp<MICROSECOND>',
      'day:Date32<DAY>',
      'vip:Bool',
      'rank:Int32',
    ]);
    const first = batches[0]!;
    const revenue = first.getChild('revenue')!.data[0]!;
    expect(decimalWordsToString(revenue.values as unknown as Uint32Array, 0, 4, 2)).toBe('-12345678.91');
    expect((first.getChild('first_order')!.data[0]!.values as unknown as BigInt64Array)[0]).toBe(1_738_326_896_789_123n);
    expect(first.getChild('orders')!.get(0)).toBe(9007199254740993n);
    expect(first.getChild('day')!.get(0)).toBe(Date.UTC(2025, 0, 31));
    const second = batches[1]!;
    expect([second.getChild('country')!.get(0), second.getChild('avg_items')!.get(0), second.getChild('first_order')!.get(0), second.getChild('vip')!.get(0)]).toEqual([
      null,
      null,
      null,
      false,
    ]);
    expect(decimalWordsToString(second.getChild('revenue')!.data[0]!.values as unknown as Uint32Array, 0, 4, 2)).toBe('0.10');
  });

  it('does not skip a header for DDL / utility statements', async () => {
    athenaMock.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED', { StatementType: 'UTILITY', SubstatementType: 'SHOW_TABLES' }));
    athenaMock.on(GetQueryResultsCommand).resolves({
      ResultSet: { ResultSetMetadata: { ColumnInfo: [{ Name: 'tab_name', Type: 'string' }] }, Rows: [cells('orders'), cells('events')] },
    });
    const rows = await (await athena.execute('SHOW TABLES')).toArray();
    expect(rows).toEqual([{ tab_name: 'orders' }, { tab_name: 'events' }]);
  });

  it('throws QueryFailed with the StateChangeReason and the query id', async () => {
    athenaMock.on(GetQueryExecutionCommand).resolves(
      execution('FAILED', {
        Status: {
          State: 'FAILED',
          StateChangeReason: 'HIVE_PARTITION_SCHEMA_MISMATCH: There is a mismatch between the table and partition schemas',
          AthenaError: { ErrorCategory: 2, ErrorType: 1301, Retryable: false },
        },
      }),
    );
    const error = (await athena.execute('SELECT …').catch((e: unknown) => e)) as LoadersError;
    expect(error).toBeInstanceOf(LoadersError);
    expect(error._tag).toBe('QueryFailed');
    expect(error.isRetryable).toBe(false);
    expect(error.message).toBe('Athena query q-123 FAILED: HIVE_PARTITION_SCHEMA_MISMATCH: There is a mismatch between the table and partition schemas');
    expect(error.context.queryId).toBe(QID);
  });

  it('throws QueryCancelled when the query was cancelled elsewhere', async () => {
    athenaMock.on(GetQueryExecutionCommand).resolves(execution('CANCELLED', { Status: { State: 'CANCELLED', StateChangeReason: 'Query cancelled by user' } }));
    await expect(athena.execute('SELECT …')).rejects.toMatchObject({ _tag: 'QueryCancelled', message: 'Athena query q-123 was CANCELLED: Query cancelled by user' });
  });

  it('retries throttled calls with jitter, keeping the idempotency token', async () => {
    athenaMock.reset();
    athenaMock
      .on(StartQueryExecutionCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'Rate exceeded', ...meta }))
      .resolves({ QueryExecutionId: QID });
    athenaMock
      .on(GetQueryExecutionCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }))
      .resolves(execution('SUCCEEDED'));
    const result = await athena.execute('SELECT 1');
    expect(result.queryId).toBe(QID);
    const starts = athenaMock.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.ClientRequestToken);
    expect(starts).toHaveLength(2);
    expect(starts[0]).toBe(starts[1]);
    expect(athenaMock.commandCalls(GetQueryExecutionCommand)).toHaveLength(2);
  });

  it('gives up on permanent errors at once', async () => {
    athenaMock.reset();
    athenaMock.on(StartQueryExecutionCommand).rejects(new InvalidRequestException({ message: 'line 1:8: Column x cannot be resolved', ...meta }));
    await expect(athena.execute('SELECT x')).rejects.toMatchObject({ _tag: 'ServiceFailure', isRetryable: false });
    expect(athenaMock.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);
  });

  it('stops the query (StopQueryExecution) when it runs past its timeout', async () => {
    athenaMock.on(GetQueryExecutionCommand).resolves(execution('RUNNING'));
    athenaMock.on(StopQueryExecutionCommand).resolves({});
    const started = Date.now();
    const error = (await athena.execute('SELECT slow', { timeoutMs: 40 }).catch((e: unknown) => e)) as LoadersError;
    expect(error._tag).toBe('Timeout');
    expect(error.message).toMatch(/^Athena query q-123 did not finish within 40 ms \(last state RUNNING\); it was stopped/);
    expect(athenaMock.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([{ QueryExecutionId: QID }]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('stops the query when the caller aborts', async () => {
    athenaMock.on(GetQueryExecutionCommand).resolves(execution('RUNNING'));
    athenaMock.on(StopQueryExecutionCommand).resolves({});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(athena.execute('SELECT slow', { signal: controller.signal })).rejects.toMatchObject({ _tag: 'Cancelled' });
    expect(athenaMock.commandCalls(StopQueryExecutionCommand)).toHaveLength(1);
  });
});

describe('athena values', () => {
  it('renders parameters as literals', () => {
    expect(athenaLiteral("it's")).toBe("'it''s'");
    expect(athenaLiteral(10n)).toBe('10');
    expect(athenaLiteral(false)).toBe('false');
    expect(athenaLiteral(null)).toBe('NULL');
    expect(athenaLiteral(new Date('2025-01-31T10:00:00.250Z'))).toBe("timestamp '2025-01-31 10:00:00.250'");
    expect(() => athenaLiteral(Infinity)).toThrow(/not a finite number/);
  });

  it('parses result cells by type', () => {
    expect(parseAthenaValue('decimal(38,2)', '12345678901234567890.12')).toBe('12345678901234567890.12');
    expect(parseAthenaValue('timestamp', '2025-01-31 12:00:00.123456')).toEqual(new Date('2025-01-31T12:00:00.123Z'));
    expect(parseAthenaValue('real', '-Infinity')).toBe(-Infinity);
    expect(parseAthenaValue('smallint', '7')).toBe(7);
    expect(parseAthenaValue('varchar', undefined)).toBeNull();
  });
});
