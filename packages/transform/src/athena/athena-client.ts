/**
 * A minimal Athena query runner over the AWS SDK v3 client: start a query, poll its state with
 * backoff until it finishes, fail clearly (the state-change reason in the message), stop it on
 * timeout, and page through results. The full client will live in `@lakeblocks/loaders`.
 *
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type GetQueryExecutionCommandOutput,
  type GetQueryResultsCommandOutput,
  type StartQueryExecutionCommandOutput,
} from '@aws-sdk/client-athena';
import { CoreError, describeAwsError, retry, sleep, withTimeout } from '@lakeblocks/core';
import { TransformError } from '../errors/transform-error.js';

/**
 * The part of `AthenaClient` the runner uses: `send` of four commands. Pass an `AthenaClient`
 * (or anything structurally alike, such as a mock).
 *
 * @example
 * ```ts
 * import { AthenaClient } from '@aws-sdk/client-athena';
 * const client: AthenaClientLike = new AthenaClient({ region: 'us-east-1' });
 * ```
 */
export interface AthenaClientLike {
  send(command: StartQueryExecutionCommand, options?: { abortSignal?: AbortSignal }): Promise<StartQueryExecutionCommandOutput>;
  send(command: GetQueryExecutionCommand, options?: { abortSignal?: AbortSignal }): Promise<GetQueryExecutionCommandOutput>;
  send(command: GetQueryResultsCommand, options?: { abortSignal?: AbortSignal }): Promise<GetQueryResultsCommandOutput>;
  send(command: StopQueryExecutionCommand, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/**
 * Options of {@link AthenaQueryRunner}.
 *
 * @example
 * ```ts
 * const options: AthenaQueryRunnerOptions = { client, database: 'techstore', workGroup: 'primary', outputLocation: 's3://lake/athena-results/' };
 * ```
 */
export interface AthenaQueryRunnerOptions {
  client: AthenaClientLike;
  /** Default database (query execution context). */
  database: string;
  workGroup?: string;
  /** Where Athena writes query results (needed unless the work group enforces one). */
  outputLocation?: string;
  /** First poll delay in ms (default 500); doubles up to `maxPollDelayMs`. */
  initialPollDelayMs?: number;
  /** Cap on the poll delay in ms (default 5000). */
  maxPollDelayMs?: number;
  /** A query still running after this is stopped and reported as `Timeout` (default 30 minutes). */
  queryTimeoutMs?: number;
  /** Attempts for each API call on throttling / 5xx / timeout (default 5). */
  attempts?: number;
  /** Bound on one API call in ms (default 30,000): a call past it is aborted and retried. */
  callTimeoutMs?: number;
}

/**
 * Whether an AWS SDK error is worth retrying (throttling, 5xx, socket errors, timeouts, SDK-marked
 * retryable): core's `describeAwsError`, shared with S3 storage and the loaders' AWS clients.
 *
 * @example
 * ```ts
 * isRetryableAwsError(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' })); // true
 * ```
 */
export function isRetryableAwsError(error: unknown): boolean {
  return describeAwsError(error).retryable;
}

/**
 * Runs SQL on Athena and waits for it.
 *
 * @example
 * ```ts
 * const runner = new AthenaQueryRunner({ client: new AthenaClient({}), database: 'techstore', outputLocation: 's3://lake/results/' });
 * const id = await runner.run('SELECT 1');
 * for await (const rows of runner.rows(id)) console.log(rows);
 * ```
 */
export class AthenaQueryRunner {
  private readonly options: AthenaQueryRunnerOptions;

  /**
   * @example
   * ```ts
   * const runner = new AthenaQueryRunner({ client, database: 'techstore' });
   * ```
   */
  constructor(options: AthenaQueryRunnerOptions) {
    this.options = options;
  }

  /**
   * Starts `sql`, polls until it succeeds and returns its query execution id. Throws `QueryFailed`
   * (FAILED or CANCELLED, with Athena's reason; `isRetryable` as Athena says) or `Timeout` (after
   * stopping the query). `idempotencyKey` makes a retried start return the same execution.
   *
   * @example
   * ```ts
   * const id = await runner.run('DROP TABLE IF EXISTS `techstore`.`kpi_monthly`', { idempotencyKey: 'run-1/0' });
   * ```
   */
  async run(sql: string, options: { idempotencyKey?: string; database?: string } = {}): Promise<string> {
    const o = this.options;
    // Always a token: without one, a start retried after a lost response could run the statement twice.
    const token = options.idempotencyKey === undefined ? randomUUID() : createHash('sha256').update(options.idempotencyKey).update('\u0000').update(sql).digest('hex');
    const started = await this.call('StartQueryExecution', (abortSignal) =>
      o.client.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          QueryExecutionContext: { Database: options.database ?? o.database },
          ...(o.workGroup === undefined ? {} : { WorkGroup: o.workGroup }),
          ...(o.outputLocation === undefined ? {} : { ResultConfiguration: { OutputLocation: o.outputLocation } }),
          ClientRequestToken: token,
        }),
        { abortSignal },
      ),
    );
    const id = started.QueryExecutionId;
    if (id === undefined) throw new TransformError('QueryFailed', 'Athena returned no QueryExecutionId', { context: { sql: preview(sql) } });

