/**
 * One bounded, retried AWS call: every `send` gets an `abortSignal` that fires after `timeoutMs`,
 * and throttling / transient failures are retried with exponential backoff and full jitter
 * (DESIGN decision 8: nothing hangs, every AWS limit is handled here, not by the caller).
 *
 * @example
 * ```ts
 * const out = await sendAws(client, new GetTableCommand(input), { what: 'Glue GetTable', timeoutMs: 30_000 });
 * ```
 *
 * @module
 */
import { retry, withTimeout } from '@lakeblocks/core';
import { LoadersError, type LoadersErrorContext } from '../errors/loaders-error.js';
import { classifyAwsError } from './classify-aws-error.js';

/**
 * The part of an AWS SDK v3 client that lakeblocks uses: `send(command, { abortSignal })`.
 * `GlueClient` and `AthenaClient` fit; the SDK stays an optional peer dependency.
 *
 * @example
 * ```ts
 * import { GlueClient } from '@aws-sdk/client-glue';
 * const client: AwsSendClient = new GlueClient({ region: 'eu-west-1', maxAttempts: 1 });
 * ```
 */
export interface AwsSendClient {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  send(command: any, options?: { abortSignal?: AbortSignal }): Promise<any>;
}

/**
 * How AWS calls are bounded and retried.
 *
 * @example
 * ```ts
 * const policy: AwsCallPolicy = { timeoutMs: 20_000, attempts: 6, baseDelayMs: 200, maxDelayMs: 10_000 };
 * ```
 */
export interface AwsCallPolicy {
  /** Bound on one call, in ms (default 30,000). */
  timeoutMs?: number;
  /** Attempts per call, the first included (default 6). */
  attempts?: number;
  /** First retry delay in ms, doubled each time with full jitter (default 200). */
  baseDelayMs?: number;
  /** Cap on one retry delay in ms (default 10,000). */
  maxDelayMs?: number;
  /** Cancels the call and any wait between attempts. */
  signal?: AbortSignal;
}

/**
 * Options of {@link sendAws}.
 *
 * @example
 * ```ts
 * const options: SendAwsOptions = { what: 'Glue GetTable', context: { table: 'orders' }, timeoutMs: 10_000 };
 * ```
 */
export interface SendAwsOptions extends AwsCallPolicy {
  /** Names the call in errors: `'Glue GetTable'`. */
  what: string;
  context?: LoadersErrorContext;
}

/**
 * Sends `command` with a timeout per attempt and jittered retries of retryable failures; throws a
 * {@link LoadersError} (see `classifyAwsError`) once the attempts are spent.
 *
 * @example
 * ```ts
 * const { Table } = await sendAws(glue, new GetTableCommand({ DatabaseName: 'db', Name: 'orders' }), { what: 'Glue GetTable' });
 * ```
 */
export async function sendAws<T = unknown>(client: AwsSendClient, command: object, options: SendAwsOptions): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return retry(
    async () => {
      if (options.signal?.aborted) throw cancelled(options);
      try {
        return (await withTimeout(timeoutMs, options.what, (abortSignal) => client.send(command, { abortSignal }), options.signal)) as T;
      } catch (error) {
        if (options.signal?.aborted) throw cancelled(options, error);
        throw classifyAwsError(error, options.what, options.context);
      }
    },
    {
      attempts: options.attempts ?? 6,
      baseDelayMs: options.baseDelayMs ?? 200,
      maxDelayMs: options.maxDelayMs ?? 10_000,
      ...(options.signal ? { signal: options.signal } : {}),
    },
  ).catch((error: unknown) => {
    if (options.signal?.aborted && !(error instanceof LoadersError)) throw cancelled(options, error);
    throw error;
  });
}

function cancelled(options: SendAwsOptions, cause?: unknown): LoadersError {
  return new LoadersError('Cancelled', `${options.what} was cancelled`, { cause: cause ?? options.signal?.reason, context: options.context ?? {} });
}
