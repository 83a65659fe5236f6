/**
 * An Athena query client that never hangs: start a query (workgroup, output location, result
 * reuse, parameters, idempotency token), poll with backoff until it ends, stop it on timeout or
 * abort, and page through the results (1000 rows a page) as typed rows. Throttling is retried with
 * jitter on every call (DESIGN decision 8).
 *
 * @example
 * ```ts
 * import { AthenaClient } from '@aws-sdk/client-athena';
 * import { AthenaQueryClient } from '@lakeblocks/loaders/athena';
 * const athena = new AthenaQueryClient({ client: new AthenaClient({ maxAttempts: 1 }), workGroup: 'analysts', database: 'techstore' });
 * const result = await athena.execute('SELECT country, count(*) AS n FROM orders WHERE year = ? GROUP BY 1', { parameters: [2025] });
 * for await (const row of result.rows()) console.log(row.country, row.n);
 * console.log(result.statistics.dataScannedInBytes);
 * ```
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, StopQueryExecutionCommand } from '@aws-sdk/client-athena';
import { sleep } from '@lakeblocks/core';
import { sendAws, type AwsCallPolicy, type AwsSendClient } from '../aws/send-aws.js';
import { LoadersError, isLoadersError } from '../errors/loaders-error.js';
import type { RecordBatch, Schema } from 'apache-arrow';
import { athenaArrowSchema, athenaCellsToArrow } from './athena-arrow.js';
import { athenaLiteral, parseAthenaValue, type AthenaParameter, type AthenaValue } from './athena-values.js';

/**
 * Rows per `GetQueryResults` page: Athena's maximum.
 *
 * @example
 * ```ts
 * Math.ceil(2_500 / ATHENA_PAGE_SIZE); // 3 pages
 * ```
 */
export const ATHENA_PAGE_SIZE = 1000;

/**
 * Options of {@link AthenaQueryClient}.
 *
 * @example
 * ```ts
 * const options: AthenaQueryClientOptions = { client, workGroup: 'primary', outputLocation: 's3://athena-results/lake/', database: 'techstore' };
 * ```
 */
export interface AthenaQueryClientOptions extends AwsCallPolicy {
  /** An `AthenaClient` (give it `maxAttempts: 1`: calls are retried here) or anything with its `send`. */
  client: AwsSendClient;
  /** Workgroup (default: Athena's `primary`). */
  workGroup?: string;
  /** `s3://` prefix for result files; optional when the workgroup sets one. */
  outputLocation?: string;
  /** Default database of queries. */
  database?: string;
  /** Data catalog (default `AwsDataCatalog`). */
  catalog?: string;
  /** Reuse results of an identical query younger than this many minutes (Athena result reuse). Off by default. */
  resultReuseMaxAgeMinutes?: number;
  /** Bound on a whole query, start to end, in ms (default 30 minutes); the query is stopped past it. */
  queryTimeoutMs?: number;
  /** First delay between `GetQueryExecution` polls, in ms (default 250); doubles up to `maxPollIntervalMs`. */
  pollIntervalMs?: number;
  /** Longest delay between polls, in ms (default 5,000). */
  maxPollIntervalMs?: number;
}

/**
 * Options of one query.
 *
 * @example
 * ```ts
 * await athena.execute(sql, { parameters: ['CO'], timeoutMs: 60_000, signal: AbortSignal.timeout(120_000) });
 * ```
 */
export interface ExecuteOptions {
  /** Values of the `?` placeholders, in order (rendered as SQL literals, see `athenaLiteral`). */
  parameters?: readonly AthenaParameter[];
  /** Overrides the client's default database. */
  database?: string;
  /** Idempotency token (32–128 characters); default a fresh UUID per call, reused by its retries. */
  clientRequestToken?: string;
  /** Overrides the client's `queryTimeoutMs`. */
  timeoutMs?: number;
  /** Overrides the client's result reuse (0 turns it off). */
  resultReuseMaxAgeMinutes?: number;
  /** Cancels the query: it is stopped in Athena and `Cancelled` is thrown. */
  signal?: AbortSignal;
}

