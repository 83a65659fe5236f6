/**
 * The one error base of `@lakeblocks/loaders`.
 *
 * Every error the package throws is a {@link LoadersError}: `_tag` says what kind it is (switch on
 * it, never on the message), `isRetryable` whether the same call may succeed later, `cause` keeps
 * the driver's original error (sanitised: no SQL values, no credentials), and `context` names the
 * table, database, query id or partition concerned — the message repeats them, so one log line is
 * enough to act on.
 *
 * @example
 * ```ts
 * import { LoadersError } from '@lakeblocks/loaders';
 * try {
 *   await loader.load(batches);
 * } catch (err) {
 *   if (err instanceof LoadersError && err._tag === 'AccessDenied') console.error(err.message);
 *   else throw err;
 * }
 * ```
 *
 * @module
 */

/**
 * The kinds of {@link LoadersError}.
 *
 * - `InvalidArgument`: the caller passed something unusable (a bad identifier, an empty batch list).
 * - `Timeout`: a network call did not finish in time (retryable).
 * - `Throttled`: AWS throttled the call and the retries are spent (retryable).
 * - `Cancelled`: the caller's `AbortSignal` fired.
 * - `NotFound`: a Glue database, table or partition, or an Athena query, does not exist.
 * - `AlreadyExists`: the entity to create exists already.
 * - `AccessDenied`: credentials or permissions were refused (MySQL 1045/1044, AWS AccessDenied).
 * - `ServiceFailure`: an AWS call failed for another reason (see `isRetryable`).
 * - `PartialFailure`: some entries of a Glue batch call failed for good (listed in the message).
 * - `QueryFailed`: an Athena query ended FAILED (the message has Athena's reason).
 * - `QueryCancelled`: an Athena query ended CANCELLED, or was stopped on timeout / abort.
 * - `UnknownDatabase`: the MySQL database does not exist (1049).
 * - `PacketTooLarge`: a statement or row exceeds the server's `max_allowed_packet`.
 * - `ConnectionFailed`: the MySQL server could not be reached, or the connection was lost.
 * - `DatabaseFailure`: any other MySQL failure (see `isRetryable`).
 */
export type LoadersErrorTag =
  | 'InvalidArgument'
  | 'Timeout'
  | 'Throttled'
  | 'Cancelled'
  | 'NotFound'
  | 'AlreadyExists'
  | 'AccessDenied'
  | 'ServiceFailure'
  | 'PartialFailure'
  | 'QueryFailed'
  | 'QueryCancelled'
  | 'UnknownDatabase'
  | 'PacketTooLarge'
  | 'ConnectionFailed'
  | 'DatabaseFailure';

/**
 * What an error concerns; every field given is named in the message.
 *
 * @example
 * ```ts
 * const context: LoadersErrorContext = { table: 'orders', database: 'techstore', queryId: 'abc-123' };
 * ```
 */
export interface LoadersErrorContext {
  table?: string;
  database?: string;
  queryId?: string;
  partition?: string;
  operation?: string;
  [extra: string]: string | number | undefined;
}

/**
 * Options of {@link LoadersError}.
 *
 * @example
 * ```ts
 * const options: LoadersErrorOptions = { isRetryable: true, context: { table: 'orders' } };
 * ```
 */
export interface LoadersErrorOptions {
  cause?: unknown;
  isRetryable?: boolean;
  context?: LoadersErrorContext;
}

/**
 * An error of `@lakeblocks/loaders`; see the module documentation.
 *
 * @example
 * ```ts
 * throw new LoadersError('NotFound', 'Glue table techstore.orders does not exist', { context: { table: 'orders' } });
 * ```
 */
export class LoadersError extends Error {
  /** What kind of failure this is. */
  readonly _tag: LoadersErrorTag;
  /** Whether retrying the same operation may succeed (network blips, throttling, 5xx, deadlocks). */
  readonly isRetryable: boolean;
  /** What the failure concerns: table, database, query id, partition, operation … */
  readonly context: LoadersErrorContext;

  constructor(tag: LoadersErrorTag, message: string, options: LoadersErrorOptions = {}) {
    const context = options.context ?? {};
    super(withContext(message, context), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LoadersError';
    this._tag = tag;
    this.isRetryable = options.isRetryable ?? false;
    this.context = context;
  }
}

function withContext(message: string, context: LoadersErrorContext): string {
  const parts = Object.entries(context)
    .filter(([k, v]) => v !== undefined && v !== '' && !message.includes(String(v)) && k !== '')
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return parts.length === 0 ? message : `${message} (${parts.join(', ')})`;
}

/**
 * Whether `error` is a {@link LoadersError}, optionally of one of `tags`.
 *
 * @example
 * ```ts
 * if (isLoadersError(err, 'Throttled', 'Timeout')) scheduleLater();
 * ```
 */
export function isLoadersError(error: unknown, ...tags: LoadersErrorTag[]): error is LoadersError {
  return error instanceof LoadersError && (tags.length === 0 || tags.includes(error._tag));
}
