/**
 * `AthenaEngine`: runs models on Athena over Glue tables — CTAS / INSERT INTO in groups of at most
 * 100 partitions, Parquet + snappy — through {@link AthenaQueryRunner}.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { toAthenaCreateTable, type PartitionValues } from '@lakeblocks/core';
import { TransformError } from '../errors/transform-error.js';
import { sortModels, type AnyModel } from '../model/define-model.js';
import { AthenaQueryRunner, type AthenaQueryRunnerOptions } from './athena-client.js';
import {
  ATHENA_MAX_PARTITIONS_PER_STATEMENT,
  athenaDdlName,
  ddlPartitionSpec,
  hiveString,
  partitionLocation,
  renderAddPartitions,
  renderCtasSeries,
  renderDistinctPartitions,
  renderDropPartitions,
  renderFileLocations,
  renderPartitionLocations,
  renderTableColumns,
  type AthenaTarget,
} from './render.js';

/**
 * Options of {@link AthenaEngine}.
 *
 * @example
 * ```ts
 * const options: AthenaEngineOptions = {
 *   client: new AthenaClient({ region: 'us-east-1' }),
 *   database: 'techstore_curated', inputDatabase: 'techstore',
 *   curatedLocation: 's3://lake/curated/', outputLocation: 's3://lake/athena-results/',
 *   models: techstoreModels,
 * };
 * ```
 */
export interface AthenaEngineOptions extends Omit<AthenaQueryRunnerOptions, 'database'> {
  /** Glue database of curated tables. */
  database: string;
  /** Glue database of processed tables (default `database`). */
  inputDatabase?: string;
  /** S3 prefix of the curated layer, ending with `/`; a model's table lives at `<curatedLocation><model>/`. */
  curatedLocation: string;
  /** Models the engine knows (so refs to them render into `database`). */
  models?: readonly AnyModel[];
  /** Partitions per CTAS / INSERT INTO statement, 1..100 (default 100). */
  maxPartitionsPerStatement?: number;
  /**
   * Deletes superseded data: called once per run with the S3 prefixes (`s3://…/`, each ending with
   * `/`) that the catalog referenced before the run and no longer does — the old locations of
   * repointed and dropped partitions, or an unpartitioned table's old location — only after every
   * catalog change of the run succeeded, and only when there is something to delete. Delete every
   * object under each prefix (e.g. listing and deleting with core's `S3Storage`); queries that
   * started before the run may still be reading them, so a caller may prefer to delay deletion
   * (queue `result.supersededLocations` instead). No prefix given contains or is inside the run's
   * new data. If the hook throws, the run throws `WriteFailed` (retryable) with the prefixes in
   * `context.supersededLocations`: the catalog change stands, only the deletion is to retry.
   */
  deleteLocations?: (locations: string[]) => Promise<void>;
}

/**
 * What an Athena run did.
 *
 * @example
 * ```ts
 * result.supersededLocations; // ['s3://lake/curated/fact_orders/_runs/r1/year=2025/month=11/', …]
 * ```
 */
export interface AthenaRunResult {
  model: string;
  /** Every statement sent, in order. */
  statements: string[];
  queryExecutionIds: string[];
  /** Partitions written (`[]` for an unpartitioned model). */
  partitionsWritten: PartitionValues[];
  /**
   * Partitions dropped because the model no longer produces them: named ones for a partition
   * rebuild, every catalog partition not produced for a full rebuild.
   */
  partitionsRemoved: PartitionValues[];
  /** The fresh prefix the data was written under, `<location>_runs/<run-id>/`. */
  dataLocation: string;
  /** Whether the run created the table (it did not exist, or its columns differed from the model's). */
  tableCreated: boolean;
  /**
   * S3 prefixes the catalog referenced before the run and no longer does (old locations of the
   * partitions repointed or dropped; an unpartitioned table's old location): safe to delete once
   * no query that started before the run is still reading. Passed to `deleteLocations` when set.
   */
  supersededLocations: string[];
}