/**
 * Execution statistics of a finished query.
 *
 * @example
 * ```ts
 * const mb = result.statistics.dataScannedInBytes / 1e6;
 * ```
 */
export interface AthenaQueryStatistics {
  /** Bytes Athena scanned (what it bills for). */
  dataScannedInBytes: number;
  /** Time the engine ran the query, in ms. */
  engineExecutionTimeMs: number;
  /** Time from submission to end, queueing included, in ms. */
  totalExecutionTimeMs: number;
  /** Time spent queued, in ms. */
  queryQueueTimeMs: number;
  /** Whether Athena served a reused earlier result. */
  reusedPreviousResult: boolean;
}

/**
 * A result column, from `ResultSetMetadata`.
 *
 * @example
 * ```ts
 * result.columns.map((c) => `${c.name}:${c.type}`); // ['country:varchar', 'n:bigint']
 * ```
 */
export interface AthenaColumn {
  name: string;
  type: string;
  precision: number | undefined;
  scale: number | undefined;
}

/**
 * A typed result row: column name → value.
 *
 * @example
 * ```ts
 * const row: AthenaRow = { country: 'CO', n: 12n };
 * ```
 */
export type AthenaRow = Record<string, AthenaValue>;

/**
 * The fields of Athena's `QueryExecution` this client reads (what {@link AthenaQueryClient.wait} returns).
 *
 * @example
 * ```ts
 * const execution: AthenaQueryExecution = await athena.wait(id);
 * execution.Statistics?.DataScannedInBytes;
 * ```
 */
export interface AthenaQueryExecution {
  QueryExecutionId?: string;
  StatementType?: string;
  SubstatementType?: string;
  Status?: { State?: string; StateChangeReason?: string; AthenaError?: { ErrorMessage?: string; Retryable?: boolean; ErrorCategory?: number; ErrorType?: number } };
  Statistics?: {
    DataScannedInBytes?: number;
    EngineExecutionTimeInMillis?: number;
    TotalExecutionTimeInMillis?: number;
    QueryQueueTimeInMillis?: number;
    ResultReuseInformation?: { ReusedPreviousResult?: boolean };
  };
}

interface ResultsPage {
  NextToken?: string;
  ResultSet?: {
    Rows?: { Data?: { VarCharValue?: string }[] }[];
    ResultSetMetadata?: { ColumnInfo?: { Name?: string; Label?: string; Type?: string; Precision?: number; Scale?: number }[] };
  };
}

/**
 * A query that ended `SUCCEEDED`: its id, statistics, and its rows (fetched lazily, page by page).
 *
 * @example
 * ```ts
 * const result = await athena.execute('SELECT 1 AS one');
 * const rows = await result.toArray(); // [{ one: 1 }]
 * ```
 */
export class AthenaQueryResult {
  /** The Athena query execution id. */
  readonly queryId: string;
  readonly statistics: AthenaQueryStatistics;
  /** `DML`, `DDL` or `UTILITY`. */
  readonly statementType: string | undefined;
  private readonly owner: AthenaQueryClient;
  private readonly header: boolean;
  private columnList: AthenaColumn[] | undefined;

  constructor(owner: AthenaQueryClient, execution: AthenaQueryExecution) {
    this.owner = owner;
    this.queryId = execution.QueryExecutionId ?? '';
    this.statementType = execution.StatementType;
    // SELECT results start with a header row; DDL and utility statements (SHOW, DESCRIBE …) do not.
    this.header = execution.StatementType === 'DML' && (execution.SubstatementType === undefined || execution.SubstatementType === 'SELECT');
    const s = execution.Statistics ?? {};
    this.statistics = {
      dataScannedInBytes: s.DataScannedInBytes ?? 0,
      engineExecutionTimeMs: s.EngineExecutionTimeInMillis ?? 0,
      totalExecutionTimeMs: s.TotalExecutionTimeInMillis ?? 0,
      queryQueueTimeMs: s.QueryQueueTimeInMillis ?? 0,
      reusedPreviousResult: s.ResultReuseInformation?.ReusedPreviousResult ?? false,
    };
  }

