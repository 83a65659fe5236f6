/**
 * `AthenaEngine`: runs models on Athena over Glue tables — CTAS / INSERT INTO in groups of at most
 * 100 partitions, Parquet + snappy — through {@link AthenaQueryRunner}.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { PartitionValues } from '@lakeblocks/core';
import { TransformError } from '../errors/transform-error.js';
import { sortModels, type AnyModel } from '../model/define-model.js';
import { AthenaQueryRunner, type AthenaQueryRunnerOptions } from './athena-client.js';
import {
  ATHENA_MAX_PARTITIONS_PER_STATEMENT,
  athenaDdlName,
  chunkPartitions,
  ddlPartitionSpec,
  partitionLocation,
  renderCtasSeries,
  renderDistinctPartitions,
  hiveString,
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
   * Called with the table location before a `replace` run's CTAS (Athena refuses a CTAS into a
   * non-empty location): delete the old files there, e.g. with core's `S3Storage`.
   */
  clearLocation?: (location: string) => Promise<void>;
}

/**
 * What an Athena run did.
 *
 * @example
 * ```ts
 * result.statements.length; // 1 DROP + 1 CTAS + 2 INSERT INTO for 250 partitions
 * ```
 */
export interface AthenaRunResult {
  model: string;
  /** Every statement sent, in order. */
  statements: string[];
  queryExecutionIds: string[];
  /** Partitions written (`[]` for an unpartitioned model). */
  partitionsWritten: PartitionValues[];
  /** Named partitions dropped because the model no longer produces them. */
  partitionsRemoved: PartitionValues[];
  /** Where the data was written (the table location, or a fresh run prefix for partition rebuilds). */
  dataLocation: string;
}

/**
 * The Athena engine.
 *
 * - `run(model)` (any write mode, no partitions): `DROP TABLE IF EXISTS`, `clearLocation`, then CTAS +
 *   INSERT INTO of at most 100 partitions each, at `<curatedLocation><model>/`. Not atomic: until the
 *   CTAS finishes the table is missing (and stays missing if it fails); rerun to converge.
 * - `run(model, { partitions })` (`overwrite_partitions`): the named partitions are rebuilt under a
 *   fresh prefix `<location>_runs/<run-id>/` (CTAS into a staging table, split the same way), then
 *   the table's partitions are added / repointed there with `ALTER TABLE … SET LOCATION`, named
 *   partitions no longer produced are dropped, and the staging table definition is dropped (its
 *   files stay: they are now the partitions'). Readers never see a half-written partition. Deleting
 *   the superseded files is left to the caller.
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
    const max = this.options.maxPartitionsPerStatement ?? ATHENA_MAX_PARTITIONS_PER_STATEMENT;
    const statements: string[] = [];
    const ids: string[] = [];
    const exec = async (sql: string): Promise<string> => {
      statements.push(sql);
      const id = await this.runner.run(sql, { idempotencyKey: `${model.name}/${runId}/${statements.length}` });
      ids.push(id);
      return id;
    };
    const partitioned = model.output.partitionKeys.length > 0;

    if (options.partitions === undefined) {
      const produced = partitioned ? await this.discover(model, target, undefined, exec) : [];
      // Drop first, then clear: between the two, a reader gets "table not found", never a table whose
      // files are gone (silently empty results). Still not atomic: see the class comment.
      await exec(`DROP TABLE IF EXISTS ${athenaDdlName(target.database, model.name)}`);
      await this.options.clearLocation?.(target.location);
      for (const sql of renderCtasSeries(model, target, { tableName: model.name, partitions: produced, maxPartitions: max })) await exec(sql);
      return { model: model.name, statements, queryExecutionIds: ids, partitionsWritten: produced, partitionsRemoved: [], dataLocation: target.location };
    }

    if (model.writeMode !== 'overwrite_partitions') {
      throw new TransformError('InvalidArgument', `Model "${model.name}" has write mode ${model.writeMode}: it cannot rebuild single partitions`, { context: { model: model.name } });
    }
    const named = options.partitions;
    const produced = await this.discover(model, target, named, exec);
    const table = athenaDdlName(target.database, model.name);
    const stageName = `${model.name}__stage_${runId}`;
    const stage = athenaDdlName(target.database, stageName);
    const stageLocation = `${target.location}_runs/${runId}/`;
    const removed = named.filter((p) => !produced.some((q) => samePartition(model, p, q)));
    if (produced.length > 0) {
      await exec(`DROP TABLE IF EXISTS ${stage}`);
      try {
        for (const sql of renderCtasSeries(model, target, { tableName: stageName, location: stageLocation, partitions: produced, maxPartitions: max })) await exec(sql);
        for (const chunk of chunkPartitions(produced, max)) {
          const specs = chunk.map((p) => `${ddlPartitionSpec(model.output, p)} LOCATION ${hiveString(partitionLocation(stageLocation, model.output, p))}`);
          await exec(`ALTER TABLE ${table} ADD IF NOT EXISTS\n${specs.join('\n')}`);
        }
        for (const p of produced) {
          await exec(`ALTER TABLE ${table} ${ddlPartitionSpec(model.output, p)} SET LOCATION ${hiveString(partitionLocation(stageLocation, model.output, p))}`);
        }
      } catch (error) {
        // Only the definition goes (an external table's files stay: repointed partitions may use them).
        await exec(`DROP TABLE IF EXISTS ${stage}`).catch(() => undefined);
        throw error;
      }
    }
    for (const chunk of chunkPartitions(removed, max)) {
      await exec(`ALTER TABLE ${table} DROP IF EXISTS ${chunk.map((p) => ddlPartitionSpec(model.output, p)).join(', ')}`);
    }
    if (produced.length > 0) await exec(`DROP TABLE IF EXISTS ${stage}`);
    return { model: model.name, statements, queryExecutionIds: ids, partitionsWritten: produced, partitionsRemoved: removed, dataLocation: stageLocation };
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
    const keys = model.output.partitionKeys;
    const found: PartitionValues[] = [];
    for await (const rows of this.runner.rows(id)) {
      for (const row of rows) {
        const values: PartitionValues = {};
        keys.forEach((k, i) => {
          const text = row[i];
          if (text === null || text === undefined) {
            throw new TransformError('QueryFailed', `Model produced a null partition key "${k.name}"`, { context: { model: model.name } });
          }
          values[k.name] = k.type.kind === 'int' || k.type.kind === 'bigint' ? Number(text) : text;
        });
        found.push(values);
      }
    }
    return found;
  }
}

function samePartition(model: AnyModel, a: PartitionValues, b: PartitionValues): boolean {
  return model.output.partitionKeys.every((k) => String(a[k.name]) === String(b[k.name]));
}
