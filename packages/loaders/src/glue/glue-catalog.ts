/**
 * Glue Data Catalog registration from core table definitions, instead of crawlers: create or
 * update databases and tables, add / delete / list partitions in Glue's batch limits, push schema
 * changes to every partition, and repoint a partition to a rebuilt prefix in one call (DESIGN
 * decision 5). Every call has a timeout and jittered retries (decision 8).
 *
 * @example
 * ```ts
 * import { GlueClient } from '@aws-sdk/client-glue';
 * import { GlueCatalog } from '@lakeblocks/loaders/glue';
 * const catalog = new GlueCatalog({ client: new GlueClient({ maxAttempts: 1 }), database: 'techstore' });
 * await catalog.ensureDatabase();
 * await catalog.ensureTable(orders, { location: 's3://lake/processed/orders/' });
 * await catalog.addPartitions(orders, [{ year: 2025, month: 1, day: 31 }]);
 * ```
 *
 * @module
 */
import {
  BatchCreatePartitionCommand,
  BatchDeletePartitionCommand,
  BatchUpdatePartitionCommand,
  CreateDatabaseCommand,
  CreatePartitionCommand,
  CreateTableCommand,
  GetDatabaseCommand,
  GetPartitionCommand,
  GetPartitionsCommand,
  GetTableCommand,
  UpdateDatabaseCommand,
  UpdatePartitionCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import { sleep, type AnyTable, type GlueColumn } from '@lakeblocks/core';
import { isThrottlingCode, isTransientCode } from '../aws/classify-aws-error.js';
import { sendAws, type AwsCallPolicy, type AwsSendClient } from '../aws/send-aws.js';
import { LoadersError, isLoadersError } from '../errors/loaders-error.js';
import {
  partitionName,
  partitionValueList,
  requireGlueName,
  toGluePartitionInput,
  toGlueStorageDescriptor,
  toGlueTableInput,
  type GluePartitionInput,
  type GlueTableInput,
  type GlueTableOptions,
  type PartitionValuesInput,
} from './table-input.js';

/**
 * Glue's limit on BatchCreatePartition and BatchUpdatePartition entries.
 *
 * @example
 * ```ts
 * Math.ceil(250 / GLUE_BATCH_CREATE_LIMIT); // 3 calls
 * ```
 */
export const GLUE_BATCH_CREATE_LIMIT = 100;
/**
 * Glue's limit on BatchDeletePartition entries.
 *
 * @example
 * ```ts
 * Math.ceil(60 / GLUE_BATCH_DELETE_LIMIT); // 3 calls
 * ```
 */
export const GLUE_BATCH_DELETE_LIMIT = 25;

/**
 * Options of {@link GlueCatalog}.
 *
 * @example
 * ```ts
 * const options: GlueCatalogOptions = { client, database: 'techstore', timeoutMs: 20_000, attempts: 8 };
 * ```
 */
export interface GlueCatalogOptions extends AwsCallPolicy {
  /** A `GlueClient` (give it `maxAttempts: 1`: the catalog retries itself) or anything with its `send`. */
  client: AwsSendClient;
  /** The Glue database, `^[a-z_][a-z0-9_]*$`. */
  database: string;
  /** The Data Catalog id (AWS account id); default the caller's. */
  catalogId?: string;
}

/**
 * One partition to add: its values, and optionally its location (default
 * `<table location><k=v/…>/`) and parameters.
 *
 * @example
 * ```ts
 * const p: PartitionSpecInput = { values: { year: 2025, month: 1, day: 31 }, location: 's3://lake/processed/orders/year=2025/month=1/day=31/' };
 * ```
 */
export interface PartitionSpecInput {
  values: PartitionValuesInput;
  location?: string;
  parameters?: Record<string, string>;
}

/**
 * A partition as listed from the catalog.
 *
 * @example
 * ```ts
 * for await (const p of catalog.partitions(orders)) console.log(p.name, p.location);
 * ```
 */
export interface GluePartitionInfo {
  /** Ordered values, as Glue stores them. */
  values: string[];
  /** Hive path of the values: `year=2025/month=1/day=31`. */
  name: string;
  location: string | undefined;
  columns: GlueColumn[] | undefined;
  /** The raw Glue partition (storage descriptor, parameters …). */
  raw: Record<string, unknown>;
}

/**
 * What {@link GlueCatalog.ensureTable} did.
 *
 * @example
 * ```ts
 * const { action, partitionsUpdated } = await catalog.ensureTable(orders, { location });
 * ```
 */
export interface EnsureTableResult {
  action: 'created' | 'updated' | 'unchanged';
  /** Partitions whose storage descriptor was rewritten to match the new table schema. */
  partitionsUpdated: number;
}

/**
 * What a batch partition operation did.
 *
 * @example
 * ```ts
 * const { created, alreadyExisted, calls } = await catalog.addPartitions(orders, partitions);
 * ```
 */
export interface PartitionBatchResult {
  /** Partitions created / deleted / updated by this call. */
  done: number;
  /** Partitions skipped because they already existed (add) or did not exist (delete). */
  skipped: number;
  /** Batch requests sent, retries included. */
  calls: number;
}

/**
 * What {@link GlueCatalog.repointPartition} did.
 *
 * @example
 * ```ts
 * const { previousLocation } = await catalog.repointPartition(orders, values, newPrefix);
 * if (previousLocation) await deletePrefix(previousLocation);
 * ```
 */
export interface RepointResult {
  action: 'repointed' | 'created';
  /** The location the partition had before, to delete once readers moved on; `undefined` when created. */
  previousLocation: string | undefined;
}

/** Per-entry Glue error codes worth resending the entry for. */
function entryRetryable(code: string | undefined): boolean {
  return isThrottlingCode(code) || isTransientCode(code);
}

interface EntryError {
  values: string[];
  code: string | undefined;
  message: string | undefined;
}

/**
 * The Glue Data Catalog for one database; see the module documentation.
 *
 * @example
 * ```ts
 * const catalog = new GlueCatalog({ client: new GlueClient({ maxAttempts: 1 }), database: 'techstore' });
 * await catalog.ensureTable(orders, { location: 's3://lake/processed/orders/' });
 * ```
 */
export class GlueCatalog {
  readonly database: string;
  private readonly client: AwsSendClient;
  private readonly catalogId: string | undefined;
  private readonly policy: AwsCallPolicy;

  constructor(options: GlueCatalogOptions) {
    this.client = options.client;
    this.database = requireGlueName(options.database, 'database');
    this.catalogId = options.catalogId;
    const { client: _client, database: _database, catalogId: _catalogId, ...policy } = options;
    this.policy = policy;
  }

  /**
   * Creates the database when missing; updates its description / location when they differ.
   *
   * @example
   * ```ts
   * await catalog.ensureDatabase({ description: 'TechStore lake' });
   * ```
   */
  async ensureDatabase(options: { description?: string; locationUri?: string } = {}): Promise<'created' | 'updated' | 'unchanged'> {
    const input: Record<string, unknown> = { Name: this.database };
    if (options.description !== undefined) input.Description = options.description;
    if (options.locationUri !== undefined) input.LocationUri = options.locationUri;
    let current: { Description?: string; LocationUri?: string } | undefined;
    try {
      const out = await this.send<{ Database?: { Description?: string; LocationUri?: string } }>(
        new GetDatabaseCommand({ ...this.catalog(), Name: this.database }),
        'GetDatabase',
      );
      current = out.Database ?? {};
    } catch (error) {
      if (!isLoadersError(error, 'NotFound')) throw error;
    }
    if (current === undefined) {
      try {
        await this.send(new CreateDatabaseCommand({ ...this.catalog(), DatabaseInput: input as { Name: string } }), 'CreateDatabase');
        return 'created';
      } catch (error) {
        if (!isLoadersError(error, 'AlreadyExists')) throw error;
        return 'unchanged';
      }
    }
    const differs =
      (options.description !== undefined && current.Description !== options.description) ||
      (options.locationUri !== undefined && current.LocationUri !== options.locationUri);
    if (!differs) return 'unchanged';
    await this.send(new UpdateDatabaseCommand({ ...this.catalog(), Name: this.database, DatabaseInput: input as { Name: string } }), 'UpdateDatabase');
    return 'updated';
  }

  /**
   * Creates the table from its definition, or updates it when its columns, location, formats,
   * description or parameters differ (`UpdateTable` with `SkipArchive: true`, so routine updates
   * do not pile up table versions). When the file columns changed, every existing partition's
   * storage descriptor is rewritten to the new columns (`BatchUpdatePartition`), so Athena never
   * reports HIVE_PARTITION_SCHEMA_MISMATCH. Changed partition keys are refused
   * (`InvalidArgument`): that needs a new table.
   *
   * @example
   * ```ts
   * const { action } = await catalog.ensureTable(orders, { location: 's3://lake/processed/orders/' });
   * ```
   */
  async ensureTable(table: AnyTable, options: GlueTableOptions & { updatePartitions?: boolean }): Promise<EnsureTableResult> {
    return this.ensureTableOnce(table, options, 3);
  }

  private async ensureTableOnce(table: AnyTable, options: GlueTableOptions & { updatePartitions?: boolean }, tries: number): Promise<EnsureTableResult> {
    const desired = toGlueTableInput(table, options);
    const context = { table: desired.Name, database: this.database };
    const current = await this.getTable(desired.Name);
    if (current === undefined) {
      try {
        await this.send(new CreateTableCommand({ ...this.catalog(), DatabaseName: this.database, TableInput: desired }), 'CreateTable', context);
        return { action: 'created', partitionsUpdated: 0 };
      } catch (error) {
        if (!isLoadersError(error, 'AlreadyExists') || tries <= 1) throw error;
        return this.ensureTableOnce(table, options, tries - 1); // created concurrently: compare and update
      }
    }
    const currentKeys = (current.PartitionKeys ?? []).map((k) => `${k.Name}:${k.Type}`).join(',');
    const desiredKeys = desired.PartitionKeys.map((k) => `${k.Name}:${k.Type}`).join(',');
    if (currentKeys !== desiredKeys) {
      throw new LoadersError(
        'InvalidArgument',
        `Glue table ${this.database}.${desired.Name} is partitioned by (${currentKeys || 'nothing'}) but the definition says (${desiredKeys || 'nothing'}); partition keys cannot change in place: drop the table and register it again`,
        { context },
      );
    }
    const merged = mergeTableInput(current, desired);
    if (sameTable(current, merged)) return { action: 'unchanged', partitionsUpdated: 0 };
    const columnsChanged = !sameColumns(current.StorageDescriptor?.Columns, desired.StorageDescriptor.Columns);
    let partitionsUpdated = 0;
    // Partitions first, the table last: once the table matches, a rerun sends nothing, so a
    // partition sync that failed after the table update would never be redone.
    if (columnsChanged && desired.PartitionKeys.length > 0 && options.updatePartitions !== false) {
      partitionsUpdated = (await this.syncPartitionSchemas(table, { tableName: desired.Name })).done;
    }
    await this.send(
      new UpdateTableCommand({ ...this.catalog(), DatabaseName: this.database, TableInput: merged, SkipArchive: true }),
      'UpdateTable',
      context,
    );
    return { action: 'updated', partitionsUpdated };
  }

  /**
   * The table as Glue has it, or `undefined` when it does not exist.
   *
   * @example
   * ```ts
   * const t = await catalog.getTable('orders');
   * ```
   */
  async getTable(name: string): Promise<CatalogTable | undefined> {
    try {
      const out = await this.send<{ Table?: CatalogTable }>(
        new GetTableCommand({ ...this.catalog(), DatabaseName: this.database, Name: name }),
        'GetTable',
        { table: name, database: this.database },
      );
      return out.Table;
    } catch (error) {
      if (isLoadersError(error, 'NotFound')) return undefined;
      throw error;
    }
  }

  /**
   * Adds partitions in `BatchCreatePartition` calls of at most 100, each with the table's
   * storage descriptor. Partitions that already exist are skipped (counted in `skipped`);
   * entries failing with throttling or internal errors are resent with backoff; other entry
   * errors end in a `PartialFailure` listing them.
   *
   * @example
   * ```ts
   * await catalog.addPartitions(orders, [{ year: 2025, month: 1, day: 30 }, { year: 2025, month: 1, day: 31 }], { location: 's3://lake/processed/orders/' });
   * ```
   */
  async addPartitions(
    table: AnyTable,
    partitions: Iterable<PartitionValuesInput | PartitionSpecInput>,
    options: { location: string; tableName?: string },
  ): Promise<PartitionBatchResult> {
    const tableName = requireGlueName(options.tableName ?? table.name, 'table');
    const inputs = [...partitions].map((p) => {
      const spec: PartitionSpecInput = isSpec(p) ? p : { values: p };
      return toGluePartitionInput(table, spec.values, {
        tableLocation: options.location,
        ...(spec.location !== undefined ? { location: spec.location } : {}),
        ...(spec.parameters !== undefined ? { parameters: spec.parameters } : {}),
      });
    });
    return this.runBatches(table, tableName, 'BatchCreatePartition', dedupe(inputs, (i) => i.Values), GLUE_BATCH_CREATE_LIMIT, {
      build: (batch) =>
        new BatchCreatePartitionCommand({ ...this.catalog(), DatabaseName: this.database, TableName: tableName, PartitionInputList: batch }),
      valuesOf: (i) => i.Values,
      errorsOf: (out: { Errors?: { PartitionValues?: string[]; ErrorDetail?: { ErrorCode?: string; ErrorMessage?: string } }[] }) =>
        (out.Errors ?? []).map((e) => ({ values: e.PartitionValues ?? [], code: e.ErrorDetail?.ErrorCode, message: e.ErrorDetail?.ErrorMessage })),
      tolerated: 'AlreadyExistsException',
    });
  }

  /**
   * Deletes partitions in `BatchDeletePartition` calls of at most 25. Partitions that do not
   * exist are skipped; throttled / internal entry errors are resent; others end in `PartialFailure`.
   * Only catalog entries go: the files stay where they are.
   *
   * @example
   * ```ts
   * await catalog.deletePartitions(orders, [{ year: 2024, month: 12, day: 31 }]);
   * ```
   */
  async deletePartitions(table: AnyTable, partitions: Iterable<PartitionValuesInput>, options: { tableName?: string } = {}): Promise<PartitionBatchResult> {
    const tableName = requireGlueName(options.tableName ?? table.name, 'table');
    const values = dedupe([...partitions].map((p) => partitionValueList(table, p)), (v) => v);
    return this.runBatches(table, tableName, 'BatchDeletePartition', values, GLUE_BATCH_DELETE_LIMIT, {
      build: (batch) =>
        new BatchDeletePartitionCommand({
          ...this.catalog(),
          DatabaseName: this.database,
          TableName: tableName,
          PartitionsToDelete: batch.map((v) => ({ Values: v })),
        }),
      valuesOf: (v) => v,
      errorsOf: (out: { Errors?: { PartitionValues?: string[]; ErrorDetail?: { ErrorCode?: string; ErrorMessage?: string } }[] }) =>
        (out.Errors ?? []).map((e) => ({ values: e.PartitionValues ?? [], code: e.ErrorDetail?.ErrorCode, message: e.ErrorDetail?.ErrorMessage })),
      tolerated: 'EntityNotFoundException',
    });
  }

  /**
   * Every partition of a table (optionally filtered by a Glue `expression` such as
   * `year = '2025' AND month = '1'`), following `NextToken` page by page.
   *
   * @example
   * ```ts
   * for await (const p of catalog.partitions(orders, { expression: "year = '2025'" })) console.log(p.name);
   * ```
   */
  async *partitions(table: AnyTable, options: { tableName?: string; expression?: string; pageSize?: number } = {}): AsyncGenerator<GluePartitionInfo> {
    const tableName = requireGlueName(options.tableName ?? table.name, 'table');
    let token: string | undefined;
    do {
      const input: Record<string, unknown> = { ...this.catalog(), DatabaseName: this.database, TableName: tableName };
      if (options.expression !== undefined) input.Expression = options.expression;
      if (options.pageSize !== undefined) input.MaxResults = options.pageSize;
      if (token !== undefined) input.NextToken = token;
      const out = await this.send<{ Partitions?: CatalogPartition[]; NextToken?: string }>(
        new GetPartitionsCommand(input as { DatabaseName: string; TableName: string }),
        'GetPartitions',
        { table: tableName, database: this.database },
      );
      for (const p of out.Partitions ?? []) {
        const values = p.Values ?? [];
        yield { values, name: partitionName(table, values), location: p.StorageDescriptor?.Location, columns: p.StorageDescriptor?.Columns, raw: p as Record<string, unknown> };
      }
      token = out.NextToken === '' ? undefined : out.NextToken;
    } while (token !== undefined);
  }

  /**
   * Rewrites the storage descriptor of every partition whose columns, formats or SerDe differ from
   * the table definition (`BatchUpdatePartition`, at most 100 a call), keeping each partition's
   * location and parameters. Run by {@link ensureTable} when columns change.
   *
   * @example
   * ```ts
   * const { done } = await catalog.syncPartitionSchemas(orders);
   * ```
   */
  async syncPartitionSchemas(table: AnyTable, options: { tableName?: string } = {}): Promise<PartitionBatchResult> {
    const tableName = requireGlueName(options.tableName ?? table.name, 'table');
    const template = toGlueStorageDescriptor(table, 's3://placeholder/');
    const stale: GluePartitionInput[] = [];
    for await (const p of this.partitions(table, { tableName })) {
      const raw = p.raw as CatalogPartition;
      const sd = raw.StorageDescriptor;
      const matches =
        sameColumns(sd?.Columns, template.Columns) &&
        sd?.InputFormat === template.InputFormat &&
        sd?.OutputFormat === template.OutputFormat &&
        sd?.SerdeInfo?.SerializationLibrary === template.SerdeInfo.SerializationLibrary;
      if (matches) continue;
      const input: GluePartitionInput = { Values: p.values, StorageDescriptor: { ...template, Location: p.location ?? '' } };
      if (raw.Parameters !== undefined) input.Parameters = raw.Parameters;
      stale.push(input);
    }
    return this.runBatches(table, tableName, 'BatchUpdatePartition', stale, GLUE_BATCH_CREATE_LIMIT, {
      build: (batch) =>
        new BatchUpdatePartitionCommand({
          ...this.catalog(),
          DatabaseName: this.database,
          TableName: tableName,
          Entries: batch.map((i) => ({ PartitionValueList: i.Values, PartitionInput: i })),
        }),
      valuesOf: (i) => i.Values,
      errorsOf: (out: { Errors?: { PartitionValueList?: string[]; ErrorDetail?: { ErrorCode?: string; ErrorMessage?: string } }[] }) =>
        (out.Errors ?? []).map((e) => ({ values: e.PartitionValueList ?? [], code: e.ErrorDetail?.ErrorCode, message: e.ErrorDetail?.ErrorMessage })),
      tolerated: undefined,
    });
  }

  /**
   * Points one partition at `location` in a single `UpdatePartition` call (with the table's
   * current storage descriptor), or creates it there when it does not exist. This is the S3
   * overwrite pattern of DESIGN decision 5: write the rebuilt partition under a fresh prefix,
   * repoint, and only then delete `previousLocation` — readers never see a half-replaced partition.
   *
   * @example
   * ```ts
   * const { previousLocation } = await catalog.repointPartition(orders, { year: 2025, month: 1, day: 31 },
   *   's3://lake/processed/orders/year=2025/month=1/day=31/_v=run-42/');
   * ```
   */
  async repointPartition(table: AnyTable, values: PartitionValuesInput, location: string, options: { tableName?: string } = {}): Promise<RepointResult> {
    const tableName = requireGlueName(options.tableName ?? table.name, 'table');
    const list = partitionValueList(table, values);
    const context = { table: tableName, database: this.database, partition: partitionName(table, list) };
    const input = toGluePartitionInput(table, list, { tableLocation: location, location });
    let previous: CatalogPartition | undefined;
    try {
      previous = (
        await this.send<{ Partition?: CatalogPartition }>(
          new GetPartitionCommand({ ...this.catalog(), DatabaseName: this.database, TableName: tableName, PartitionValues: list }),
          'GetPartition',
          context,
        )
      ).Partition;
    } catch (error) {
      if (!isLoadersError(error, 'NotFound')) throw error;
    }
    if (previous === undefined) {
      try {
        await this.send(new CreatePartitionCommand({ ...this.catalog(), DatabaseName: this.database, TableName: tableName, PartitionInput: input }), 'CreatePartition', context);
        return { action: 'created', previousLocation: undefined };
      } catch (error) {
        if (!isLoadersError(error, 'AlreadyExists')) throw error;
      }
    }
    if (previous?.Parameters !== undefined) input.Parameters = previous.Parameters;
    await this.send(
      new UpdatePartitionCommand({ ...this.catalog(), DatabaseName: this.database, TableName: tableName, PartitionValueList: list, PartitionInput: input }),
      'UpdatePartition',
      context,
    );
    return { action: 'repointed', previousLocation: previous?.StorageDescriptor?.Location };
  }

  private catalog(): { CatalogId?: string } {
    return this.catalogId === undefined ? {} : { CatalogId: this.catalogId };
  }

  private send<T = unknown>(command: object, op: string, context: Record<string, string> = { database: this.database }): Promise<T> {
    return sendAws<T>(this.client, command, { ...this.policy, what: `Glue ${op}`, context: { ...context, operation: op } });
  }

  /**
   * Sends `items` in batches of `limit`; resends entries whose per-entry error is transient
   * (with backoff, up to the policy's attempts); `tolerated` entry errors count as skipped.
   */
  private async runBatches<I>(
    table: AnyTable,
    tableName: string,
    op: string,
    items: I[],
    limit: number,
    how: {
      build: (batch: I[]) => object;
      valuesOf: (item: I) => readonly string[];
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      errorsOf: (out: any) => EntryError[];
      tolerated: string | undefined;
    },
  ): Promise<PartitionBatchResult> {
    const result: PartitionBatchResult = { done: 0, skipped: 0, calls: 0 };
    const attempts = Math.max(1, this.policy.attempts ?? 6);
    const base = this.policy.baseDelayMs ?? 200;
    const cap = this.policy.maxDelayMs ?? 10_000;
    const failed: EntryError[] = [];
    for (let start = 0; start < items.length; start += limit) {
      let pending = items.slice(start, start + limit);
      for (let attempt = 1; pending.length > 0; attempt++) {
        result.calls++;
        const out = await this.send(how.build(pending), op, { table: tableName, database: this.database });
        const errors = how.errorsOf(out);
        const byKey = new Map(errors.map((e) => [key(e.values), e]));
        const retry: I[] = [];
        for (const item of pending) {
          const error = byKey.get(key(how.valuesOf(item)));
          if (error === undefined) result.done++;
          else if (error.code !== undefined && error.code === how.tolerated) result.skipped++;
          else if (entryRetryable(error.code) && attempt < attempts) retry.push(item);
          else failed.push(error);
        }
        pending = retry;
        if (pending.length > 0) await sleep(Math.round(Math.random() * Math.min(cap, base * 2 ** (attempt - 1))), this.policy.signal);
      }
    }
    if (failed.length > 0) {
      const shown = failed
        .slice(0, 10)
        .map((e) => `${partitionName(table, e.values)}: ${e.code ?? 'error'}${e.message ? ` (${e.message})` : ''}`)
        .join('; ');
      throw new LoadersError(
        'PartialFailure',
        `Glue ${op} on ${this.database}.${tableName} failed for ${failed.length} of ${items.length} partition(s) (${result.done} succeeded): ${shown}${failed.length > 10 ? '; …' : ''}`,
        { context: { table: tableName, database: this.database, operation: op }, isRetryable: failed.some((e) => entryRetryable(e.code)) },
      );
    }
    return result;
  }
}

/**
 * The parts of a Glue table that {@link GlueCatalog} reads.
 *
 * @example
 * ```ts
 * const t: CatalogTable | undefined = await catalog.getTable('orders');
 * ```
 */
export interface CatalogTable {
  Name?: string;
  Description?: string;
  TableType?: string;
  Parameters?: Record<string, string>;
  PartitionKeys?: GlueColumn[];
  StorageDescriptor?: {
    Columns?: GlueColumn[];
    Location?: string;
    InputFormat?: string;
    OutputFormat?: string;
    Compressed?: boolean;
    StoredAsSubDirectories?: boolean;
    SerdeInfo?: { SerializationLibrary?: string; Parameters?: Record<string, string> };
  };
}

interface CatalogPartition {
  Values?: string[];
  Parameters?: Record<string, string>;
  StorageDescriptor?: CatalogTable['StorageDescriptor'];
}

/** Parameters we own: replaced wholesale on update (projection can be turned off). */
function ownedParameter(name: string): boolean {
  return name.startsWith('projection.') || name === 'storage.location.template';
}

function mergeTableInput(current: CatalogTable, desired: GlueTableInput): GlueTableInput {
  const kept = Object.entries(current.Parameters ?? {}).filter(([k]) => !ownedParameter(k));
  return { ...desired, Parameters: { ...Object.fromEntries(kept), ...desired.Parameters } };
}

function sameTable(current: CatalogTable, desired: GlueTableInput): boolean {
  const sd = current.StorageDescriptor;
  const want = desired.StorageDescriptor;
  return (
    (current.Description ?? undefined) === desired.Description &&
    sameColumns(sd?.Columns, want.Columns) &&
    sd?.Location === want.Location &&
    sd?.InputFormat === want.InputFormat &&
    sd?.OutputFormat === want.OutputFormat &&
    sd?.SerdeInfo?.SerializationLibrary === want.SerdeInfo.SerializationLibrary &&
    sameRecord(current.Parameters ?? {}, desired.Parameters)
  );
}

function sameColumns(a: readonly GlueColumn[] | undefined, b: readonly GlueColumn[]): boolean {
  return a !== undefined && a.length === b.length && a.every((c, i) => c.Name === b[i]?.Name && c.Type === b[i]?.Type && (c.Comment ?? '') === (b[i]?.Comment ?? ''));
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function key(values: readonly string[]): string {
  return JSON.stringify(values);
}

function dedupe<I>(items: I[], valuesOf: (item: I) => readonly string[]): I[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(valuesOf(item));
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function isSpec(p: PartitionValuesInput | PartitionSpecInput): p is PartitionSpecInput {
  return !Array.isArray(p) && typeof p === 'object' && 'values' in p && typeof (p as { values: unknown }).values === 'object';
}