/**
 * The Athena engine. Every run writes under a fresh prefix `<location>_runs/<run-id>/` and then
 * repoints the catalog (DESIGN decision 5): readers see the old data or the new, never nothing.
 *
 * - `run(model)` (full rebuild, any write mode): CTAS (+ INSERT INTO, at most 100 partitions each)
 *   into a staging table at the fresh prefix; then, for a partitioned table, `CREATE EXTERNAL TABLE`
 *   at `<curatedLocation><model>/` if absent, `ALTER TABLE … ADD IF NOT EXISTS PARTITION … LOCATION`
 *   (batched) for new partitions, `ALTER TABLE … PARTITION (…) SET LOCATION` for existing ones, and
 *   `DROP IF EXISTS PARTITION` for partitions no longer produced; for an unpartitioned table,
 *   `ALTER TABLE … SET LOCATION` (or `CREATE EXTERNAL TABLE` at the prefix if absent). Finally the
 *   staging table definition is dropped (its files are now the table's). A failed CTAS leaves the
 *   table untouched.
 * - `run(model, { partitions })` (`overwrite_partitions`): the same, for the named partitions only.
 * - The locations no longer referenced are returned as `supersededLocations` and passed to the
 *   `deleteLocations` hook after the catalog changes succeeded.
 *
 * @example
 * ```ts
 * import { AthenaClient } from '@aws-sdk/client-athena';
 * import { AthenaEngine } from '@lakeblocks/transform/athena';
 *
 * const engine = new AthenaEngine({ client: new AthenaClient({}), database: 'techstore', curatedLocation: 's3://lake/curated/', outputLocation: 's3://lake/results/', models });
 * await engine.run(factOrdersEnriched, { partitions: [{ year: 2025, month: 11 }] });
 * ```
 */
export class AthenaEngine {
  private readonly options: AthenaEngineOptions;
  private readonly runner: AthenaQueryRunner;

  /**
   * @example
   * ```ts
   * const engine = new AthenaEngine({ client, database: 'techstore', curatedLocation: 's3://lake/curated/' });
   * ```
   */
  constructor(options: AthenaEngineOptions) {
    if (!options.curatedLocation.startsWith('s3://') || !options.curatedLocation.endsWith('/')) {
      throw new TransformError('InvalidArgument', `curatedLocation must be an s3:// prefix ending with "/": ${JSON.stringify(options.curatedLocation)}`);
    }
    this.options = options;
    this.runner = new AthenaQueryRunner({ ...options, database: options.database });
  }

  /**
   * Where a model's table lives and what its refs render to.
   *
   * @example
   * ```ts
   * engine.target(kpiMonthly).location; // 's3://lake/curated/kpi_monthly/'
   * ```
   */
  target(model: AnyModel): AthenaTarget {
    return {
      database: this.options.database,
      inputDatabase: this.options.inputDatabase ?? this.options.database,
      location: `${this.options.curatedLocation}${model.name}/`,
      models: (this.options.models ?? []).map((m) => m.name),
    };
  }