  /**
   * The result columns; known once the first page was read (after the first `rows()` step).
   *
   * @example
   * ```ts
   * for await (const _ of result.rows()) break;
   * result.columns; // [{ name: 'n', type: 'bigint', … }]
   * ```
   */
  get columns(): readonly AthenaColumn[] {
    return this.columnList ?? [];
  }

  /**
   * The typed rows, paging `GetQueryResults` 1000 rows at a time (only as fast as you consume).
   *
   * @example
   * ```ts
   * for await (const row of result.rows()) total += row.n as bigint;
   * ```
   */
  async *rows(options: { signal?: AbortSignal } = {}): AsyncGenerator<AthenaRow> {
    for await (const cells of this.pages(options)) {
      const columns = this.columns;
      for (const data of cells) {
        const row: AthenaRow = {};
        columns.forEach((c, j) => {
          row[c.name] = parseAthenaValue(c.type, data[j]);
        });
        yield row;
      }
    }
  }

  /**
   * The results as Arrow record batches, one per `GetQueryResults` page (at most 1000 rows), typed
   * by `ResultSetMetadata` (decimals exact, timestamps in microseconds; see `athenaCellsToArrow`).
   *
   * @example
   * ```ts
   * for await (const batch of result.batches()) await loader.load(dailyRevenue, [batch], { mode: 'upsert' });
   * ```
   */
  async *batches(options: { signal?: AbortSignal } = {}): AsyncGenerator<RecordBatch> {
    let schema: Schema | undefined;
    for await (const cells of this.pages(options)) {
      schema ??= athenaArrowSchema(this.columns);
      yield athenaCellsToArrow(this.columns, cells, schema);
    }
  }

  /** The cells of each page (`VarCharValue`s, `undefined` for NULL), header row skipped. */
  private async *pages(options: { signal?: AbortSignal }): AsyncGenerator<(string | undefined)[][]> {
    let token: string | undefined;
    let first = true;
    do {
      const page = await this.owner.resultsPage(this.queryId, token, options.signal);
      if (this.columnList === undefined) {
        this.columnList = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({
          name: c.Label ?? c.Name ?? '',
          type: c.Type ?? 'varchar',
          precision: c.Precision,
          scale: c.Scale,
        }));
      }
      const rows = page.ResultSet?.Rows ?? [];
      const width = this.columnList.length;
      const cells: (string | undefined)[][] = [];
      for (let i = first && this.header ? 1 : 0; i < rows.length; i++) {
        const data = rows[i]?.Data ?? [];
        cells.push(Array.from({ length: width }, (_, j) => data[j]?.VarCharValue));
      }
      yield cells;
      first = false;
      token = page.NextToken === '' ? undefined : page.NextToken;
    } while (token !== undefined);
  }

  /**
   * Every row in an array (mind the memory for big results; prefer `rows()`).
   *
   * @example
   * ```ts
   * const [{ n }] = await result.toArray();
   * ```
   */
  async toArray(): Promise<AthenaRow[]> {
    const out: AthenaRow[] = [];
    for await (const row of this.rows()) out.push(row);
    return out;
  }
}

/**
 * The Athena query client; see the module documentation.
 *
 * @example
 * ```ts
 * const athena = new AthenaQueryClient({ client: new AthenaClient({ maxAttempts: 1 }), workGroup: 'primary', outputLocation: 's3://results/' });
 * ```
 */
export class AthenaQueryClient {
  private readonly client: AwsSendClient;
  private readonly options: AthenaQueryClientOptions;

