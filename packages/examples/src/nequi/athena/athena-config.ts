/**
 * The Nequi lake on AWS, as type-checked configuration (scenarios "100x data" and "100+ users"):
 *
 * - {@link nequiAthenaEngineOptions}: the same curated models, run by `@lakeblocks/transform`'s
 *   `AthenaEngine` instead of DuckDB (CTAS into `s3://<bucket>/curated/<model>/`, partitions
 *   registered in Glue) — the models are written in the SQL subset both engines share, so nothing
 *   in them changes;
 * - {@link nequiWorkGroups}: two Athena work groups — `nequi-etl` for the pipeline and
 *   `nequi-analysts` for the 100+ analysts and dashboards — with the settings enforced on every
 *   query (`EnforceWorkGroupConfiguration`): result location and encryption, a bytes-scanned cutoff
 *   per query, CloudWatch metrics per work group, engine version 3;
 * - {@link nequiAnalystQuery}: an analyst's `StartQueryExecution` with query result reuse (an
 *   identical query within `maxAgeMinutes` is answered from the stored result, scanning nothing);
 * - {@link provisionNequiWorkGroups}: creates the work groups, or updates them when they exist.
 *
 * @module
 */
import {
  CreateWorkGroupCommand,
  UpdateWorkGroupCommand,
  type AthenaClient,
  type CreateWorkGroupCommandInput,
  type StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import { AthenaEngine, type AthenaClientLike, type AthenaEngineOptions, type AthenaRunResult } from '@lakeblocks/transform/athena';
import { nequiModels } from '../models/index.js';

/** Athena engine version of both work groups (needed for query result reuse). */
export const ATHENA_ENGINE_VERSION = 'Athena engine version 3';

const GB = 1024 ** 3;

/**
 * Where the Nequi lake lives on AWS.
 *
 * @example
 * ```ts
 * const lake: NequiAwsLake = { bucket: 'nequi-lake', database: 'nequi_curated', inputDatabase: 'nequi_processed', resultsBucket: 'nequi-athena-results' };
 * ```
 */
export interface NequiAwsLake {
  /** The lake bucket (`raw/`, `processed/`, `curated/`). */
  bucket: string;
  /** Glue database of the curated models. */
  database: string;
  /** Glue database of the processed tables. */
  inputDatabase: string;
  /** Bucket of Athena query results (one prefix per work group). */
  resultsBucket: string;
  /** Account that must own the results bucket (guards against writing results into someone else's bucket). */
  accountId?: string;
}

/**
 * The options of an `AthenaEngine` running the Nequi models on the ETL work group.
 *
 * @example
 * ```ts
 * import { AthenaClient } from '@aws-sdk/client-athena';
 * import { AthenaEngine } from '@lakeblocks/transform/athena';
 * const engine = new AthenaEngine(nequiAthenaEngineOptions(new AthenaClient({ region: 'us-east-1' }), lake));
 * for (const model of nequiModels) await engine.run(model);
 * ```
 */
export function nequiAthenaEngineOptions(client: AthenaClientLike, lake: NequiAwsLake): AthenaEngineOptions {
  return {
    client,
    database: lake.database,
    inputDatabase: lake.inputDatabase,
    curatedLocation: `s3://${lake.bucket}/curated/`,
    models: nequiModels,
    // The work group enforces its result location; the engine's own is then ignored by Athena.
    workGroup: 'nequi-etl',
    outputLocation: `s3://${lake.resultsBucket}/nequi-etl/`,
    maxPartitionsPerStatement: 100,
    queryTimeoutMs: 30 * 60_000,
    attempts: 5,
    callTimeoutMs: 30_000,
  };
}

/**
 * The curated layer built on Athena instead of DuckDB: every Nequi model, inputs first, with the
 * options of {@link nequiAthenaEngineOptions} (the processed tables must be registered in Glue,
 * e.g. with `@lakeblocks/loaders/glue`).
 *
 * @example
 * ```ts
 * const results = await runNequiModelsOnAthena(lake, { region: 'us-east-1' });
 * results.map((r) => `${r.model}: ${r.partitionsWritten.length} partitions`);
 * ```
 */
export async function runNequiModelsOnAthena(lake: NequiAwsLake, options: { region: string; client?: AthenaClientLike }): Promise<AthenaRunResult[]> {
  const { AthenaClient } = await import('@aws-sdk/client-athena');
  const client = options.client ?? new AthenaClient({ region: options.region, maxAttempts: 3 });
  const engine = new AthenaEngine(nequiAthenaEngineOptions(client, lake));
  return engine.runAll(nequiModels);
}

/**
 * Limits of the two work groups.
 *
 * @example
 * ```ts
 * const limits: NequiWorkGroupLimits = { etlCutoffGb: 200, analystCutoffGb: 10 };
 * ```
 */
export interface NequiWorkGroupLimits {
  /** Bytes-scanned cutoff per query of the pipeline, GB (default 200: a full rebuild at 100x data). */
  etlCutoffGb?: number;
  /** Bytes-scanned cutoff per query of an analyst, GB (default 10: a runaway query costs at most USD 0.05). */
  analystCutoffGb?: number;
}

/**
 * The `CreateWorkGroup` inputs of `nequi-etl` and `nequi-analysts` (see the module description).
 *
 * @example
 * ```ts
 * for (const input of nequiWorkGroups(lake)) await athena.send(new CreateWorkGroupCommand(input));
 * ```
 */
export function nequiWorkGroups(lake: NequiAwsLake, limits: NequiWorkGroupLimits = {}): CreateWorkGroupCommandInput[] {
  const group = (name: string, description: string, cutoffGb: number): CreateWorkGroupCommandInput => ({
    Name: name,
    Description: description,
    Configuration: {
      EnforceWorkGroupConfiguration: true,
      PublishCloudWatchMetricsEnabled: true,
      BytesScannedCutoffPerQuery: Math.round(cutoffGb * GB),
      RequesterPaysEnabled: false,
      EngineVersion: { SelectedEngineVersion: ATHENA_ENGINE_VERSION },
      ResultConfiguration: {
        OutputLocation: `s3://${lake.resultsBucket}/${name}/`,
        EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        ...(lake.accountId === undefined ? {} : { ExpectedBucketOwner: lake.accountId }),
      },
    },
    Tags: [
      { Key: 'project', Value: 'nequi' },
      { Key: 'workload', Value: name === 'nequi-etl' ? 'pipeline' : 'analysts' },
    ],
  });
  return [
    group('nequi-etl', 'Nequi pipeline: curated models (CTAS) and partition registration', limits.etlCutoffGb ?? 200),
    group('nequi-analysts', 'Nequi analysts and dashboards: read-only queries on the curated models', limits.analystCutoffGb ?? 10),
  ];
}

/**
 * An analyst's query on the `nequi-analysts` work group with query result reuse: an identical query
 * (same text, same catalog state) within `maxAgeMinutes` is served from the stored result.
 *
 * @example
 * ```ts
 * await athena.send(new StartQueryExecutionCommand(nequiAnalystQuery('SELECT risk_level, count(*) FROM client_risk_profile GROUP BY 1', lake)));
 * ```
 */
export function nequiAnalystQuery(sql: string, lake: NequiAwsLake, options: { maxAgeMinutes?: number } = {}): StartQueryExecutionCommandInput {
  const maxAge = options.maxAgeMinutes ?? 60;
  if (!(Number.isInteger(maxAge) && maxAge >= 1 && maxAge <= 10_080)) throw new RangeError(`maxAgeMinutes must be an integer within 1..10080 (7 days), got ${maxAge}`);
  return {
    QueryString: sql,
    WorkGroup: 'nequi-analysts',
    QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: lake.database },
    ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: maxAge } },
  };
}