    const deadline = Date.now() + (o.queryTimeoutMs ?? 30 * 60_000);
    let delay = o.initialPollDelayMs ?? 500;
    for (;;) {
      await sleep(delay);
      const execution = await this.call('GetQueryExecution', (abortSignal) => o.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }), { abortSignal }));
      const status = execution.QueryExecution?.Status;
      const state = status?.State;
      if (state === 'SUCCEEDED') return id;
      if (state === 'FAILED' || state === 'CANCELLED') {
        const reason = status?.StateChangeReason ?? status?.AthenaError?.ErrorMessage ?? 'no reason given';
        throw new TransformError('QueryFailed', `Athena query ${state}: ${reason}`, {
          isRetryable: status?.AthenaError?.Retryable === true,
          context: { queryExecutionId: id, sql: preview(sql) },
        });
      }
      if (Date.now() >= deadline) {
        await this.call('StopQueryExecution', (abortSignal) => o.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }), { abortSignal })).catch(() => undefined);
        throw new TransformError('Timeout', `Athena query still ${state ?? 'pending'} after ${o.queryTimeoutMs ?? 30 * 60_000} ms; stopped it`, {
          isRetryable: true,
          context: { queryExecutionId: id, sql: preview(sql) },
        });
      }
      delay = Math.min(o.maxPollDelayMs ?? 5000, delay * 2);
    }
  }

  /**
   * Pages through a finished query's results (pages of up to 1,000 rows), yielding rows of
   * strings (`null` for SQL NULL) without the header row.
   *
   * @example
   * ```ts
   * for await (const rows of runner.rows(id)) for (const [year, month] of rows) console.log(year, month);
   * ```
   */
  async *rows(queryExecutionId: string): AsyncGenerator<(string | null)[][], void, undefined> {
    let nextToken: string | undefined;
    let first = true;
    do {
      const token = nextToken;
      const page = await this.call('GetQueryResults', (abortSignal) =>
        this.options.client.send(new GetQueryResultsCommand({ QueryExecutionId: queryExecutionId, MaxResults: 1000, ...(token === undefined ? {} : { NextToken: token }) }), { abortSignal }),
      );
      let rows = (page.ResultSet?.Rows ?? []).map((r) => (r.Data ?? []).map((d) => d.VarCharValue ?? null));
      if (first) rows = rows.slice(1); // the header row
      first = false;
      if (rows.length > 0) yield rows;
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
  }

  private async call<T>(what: string, fn: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    return retry(
      async () => {
        try {
          return await withTimeout(this.options.callTimeoutMs ?? 30_000, `Athena ${what}`, fn);
        } catch (error) {
          const timedOut = error instanceof CoreError && error._tag === 'Timeout';
          throw new TransformError('QueryFailed', `Athena ${what} failed: ${(error as Error).message}`, { cause: error, isRetryable: timedOut || isRetryableAwsError(error) });
        }
      },
      { attempts: this.options.attempts ?? 5, baseDelayMs: 200 },
    );
  }
}

function preview(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}
