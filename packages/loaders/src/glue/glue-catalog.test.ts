import {
  AlreadyExistsException,
  BatchCreatePartitionCommand,
  BatchDeletePartitionCommand,
  BatchUpdatePartitionCommand,
  CreateDatabaseCommand,
  CreatePartitionCommand,
  CreateTableCommand,
  EntityNotFoundException,
  GetDatabaseCommand,
  GetPartitionCommand,
  GetPartitionsCommand,
  GetTableCommand,
  GlueClient,
  InvalidInputException,
  ThrottlingException,
  UpdatePartitionCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import { col, defineTable, type AnyTable } from '@lakeblocks/core';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoadersError } from '../errors/loaders-error.js';
import { GlueCatalog } from './glue-catalog.js';
import { PARQUET_INPUT_FORMAT, PARQUET_OUTPUT_FORMAT, PARQUET_SERDE, toGlueStorageDescriptor } from './table-input.js';

const orders = defineTable({
  name: 'orders',
  description: 'One row per order.',
  columns: {
    order_id: col.int().describe('Order identifier'),
    order_time: col.timestamp(),
    total_usd: col.decimal(12, 2),
  },
  primaryKey: ['order_id'],
  partitioning: { kind: 'time', column: 'order_time', granularity: 'day' },
});
const ordersV2 = defineTable({
  name: 'orders',
  description: 'One row per order.',
  columns: {
    order_id: col.int().describe('Order identifier'),
    order_time: col.timestamp(),
    total_usd: col.decimal(12, 2),
    country: col.string().nullable(),
  },
  primaryKey: ['order_id'],
  partitioning: { kind: 'time', column: 'order_time', granularity: 'day' },
});
const LOCATION = 's3://lake/processed/orders/';
const meta = { $metadata: {} };

const glue = mockClient(GlueClient);
let catalog: GlueCatalog;
beforeEach(() => {
  glue.reset();
  catalog = new GlueCatalog({ client: new GlueClient({ region: 'eu-west-1' }), database: 'techstore', baseDelayMs: 1, maxDelayMs: 2, timeoutMs: 2_000 });
});
afterEach(() => glue.reset());

const notFound = () => new EntityNotFoundException({ message: 'Entity Not Found', ...meta });
const expectedSd = (location: string) => ({
  Columns: [
    { Name: 'order_id', Type: 'int', Comment: 'Order identifier' },
    { Name: 'order_time', Type: 'timestamp' },
    { Name: 'total_usd', Type: 'decimal(12,2)' },
  ],
  Location: location,
  InputFormat: PARQUET_INPUT_FORMAT,
  OutputFormat: PARQUET_OUTPUT_FORMAT,
  Compressed: false,
  StoredAsSubDirectories: false,
  SerdeInfo: { SerializationLibrary: PARQUET_SERDE, Parameters: { 'serialization.format': '1' } },
});
const catalogTable = (table = orders) => ({
  Name: 'orders',
  Description: 'One row per order.',
  TableType: 'EXTERNAL_TABLE',
  Parameters: { classification: 'parquet', EXTERNAL: 'TRUE', 'parquet.compression': 'SNAPPY', transient_lastDdlTime: '1700000000' },
  PartitionKeys: table.partitionKeys.map((k) => ({ Name: k.name, Type: 'int', Comment: k.description })),
  StorageDescriptor: toGlueStorageDescriptor(table, LOCATION),
});