/**
 * Creates each work group, or updates it to the given configuration when it already exists.
 * Every call is bounded (`timeoutMs`, default 30 s; the SDK client's own retries apply).
 *
 * @example
 * ```ts
 * const done = await provisionNequiWorkGroups(new AthenaClient({ region: 'us-east-1', maxAttempts: 3 }), nequiWorkGroups(lake));
 * // [{ name: 'nequi-etl', action: 'created' }, { name: 'nequi-analysts', action: 'updated' }]
 * ```
 */
export async function provisionNequiWorkGroups(
  client: Pick<AthenaClient, 'send'>,
  inputs: readonly CreateWorkGroupCommandInput[],
  options: { timeoutMs?: number } = {},
): Promise<{ name: string; action: 'created' | 'updated' }[]> {
  const done: { name: string; action: 'created' | 'updated' }[] = [];
  for (const input of inputs) {
    const name = input.Name ?? '';
    try {
      await client.send(new CreateWorkGroupCommand(input), { abortSignal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
      done.push({ name, action: 'created' });
    } catch (error) {
      const e = error as { name?: string; message?: string };
      if (!(e.name === 'InvalidRequestException' && /already (exists|created)/i.test(e.message ?? ''))) throw error;
      const c = input.Configuration ?? {};
      await client.send(
        new UpdateWorkGroupCommand({
          WorkGroup: name,
          ...(input.Description === undefined ? {} : { Description: input.Description }),
          ConfigurationUpdates: {
            ...(c.EnforceWorkGroupConfiguration === undefined ? {} : { EnforceWorkGroupConfiguration: c.EnforceWorkGroupConfiguration }),
            ...(c.PublishCloudWatchMetricsEnabled === undefined ? {} : { PublishCloudWatchMetricsEnabled: c.PublishCloudWatchMetricsEnabled }),
            ...(c.BytesScannedCutoffPerQuery === undefined ? { RemoveBytesScannedCutoffPerQuery: true } : { BytesScannedCutoffPerQuery: c.BytesScannedCutoffPerQuery }),
            ...(c.RequesterPaysEnabled === undefined ? {} : { RequesterPaysEnabled: c.RequesterPaysEnabled }),
            ...(c.EngineVersion === undefined ? {} : { EngineVersion: c.EngineVersion }),
            ...(c.ResultConfiguration === undefined
              ? {}
              : {
                  ResultConfigurationUpdates: {
                    ...(c.ResultConfiguration.OutputLocation === undefined ? {} : { OutputLocation: c.ResultConfiguration.OutputLocation }),
                    ...(c.ResultConfiguration.EncryptionConfiguration === undefined ? {} : { EncryptionConfiguration: c.ResultConfiguration.EncryptionConfiguration }),
                    ...(c.ResultConfiguration.ExpectedBucketOwner === undefined ? {} : { ExpectedBucketOwner: c.ResultConfiguration.ExpectedBucketOwner }),
                  },
                }),
          },
        }),
        { abortSignal: AbortSignal.timeout(options.timeoutMs ?? 30_000) },
      );
      done.push({ name, action: 'updated' });
    }
  }
  return done;
}
