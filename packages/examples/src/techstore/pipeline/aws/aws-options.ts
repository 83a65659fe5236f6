/**
 * The AWS mode of the TechStore pipeline: which options it takes and which combinations make sense.
 *
 * A lake at `s3://bucket/prefix` runs the same steps as a local one: upload and raw → processed write
 * through core's `S3Storage`; the processed tables are registered in the Glue Data Catalog
 * (`--glue-database`); the curated models run on Athena (`--athena-workgroup` and/or
 * `--athena-output`), and the business questions and dashboard query the curated marts there.
 *
 * DuckDB does not run an S3 lake here: reading `s3://` needs its httpfs extension, which DuckDB
 * downloads on first use, and this project runs without network access to extension repositories.
 * Rather than staging the whole processed layer on local disk (a copy of the lake per run), an S3
 * lake without Athena options is refused with a message saying what to pass.
 *
 * @module
 */

/**
 * How to reach an S3 lake and its catalog and query engine.
 *
 * @example
 * ```ts
 * const aws: TechstoreAwsOptions = { region: 'eu-west-1', glueDatabase: 'techstore', athenaWorkgroup: 'primary', athenaOutput: 's3://my-results/techstore/' };
 * ```
 */
export interface TechstoreAwsOptions {
  /** AWS region of S3, Glue and Athena (default `AWS_REGION` / `AWS_DEFAULT_REGION`; `us-east-1` with `endpoint`). */
  region?: string;
  /** Endpoint of an S3-compatible store (MinIO, s3rver …): S3 calls only; Glue and Athena stay AWS's. */
  endpoint?: string;
  /** Glue database of the processed and curated tables. */
  glueDatabase?: string;
  /** Athena workgroup of the curated models and queries. */
  athenaWorkgroup?: string;
  /** `s3://` prefix for Athena query results (optional when the workgroup enforces one). */
  athenaOutput?: string;
}

/**
 * An invalid combination of lake and AWS options: the message says what to pass instead.
 *
 * @example
 * ```ts
 * try { resolveAws('s3://lake/x', {}, 'run', {}); } catch (e) { if (e instanceof AwsOptionsError) console.error(e.message); }
 * ```
 */
export class AwsOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AwsOptionsError';
  }
}

/**
 * The AWS options, checked and completed: the region settled, names validated.
 *
 * @example
 * ```ts
 * const r: ResolvedAws = { lake: 's3://lake/techstore', region: 'us-east-1', glueDatabase: 'techstore', athenaWorkgroup: 'primary' };
 * ```
 */
export interface ResolvedAws extends TechstoreAwsOptions {
  /** The lake, `s3://bucket[/prefix]`. */
  lake: string;
  region: string;
}

/** What the command needs from AWS: `storage` (upload), `athena` (run, watch, query). */
export type AwsNeed = 'storage' | 'athena';

const GLUE_NAME = /^[a-z_][a-z0-9_]{0,254}$/;

/**
 * Whether `lake` is an S3 location (`s3://` or `s3a://`).
 *
 * @example
 * ```ts
 * isS3Lake('s3://my-lake/techstore'); // true
 * ```
 */
export function isS3Lake(lake: string): boolean {
  return /^s3a?:\/\//i.test(lake);
}

/**
 * Checks the lake and AWS options for a command: AWS options need an `s3://` lake; an `s3://` lake
 * needs a region (option or environment; an `endpoint` defaults it to `us-east-1`); with `need`
 * `'athena'` it needs `glueDatabase` and `athenaWorkgroup` or `athenaOutput`. Returns `undefined`
 * for a local lake. Throws {@link AwsOptionsError}; never echoes credentials (none are options).
 *
 * @example
 * ```ts
 * resolveAws('s3://lake/ts', { region: 'eu-west-1', glueDatabase: 'ts', athenaWorkgroup: 'primary' }, 'athena', process.env);
 * ```
 */
export function resolveAws(lake: string, options: TechstoreAwsOptions, need: AwsNeed, env: Record<string, string | undefined>): ResolvedAws | undefined {
  const given = (Object.entries(options) as [keyof TechstoreAwsOptions, string | undefined][]).filter(([, v]) => v !== undefined).map(([k]) => flag(k));
  if (!isS3Lake(lake)) {
    if (given.length > 0) throw new AwsOptionsError(`${given.join(', ')} ${given.length === 1 ? 'needs' : 'need'} an S3 lake (--lake s3://bucket/prefix); ${JSON.stringify(lake)} is a local directory`);
    return undefined;
  }
  if (!/^s3a?:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(lake)) throw new AwsOptionsError(`--lake ${JSON.stringify(lake)} is not a valid s3://bucket/prefix (bucket names are lower-case letters, digits, dots and dashes)`);
  if (options.endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(options.endpoint)) {
    throw new AwsOptionsError(`--endpoint must be an http:// or https:// URL (e.g. http://127.0.0.1:9000), got ${JSON.stringify(options.endpoint)}`);
  }
  const region = options.region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? (options.endpoint !== undefined ? 'us-east-1' : undefined);
  if (region === undefined || region === '') {
    throw new AwsOptionsError('an s3:// lake needs a region: pass --region (e.g. --region eu-west-1) or set AWS_REGION');
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new AwsOptionsError(`--region ${JSON.stringify(region)} is not an AWS region name (like eu-west-1)`);
  if (options.glueDatabase !== undefined && !GLUE_NAME.test(options.glueDatabase)) {
    throw new AwsOptionsError(`--glue-database must match ^[a-z_][a-z0-9_]*$ (Glue lower-cases names), got ${JSON.stringify(options.glueDatabase)}`);
  }
  if (options.athenaOutput !== undefined && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(options.athenaOutput)) {
    throw new AwsOptionsError(`--athena-output must be an s3://bucket/prefix/ for Athena's result files, got ${JSON.stringify(options.athenaOutput)}`);
  }
  if (options.athenaWorkgroup !== undefined && !/^[a-zA-Z0-9._-]{1,128}$/.test(options.athenaWorkgroup)) {
    throw new AwsOptionsError(`--athena-workgroup must be 1-128 letters, digits, ".", "_" or "-", got ${JSON.stringify(options.athenaWorkgroup)}`);
  }
  const athena = options.athenaWorkgroup !== undefined || options.athenaOutput !== undefined;
  if (athena && options.glueDatabase === undefined) {
    throw new AwsOptionsError('Athena queries the Glue Data Catalog: pass --glue-database NAME with --athena-workgroup / --athena-output');
  }
  if (need === 'athena' && (!athena || options.glueDatabase === undefined)) {
    throw new AwsOptionsError(
      'an s3:// lake runs its models and queries on Athena: pass --glue-database NAME and --athena-workgroup NAME (and/or --athena-output s3://…/). ' +
        'The local DuckDB engine cannot read s3:// here (its httpfs extension would have to be downloaded); use a local --lake DIR to run without AWS',
    );
  }
  return { ...options, lake: lake.replace(/^s3a:/i, 's3:'), region };
}

function flag(key: keyof TechstoreAwsOptions): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