describe('GlueCatalog.ensureDatabase', () => {
  it('creates a missing database', async () => {
    glue.on(GetDatabaseCommand).rejects(notFound());
    glue.on(CreateDatabaseCommand).resolves({});
    await expect(catalog.ensureDatabase({ description: 'TechStore lake' })).resolves.toBe('created');
    expect(glue.commandCalls(CreateDatabaseCommand)[0]?.args[0].input).toEqual({
      DatabaseInput: { Name: 'techstore', Description: 'TechStore lake' },
    });
  });

  it('leaves an existing database alone, and tolerates a concurrent create', async () => {
    glue.on(GetDatabaseCommand).resolves({ Database: { Name: 'techstore' } });
    await expect(catalog.ensureDatabase()).resolves.toBe('unchanged');
    glue.reset();
    glue.on(GetDatabaseCommand).rejects(notFound());
    glue.on(CreateDatabaseCommand).rejects(new AlreadyExistsException({ message: 'exists', ...meta }));
    await expect(catalog.ensureDatabase()).resolves.toBe('unchanged');
  });
});

describe('GlueCatalog.ensureTable', () => {
  it('creates the table with the Parquet SerDe, columns, partition keys, location and classification', async () => {
    glue.on(GetTableCommand).rejects(notFound());
    glue.on(CreateTableCommand).resolves({});
    await expect(catalog.ensureTable(orders, { location: 's3://lake/processed/orders' })).resolves.toEqual({ action: 'created', partitionsUpdated: 0 });
    expect(glue.commandCalls(GetTableCommand)[0]?.args[0].input).toEqual({ DatabaseName: 'techstore', Name: 'orders' });
    expect(glue.commandCalls(CreateTableCommand)[0]?.args[0].input).toEqual({
      DatabaseName: 'techstore',
      TableInput: {
        Name: 'orders',
        Description: 'One row per order.',
        TableType: 'EXTERNAL_TABLE',
        Parameters: { classification: 'parquet', EXTERNAL: 'TRUE', 'parquet.compression': 'SNAPPY' },
        PartitionKeys: [
          { Name: 'year', Type: 'int', Comment: 'Year of order_time (partition key)' },
          { Name: 'month', Type: 'int', Comment: 'Month (1-12) of order_time (partition key)' },
          { Name: 'day', Type: 'int', Comment: 'Day of month (1-31) of order_time (partition key)' },
        ],
        StorageDescriptor: expectedSd(LOCATION),
      },
    });
  });

  it('sends nothing when the catalog already matches the definition', async () => {
    glue.on(GetTableCommand).resolves({ Table: catalogTable() as never });
    await expect(catalog.ensureTable(orders, { location: LOCATION })).resolves.toEqual({ action: 'unchanged', partitionsUpdated: 0 });
    expect(glue.commandCalls(UpdateTableCommand)).toHaveLength(0);
  });

  it('pushes a new column to the table (SkipArchive) and to every stale partition, paging GetPartitions', async () => {
    glue.on(GetTableCommand).resolves({ Table: catalogTable() as never });
    glue.on(UpdateTableCommand).resolves({});
    const part = (day: number, table: AnyTable = orders) => ({
      Values: ['2025', '1', String(day)],
      Parameters: { note: `d${day}` },
      StorageDescriptor: toGlueStorageDescriptor(table, `${LOCATION}year=2025/month=1/day=${day}/`),
    });
    glue
      .on(GetPartitionsCommand, { NextToken: undefined })
      .resolves({ Partitions: [part(1), part(2)] as never, NextToken: 'page-2' })
      .on(GetPartitionsCommand, { NextToken: 'page-2' })
      .resolves({ Partitions: [part(3, ordersV2)] as never });
    glue.on(BatchUpdatePartitionCommand).resolves({ Errors: [] });

    await expect(catalog.ensureTable(ordersV2, { location: LOCATION })).resolves.toEqual({ action: 'updated', partitionsUpdated: 2 });

    const update = glue.commandCalls(UpdateTableCommand)[0]?.args[0].input;
    expect(update?.SkipArchive).toBe(true);
    expect(update?.TableInput?.StorageDescriptor?.Columns?.map((c) => c.Name)).toEqual(['order_id', 'order_time', 'total_usd', 'country']);
    expect(update?.TableInput?.Parameters).toEqual({
      classification: 'parquet',
      EXTERNAL: 'TRUE',
      'parquet.compression': 'SNAPPY',
      transient_lastDdlTime: '1700000000',
    });
    const pages = glue.commandCalls(GetPartitionsCommand).map((c) => c.args[0].input);
    expect(pages).toEqual([
      { DatabaseName: 'techstore', TableName: 'orders' },
      { DatabaseName: 'techstore', TableName: 'orders', NextToken: 'page-2' },
    ]);
    const batch = glue.commandCalls(BatchUpdatePartitionCommand);
    expect(batch).toHaveLength(1);
    const entries = batch[0]?.args[0].input.Entries ?? [];
    expect(entries.map((e) => e.PartitionValueList)).toEqual([
      ['2025', '1', '1'],
      ['2025', '1', '2'],
    ]);
    expect(entries[0]?.PartitionInput).toEqual({
      Values: ['2025', '1', '1'],
      Parameters: { note: 'd1' },
      StorageDescriptor: toGlueStorageDescriptor(ordersV2, `${LOCATION}year=2025/month=1/day=1/`),
    });
  });

  it('a partition sync that fails is redone by the next ensureTable (the table is not marked current first)', async () => {
    // The table, as Glue holds it: updated only once UpdateTable has been sent.
    let table = catalogTable();
    glue.on(GetTableCommand).callsFake(() => ({ Table: table }));
    glue.on(UpdateTableCommand).callsFake((input: { TableInput: typeof table }) => {
      table = { ...table, ...input.TableInput };
      return {};
    });
    const stale = { Values: ['2025', '1', '1'], StorageDescriptor: toGlueStorageDescriptor(orders, `${LOCATION}year=2025/month=1/day=1/`) };
    glue.on(GetPartitionsCommand).resolves({ Partitions: [stale] as never });
    const denied = Object.assign(new Error('not authorized to perform glue:BatchUpdatePartition'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    glue.on(BatchUpdatePartitionCommand).rejectsOnce(denied).resolves({ Errors: [] });

    await expect(catalog.ensureTable(ordersV2, { location: LOCATION })).rejects.toMatchObject({ _tag: 'AccessDenied' });
    // The grant is fixed and the job reruns: the stale partition must still get the new schema.
    await expect(catalog.ensureTable(ordersV2, { location: LOCATION })).resolves.toEqual({ action: 'updated', partitionsUpdated: 1 });
    expect(glue.commandCalls(BatchUpdatePartitionCommand)).toHaveLength(2);
    expect(glue.commandCalls(UpdateTableCommand)).toHaveLength(1);
  });

  it('refuses changed partition keys with an actionable message', async () => {
    const table = { ...catalogTable(), PartitionKeys: [{ Name: 'dt', Type: 'string' }] };
    glue.on(GetTableCommand).resolves({ Table: table as never });
    const error = await catalog.ensureTable(orders, { location: LOCATION }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoadersError);
    expect((error as LoadersError)._tag).toBe('InvalidArgument');
    expect((error as LoadersError).message).toMatch(/techstore\.orders is partitioned by \(dt:string\).*drop the table/);
  });

  it('writes partition projection properties', async () => {
    glue.on(GetTableCommand).rejects(notFound());
    glue.on(CreateTableCommand).resolves({});
    await catalog.ensureTable(orders, { location: LOCATION, projection: { keys: { year: { type: 'integer', range: [2020, 2030] } } } });
    expect(glue.commandCalls(CreateTableCommand)[0]?.args[0].input.TableInput?.Parameters).toEqual({
      classification: 'parquet',
      EXTERNAL: 'TRUE',
      'parquet.compression': 'SNAPPY',
      'projection.enabled': 'true',
      'projection.year.type': 'integer',
      'projection.year.range': '2020,2030',
      'projection.month.type': 'integer',
      'projection.month.range': '1,12',
      'projection.day.type': 'integer',
      'projection.day.range': '1,31',
      'storage.location.template': 's3://lake/processed/orders/year=${year}/month=${month}/day=${day}/',
    });
  });
});

const days = (n: number) => Array.from({ length: n }, (_, i) => ({ year: 2025 + Math.floor(i / 365), month: 1 + (Math.floor(i / 28) % 12), day: 1 + (i % 28) }));

describe('GlueCatalog.addPartitions', () => {
  it('sends 250 partitions as 3 BatchCreatePartition calls of at most 100', async () => {
    glue.on(BatchCreatePartitionCommand).resolves({ Errors: [] });
    const result = await catalog.addPartitions(orders, days(250), { location: LOCATION });
    expect(result).toEqual({ done: 250, skipped: 0, calls: 3 });
    const calls = glue.commandCalls(BatchCreatePartitionCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.PartitionInputList?.length)).toEqual([100, 100, 50]);
    expect(calls[0]?.DatabaseName).toBe('techstore');
    expect(calls[0]?.TableName).toBe('orders');
    expect(calls[0]?.PartitionInputList?.[0]).toEqual({ Values: ['2025', '1', '1'], StorageDescriptor: expectedSd(`${LOCATION}year=2025/month=1/day=1/`) });
  });

  it('skips partitions that already exist and resends throttled entries', async () => {
    glue
      .on(BatchCreatePartitionCommand)
      .resolvesOnce({
        Errors: [
          { PartitionValues: ['2025', '1', '1'], ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'Partition already exists.' } },
          { PartitionValues: ['2025', '1', '2'], ErrorDetail: { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' } },
        ],
      })
      .resolves({ Errors: [] });
    const result = await catalog.addPartitions(orders, days(3), { location: LOCATION });
    expect(result).toEqual({ done: 2, skipped: 1, calls: 2 });
    const second = glue.commandCalls(BatchCreatePartitionCommand)[1]?.args[0].input.PartitionInputList;
    expect(second?.map((p) => p.Values)).toEqual([['2025', '1', '2']]);
  });

  it('retries a throttled call, then succeeds', async () => {
    glue
      .on(BatchCreatePartitionCommand)
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', ...meta }))
      .resolves({});
    await expect(catalog.addPartitions(orders, days(2), { location: LOCATION })).resolves.toEqual({ done: 2, skipped: 0, calls: 1 });
    expect(glue.commandCalls(BatchCreatePartitionCommand)).toHaveLength(2);
  });

  it('reports permanent entry errors as a PartialFailure naming the partitions', async () => {
    glue.on(BatchCreatePartitionCommand).resolves({
      Errors: [{ PartitionValues: ['2025', '1', '3'], ErrorDetail: { ErrorCode: 'InvalidInputException', ErrorMessage: 'bad location' } }],
    });
    const error = (await catalog.addPartitions(orders, days(3), { location: LOCATION }).catch((e: unknown) => e)) as LoadersError;
    expect(error._tag).toBe('PartialFailure');
    expect(error.message).toContain('failed for 1 of 3 partition(s) (2 succeeded): year=2025/month=1/day=3: InvalidInputException (bad location)');
  });

  it('gives up on a call after its attempts, with a clear error', async () => {
    glue.on(BatchCreatePartitionCommand).rejects(new InvalidInputException({ message: 'Table is a view', ...meta }));
    const error = (await catalog.addPartitions(orders, days(1), { location: LOCATION }).catch((e: unknown) => e)) as LoadersError;
    expect(error._tag).toBe('ServiceFailure');
    expect(error.isRetryable).toBe(false);
    expect(error.message).toMatch(/^Glue BatchCreatePartition failed: Table is a view \[InvalidInputException\]/);
    expect(glue.commandCalls(BatchCreatePartitionCommand)).toHaveLength(1);
  });

  it('times out a hanging call instead of waiting forever', async () => {
    const hanging = new GlueCatalog({ client: new GlueClient({ region: 'eu-west-1' }), database: 'techstore', timeoutMs: 30, attempts: 2, baseDelayMs: 1 });
    glue.on(BatchCreatePartitionCommand).callsFake(() => new Promise(() => undefined));
    const started = Date.now();
    const error = (await hanging.addPartitions(orders, days(1), { location: LOCATION }).catch((e: unknown) => e)) as LoadersError;
    expect(error._tag).toBe('Timeout');
    expect(error.message).toContain('Glue BatchCreatePartition');
    expect(Date.now() - started).toBeLessThan(2_000);
    const calls = glue.commandCalls(BatchCreatePartitionCommand);
    expect(calls).toHaveLength(2);
    // Each attempt got its own abortSignal, aborted when its time ran out.
    const signal = (calls[0]?.args as unknown as [unknown, { abortSignal?: AbortSignal }])[1]?.abortSignal;
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(signal?.aborted).toBe(true);
  });
});

describe('GlueCatalog.deletePartitions', () => {
  it('deletes in batches of 25 and skips partitions that do not exist', async () => {
    glue
      .on(BatchDeletePartitionCommand)
      .resolvesOnce({ Errors: [{ PartitionValues: ['2025', '1', '5'], ErrorDetail: { ErrorCode: 'EntityNotFoundException', ErrorMessage: 'not found' } }] })
      .resolves({});
    const result = await catalog.deletePartitions(orders, days(60));
    expect(result).toEqual({ done: 59, skipped: 1, calls: 3 });
    const calls = glue.commandCalls(BatchDeletePartitionCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.PartitionsToDelete?.length)).toEqual([25, 25, 10]);
    expect(calls[0]?.PartitionsToDelete?.[0]).toEqual({ Values: ['2025', '1', '1'] });
  });
});

describe('GlueCatalog.repointPartition', () => {
  it('repoints an existing partition in one UpdatePartition call and returns the old location', async () => {
    const old = `${LOCATION}year=2025/month=1/day=31/`;
    const fresh = `${LOCATION}year=2025/month=1/day=31/_v=run-2/`;
    glue.on(GetPartitionCommand).resolves({ Partition: { Values: ['2025', '1', '31'], Parameters: { a: 'b' }, StorageDescriptor: { Location: old } } });
    glue.on(UpdatePartitionCommand).resolves({});
    await expect(catalog.repointPartition(orders, { year: 2025, month: 1, day: 31 }, fresh)).resolves.toEqual({ action: 'repointed', previousLocation: old });
    expect(glue.commandCalls(UpdatePartitionCommand)).toHaveLength(1);
    expect(glue.commandCalls(UpdatePartitionCommand)[0]?.args[0].input).toEqual({
      DatabaseName: 'techstore',
      TableName: 'orders',
      PartitionValueList: ['2025', '1', '31'],
      PartitionInput: { Values: ['2025', '1', '31'], Parameters: { a: 'b' }, StorageDescriptor: expectedSd(fresh) },
    });
  });

  it('creates the partition when it does not exist yet', async () => {
    glue.on(GetPartitionCommand).rejects(notFound());
    glue.on(CreatePartitionCommand).resolves({});
    const fresh = `${LOCATION}year=2025/month=2/day=1/_v=1/`;
    await expect(catalog.repointPartition(orders, ['2025', '2', '1'], fresh)).resolves.toEqual({ action: 'created', previousLocation: undefined });
    expect(glue.commandCalls(CreatePartitionCommand)[0]?.args[0].input.PartitionInput?.StorageDescriptor?.Location).toBe(fresh);
    expect(glue.commandCalls(UpdatePartitionCommand)).toHaveLength(0);
  });
});

describe('GlueCatalog arguments', () => {
  it('rejects bad names and partition values before any call', async () => {
    expect(() => new GlueCatalog({ client: new GlueClient({}), database: 'Tech-Store' })).toThrow(/Glue database name "Tech-Store"/);
    await expect(catalog.addPartitions(orders, [{ year: 2025, month: 1 }], { location: LOCATION })).rejects.toThrow(/no value for key day/);
    expect(glue.calls()).toHaveLength(0);
  });
});