  /**
   * Runs a model (see the class comment for the statements sent).
   *
   * @example
   * ```ts
   * const result = await engine.run(kpiMonthly);
   * console.log(result.statements.join(';\n'));
   * ```
   */
  async run(model: AnyModel, options: { partitions?: readonly PartitionValues[]; runId?: string } = {}): Promise<AthenaRunResult> {
    const target = this.target(model);
    const runId = (options.runId ?? `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`).toLowerCase();
    if (!/^[a-z0-9_]{1,40}$/.test(runId)) throw new TransformError('InvalidArgument', `Invalid run id ${JSON.stringify(runId)}: use a-z 0-9 _`);
    const named = options.partitions;
    if (named !== undefined && model.writeMode !== 'overwrite_partitions') {
      throw new TransformError('InvalidArgument', `Model "${model.name}" has write mode ${model.writeMode}: it cannot rebuild single partitions`, { context: { model: model.name } });
    }
    const max = this.options.maxPartitionsPerStatement ?? ATHENA_MAX_PARTITIONS_PER_STATEMENT;
    const statements: string[] = [];
    const ids: string[] = [];
    const exec = async (sql: string): Promise<string> => {
      statements.push(sql);
      const id = await this.runner.run(sql, { idempotencyKey: `${model.name}/${runId}/${statements.length}` });
      ids.push(id);
      return id;
    };
    const output = model.output;
    const database = target.database;
    const partitioned = output.partitionKeys.length > 0;
    const table = athenaDdlName(database, model.name);
    const stageName = `${model.name}__stage_${runId}`;
    const stage = athenaDdlName(database, stageName);
    const fresh = `${target.location}_runs/${runId}/`;

    const produced = partitioned ? await this.discover(model, target, named, exec) : [];
    const producedKeys = new Set(produced.map((p) => partitionKey(model, p)));
    const namedGone = (named ?? []).filter((p) => !producedKeys.has(partitionKey(model, p)));

    // The table as the catalog has it: absent, as the model describes it, or with other columns.
    const columns = await this.tableColumns(database, model.name, exec);
    const expected = [...output.fileColumns.map((c) => c.name), ...output.partitionKeys.map((k) => k.name)];
    const exists = columns.length > 0;
    const schemaChanged = exists && columns.join('\u0000') !== expected.join('\u0000');
    if (schemaChanged && named !== undefined) {
      throw new TransformError(
        'InvalidModel',
        `Table ${table} has columns [${columns.join(', ')}], the model [${expected.join(', ')}]: rebuild it in full (run without partitions) first`,
        { context: { model: model.name } },
      );
    }

    // 1. The data, under a fresh prefix, as a staging table. The target is not touched yet: if this
    //    fails, readers keep the old table.
    const writes = named === undefined || produced.length > 0;
    const dropStage = () => exec(`DROP TABLE IF EXISTS ${stage}`);
    if (writes) {
      await dropStage();
      try {
        for (const sql of renderCtasSeries(model, target, { tableName: stageName, location: fresh, partitions: produced, maxPartitions: max })) await exec(sql);
      } catch (error) {
        await dropStage().catch(() => undefined);
        throw error;
      }
    }

    // 2. The catalog: one repointing call per partition (or one for the table); a reader sees each
    //    partition old or new, never half-replaced nor missing.
    const old: string[] = [];
    let removed = namedGone;
    try {
      if (schemaChanged) {
        // Another schema (maybe other partition keys): list the old files' directories by "$path"
        // only, then replace the definition. The one step where the table is briefly missing.
        old.push(...(await this.fileLocations(database, model.name, exec)));
        await exec(`DROP TABLE IF EXISTS ${table}`);
      }
      const live = exists && !schemaChanged;
      if (!partitioned) {
        if (live) {
          old.push(...(await this.fileLocations(database, model.name, exec)));
          await exec(`ALTER TABLE ${table} SET LOCATION ${hiveString(fresh)}`);
        } else {
          await exec(toAthenaCreateTable(output, { database, location: fresh, tableName: model.name }));
        }
      } else {
        const current = live ? await this.partitionLocations(model, database, named, exec) : new Map<string, CatalogPartition>();
        for (const entry of current.values()) old.push(...entry.locations); // every listed one is repointed or dropped
        if (!live) await exec(toAthenaCreateTable(output, { database, location: target.location, tableName: model.name }));
        const added = produced.filter((p) => !current.has(partitionKey(model, p))).map((p) => ({ values: p, location: partitionLocation(fresh, output, p) }));
        for (const sql of renderAddPartitions(output, database, model.name, added, max)) await exec(sql);
        for (const p of produced.filter((q) => current.has(partitionKey(model, q)))) {
          await exec(`ALTER TABLE ${table} ${ddlPartitionSpec(output, p)} SET LOCATION ${hiveString(partitionLocation(fresh, output, p))}`);
        }
        if (named === undefined) removed = [...current.values()].filter((e) => !producedKeys.has(e.key)).map((e) => e.values);
        for (const sql of renderDropPartitions(output, database, model.name, removed, max)) await exec(sql);
      }
      // Only the definition goes: an external table's files stay (they are now the table's).
      if (writes) await dropStage();
    } catch (error) {
      if (writes) await dropStage().catch(() => undefined);
      throw error;
    }

    // 3. Superseded files: reported, and deleted by the hook only now that the catalog is committed.
    const supersededLocations = [...new Set(old)].filter((l) => !fresh.startsWith(l) && !l.startsWith(fresh));
    if (supersededLocations.length > 0 && this.options.deleteLocations !== undefined) {
      try {
        await this.options.deleteLocations(supersededLocations);
      } catch (error) {
        throw new TransformError('WriteFailed', `Model "${model.name}" was committed, but deleting its superseded locations failed: ${(error as Error).message}`, {
          cause: error,
          isRetryable: true,
          context: { model: model.name, supersededLocations: supersededLocations.join(' ') },
        });
      }
    }
    return {
      model: model.name,
      statements,
      queryExecutionIds: ids,
      partitionsWritten: produced,
      partitionsRemoved: removed,
      dataLocation: fresh,
      tableCreated: !exists || schemaChanged,
      supersededLocations,
    };
  }