  constructor(options: AthenaQueryClientOptions) {
    this.client = options.client;
    this.options = options;
  }

  /**
   * Starts `sql`, waits for it to end, and returns its result. Throws `QueryFailed` (with Athena's
   * reason and the query id), `QueryCancelled`, `Timeout` (the query was stopped) or `Cancelled`
   * (the signal fired; the query was stopped).
   *
   * @example
   * ```ts
   * const result = await athena.execute('SELECT * FROM orders WHERE country = ?', { parameters: ['CO'] });
   * ```
   */
  async execute(sql: string, options: ExecuteOptions = {}): Promise<AthenaQueryResult> {
    const queryId = await this.start(sql, options);
    const execution = await this.wait(queryId, options);
    return new AthenaQueryResult(this, execution);
  }

  /**
   * Starts `sql` and returns its query execution id (retries reuse one `ClientRequestToken`, so a
   * retried start never runs the query twice).
   *
   * @example
   * ```ts
   * const id = await athena.start('MSCK REPAIR TABLE orders');
   * ```
   */
  async start(sql: string, options: ExecuteOptions = {}): Promise<string> {
    const input: Record<string, unknown> = { QueryString: sql, ClientRequestToken: options.clientRequestToken ?? randomUUID() };
    const database = options.database ?? this.options.database;
    if (database !== undefined || this.options.catalog !== undefined) {
      input.QueryExecutionContext = {
        ...(database !== undefined ? { Database: database } : {}),
        ...(this.options.catalog !== undefined ? { Catalog: this.options.catalog } : {}),
      };
    }
    if (this.options.workGroup !== undefined) input.WorkGroup = this.options.workGroup;
    if (this.options.outputLocation !== undefined) input.ResultConfiguration = { OutputLocation: this.options.outputLocation };
    if (options.parameters !== undefined && options.parameters.length > 0) input.ExecutionParameters = options.parameters.map(athenaLiteral);
    const reuse = options.resultReuseMaxAgeMinutes ?? this.options.resultReuseMaxAgeMinutes;
    if (reuse !== undefined && reuse > 0) input.ResultReuseConfiguration = { ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: reuse } };
    const out = await this.send<{ QueryExecutionId?: string }>(new StartQueryExecutionCommand(input as { QueryString: string }), 'StartQueryExecution', {}, options.signal);
    if (out.QueryExecutionId === undefined) throw new LoadersError('ServiceFailure', 'Athena StartQueryExecution returned no QueryExecutionId');
    return out.QueryExecutionId;
  }

  /**
   * Polls `GetQueryExecution` with backoff until the query ends; returns the execution when it
   * SUCCEEDED. On timeout or abort the query is stopped (`StopQueryExecution`) before throwing.
   *
   * @example
   * ```ts
   * const execution = await athena.wait(id, { timeoutMs: 60_000 });
   * ```
   */
  async wait(queryId: string, options: Pick<ExecuteOptions, 'timeoutMs' | 'signal'> = {}): Promise<AthenaQueryExecution> {
    const timeoutMs = options.timeoutMs ?? this.options.queryTimeoutMs ?? 30 * 60_000;
    const deadline = Date.now() + timeoutMs;
    let delay = this.options.pollIntervalMs ?? 250;
    const maxDelay = this.options.maxPollIntervalMs ?? 5_000;
    const context = { queryId };
    for (;;) {
      let execution: AthenaQueryExecution;
      try {
        const out = await this.send<{ QueryExecution?: AthenaQueryExecution }>(
          new GetQueryExecutionCommand({ QueryExecutionId: queryId }),
          'GetQueryExecution',
          context,
          options.signal,
        );
        execution = out.QueryExecution ?? {};
      } catch (error) {
        if (options.signal?.aborted) throw await this.cancelled(queryId, error);
        throw error;
      }
      const state = execution.Status?.State;
      if (state === 'SUCCEEDED') return { ...execution, QueryExecutionId: execution.QueryExecutionId ?? queryId };
      if (state === 'FAILED') {
        const status = execution.Status;
        const reason = status?.StateChangeReason ?? status?.AthenaError?.ErrorMessage ?? 'no reason given';
        throw new LoadersError('QueryFailed', `Athena query ${queryId} FAILED: ${reason}`, { context, isRetryable: status?.AthenaError?.Retryable === true });
      }
      if (state === 'CANCELLED') {
        const reason = execution.Status?.StateChangeReason;
        throw new LoadersError('QueryCancelled', `Athena query ${queryId} was CANCELLED${reason ? `: ${reason}` : ''}`, { context });
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        const stopped = await this.stopQuietly(queryId);
        throw new LoadersError(
          'Timeout',
          `Athena query ${queryId} did not finish within ${timeoutMs} ms (last state ${state ?? 'unknown'}); ${stopped ? 'it was stopped' : 'stopping it failed, stop it by hand'}`,
          { context, isRetryable: true },
        );
      }
      try {
        await sleep(Math.min(delay, remaining), options.signal);
      } catch (error) {
        throw await this.cancelled(queryId, error);
      }
      delay = Math.min(delay * 2, maxDelay);
    }
  }

  /**
   * Stops a running query (`StopQueryExecution`).
   *
   * @example
   * ```ts
   * await athena.stop(id);
   * ```
   */
  async stop(queryId: string): Promise<void> {
    await this.send(new StopQueryExecutionCommand({ QueryExecutionId: queryId }), 'StopQueryExecution', { queryId });
  }

  /**
   * One `GetQueryResults` page (at most 1000 rows); used by {@link AthenaQueryResult.rows}.
   *
   * @example
   * ```ts
   * const page = await athena.resultsPage(id, undefined);
   * ```
   */
  async resultsPage(queryId: string, nextToken: string | undefined, signal?: AbortSignal): Promise<ResultsPage> {
    const input: { QueryExecutionId: string; MaxResults: number; NextToken?: string } = { QueryExecutionId: queryId, MaxResults: ATHENA_PAGE_SIZE };
    if (nextToken !== undefined) input.NextToken = nextToken;
    return this.send<ResultsPage>(new GetQueryResultsCommand(input), 'GetQueryResults', { queryId }, signal);
  }

  private async cancelled(queryId: string, cause: unknown): Promise<LoadersError> {
    const stopped = await this.stopQuietly(queryId);
    return new LoadersError('Cancelled', `Athena query ${queryId} was cancelled by the caller; ${stopped ? 'it was stopped' : 'stopping it failed, stop it by hand'}`, {
      context: { queryId },
      cause,
    });
  }

  private async stopQuietly(queryId: string): Promise<boolean> {
    try {
      await sendAws(this.client, new StopQueryExecutionCommand({ QueryExecutionId: queryId }), {
        ...this.policy(),
        attempts: 3,
        what: 'Athena StopQueryExecution',
        context: { queryId },
      });
      return true;
    } catch (error) {
      return isLoadersError(error, 'NotFound');
    }
  }

  private policy(): AwsCallPolicy {
    const p: AwsCallPolicy = {};
    if (this.options.timeoutMs !== undefined) p.timeoutMs = this.options.timeoutMs;
    if (this.options.attempts !== undefined) p.attempts = this.options.attempts;
    if (this.options.baseDelayMs !== undefined) p.baseDelayMs = this.options.baseDelayMs;
    if (this.options.maxDelayMs !== undefined) p.maxDelayMs = this.options.maxDelayMs;
    return p;
  }

  private send<T>(command: object, op: string, context: Record<string, string>, signal?: AbortSignal): Promise<T> {
    const s = signal ?? this.options.signal;
    return sendAws<T>(this.client, command, { ...this.policy(), ...(s ? { signal: s } : {}), what: `Athena ${op}`, context: { ...context, operation: op } });
  }
}