  /**
   * Rebuilds every known model (or the given ones) in full, inputs first.
   *
   * @example
   * ```ts
   * const results = await engine.runAll();
   * results.map((r) => `${r.model}: ${r.partitionsWritten.length} partitions`);
   * ```
   */
  async runAll(models: readonly AnyModel[] = this.options.models ?? []): Promise<AthenaRunResult[]> {
    const results: AthenaRunResult[] = [];
    for (const m of sortModels(models)) results.push(await this.run(m));
    return results;
  }

  private async discover(
    model: AnyModel,
    target: AthenaTarget,
    within: readonly PartitionValues[] | undefined,
    exec: (sql: string) => Promise<string>,
  ): Promise<PartitionValues[]> {
    const id = await exec(renderDistinctPartitions(model, target, within));
    const found: PartitionValues[] = [];
    for await (const rows of this.runner.rows(id)) for (const row of rows) found.push(parsePartition(model, row));
    return found;
  }

  private async tableColumns(database: string, name: string, exec: (sql: string) => Promise<string>): Promise<string[]> {
    const id = await exec(renderTableColumns(database, name));
    const names: string[] = [];
    for await (const rows of this.runner.rows(id)) for (const row of rows) if (typeof row[0] === 'string') names.push(row[0]);
    return names;
  }

  private async fileLocations(database: string, name: string, exec: (sql: string) => Promise<string>): Promise<string[]> {
    const id = await exec(renderFileLocations(database, name));
    const locations: string[] = [];
    for await (const rows of this.runner.rows(id)) for (const row of rows) if (typeof row[0] === 'string' && row[0] !== '') locations.push(row[0]);
    return locations;
  }

  private async partitionLocations(
    model: AnyModel,
    database: string,
    within: readonly PartitionValues[] | undefined,
    exec: (sql: string) => Promise<string>,
  ): Promise<Map<string, CatalogPartition>> {
    const id = await exec(renderPartitionLocations(model.output, database, model.name, within));
    const keys = model.output.partitionKeys;
    const found = new Map<string, CatalogPartition>();
    for await (const rows of this.runner.rows(id)) {
      for (const row of rows) {
        const values = parsePartition(model, row);
        const key = partitionKey(model, values);
        const entry = found.get(key) ?? { key, values, locations: [] };
        const location = row[keys.length];
        if (typeof location === 'string' && location !== '' && !entry.locations.includes(location)) entry.locations.push(location);
        found.set(key, entry);
      }
    }
    return found;
  }
}

/** A partition in the catalog and the directories its files are in. */
interface CatalogPartition {
  key: string;
  values: PartitionValues;
  locations: string[];
}

function parsePartition(model: AnyModel, row: readonly (string | null)[]): PartitionValues {
  const values: PartitionValues = {};
  model.output.partitionKeys.forEach((k, i) => {
    const text = row[i];
    if (text === null || text === undefined) {
      throw new TransformError('QueryFailed', `Model produced a null partition key "${k.name}"`, { context: { model: model.name } });
    }
    values[k.name] = k.type.kind === 'int' || k.type.kind === 'bigint' ? Number(text) : text;
  });
  return values;
}

function partitionKey(model: AnyModel, values: PartitionValues): string {
  return JSON.stringify(model.output.partitionKeys.map((k) => String(values[k.name])));
}
