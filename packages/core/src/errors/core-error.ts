/**
 * The one error base of `@lakeblocks/core`.
 *
 * Every error the package throws is a {@link CoreError}: `_tag` says what kind it is (switch on it,
 * never on the message), `isRetryable` says whether trying the same call again can succeed, `cause`
 * keeps the driver's original error, and `context` names the table, file, partition or step
 * concerned (those names are also in the message, so a log line alone is actionable).
 *
 * @example
 * ```ts
 * import { CoreError } from '@lakeblocks/core';
 * try {
 *   await storage.get('raw/orders/batch-1/orders.csv');
 * } catch (err) {
 *   if (err instanceof CoreError && err._tag === 'NotFound') console.error(err.message);
 *   else throw err;
 * }
 * ```
 */
export class CoreError extends Error {
  /** What kind of failure this is. */
  readonly _tag: CoreErrorTag;
  /** Whether retrying the same operation may succeed (network blips, throttling, 5xx). */
  readonly isRetryable: boolean;
  /** What the failure concerns: table, file, partition, step, key … */
  readonly context: ErrorContext;

  constructor(tag: CoreErrorTag, message: string, options: CoreErrorOptions = {}) {
    const context = options.context ?? {};
    super(withContext(message, context), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CoreError';
    this._tag = tag;
    this.isRetryable = options.isRetryable ?? false;
    this.context = context;
  }
}

/**
 * The kinds of {@link CoreError}.
 *
 * - `InvalidArgument`: the caller passed something unusable (bad path, bad partition value).
 * - `SchemaInvalid`: a table definition is inconsistent, or a row does not match it.
 * - `NotFound`: an object, file or bookmark does not exist.
 * - `StorageFailure`: local disk or S3 failed (see `isRetryable`).
 * - `Timeout`: a network call or step did not finish in time.
 * - `LeaseHeld`: another run of the same job holds the bookmark lease.
 * - `LeaseLost`: this run's lease expired or was taken over before commit.
 * - `BookmarkCorrupt`: a stored bookmark cannot be read or has an unknown version.
 * - `StepFailed`: a pipeline step failed after its retries.
 * - `DeadlineExceeded`: the pipeline's overall deadline passed.
 * - `DatabaseFailure`: a database call failed (see `isRetryable`).
 * - `PreconditionFailed`: a conditional write lost (the object exists, or changed since it was read).
 * - `Cancelled`: the caller cancelled the operation (an `AbortSignal` fired).
 */
export type CoreErrorTag =
  | 'InvalidArgument'
  | 'SchemaInvalid'
  | 'NotFound'
  | 'StorageFailure'
  | 'Timeout'
  | 'LeaseHeld'
  | 'LeaseLost'
  | 'BookmarkCorrupt'
  | 'StepFailed'
  | 'DeadlineExceeded'
  | 'DatabaseFailure'
  | 'PreconditionFailed'
  | 'Cancelled';

/** What an error concerns; every field given is named in the message. */
export interface ErrorContext {
  table?: string;
  file?: string;
  partition?: string;
  step?: string;
  job?: string;
  key?: string;
  [extra: string]: string | number | undefined;
}

/** Options of {@link CoreError}. */
export interface CoreErrorOptions {
  cause?: unknown;
  isRetryable?: boolean;
  context?: ErrorContext;
}

function withContext(message: string, context: ErrorContext): string {
  const parts = Object.entries(context)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return parts.length === 0 ? message : `${message} (${parts.join(', ')})`;
}

/**
 * Whether an error may succeed when retried: a {@link CoreError} or any error carrying a boolean
 * `isRetryable` answers for itself; anything else is treated as permanent.
 *
 * @example
 * ```ts
 * if (isRetryable(err)) await sleep(backoff);
 * ```
 */
export function isRetryable(error: unknown): boolean {
  if (typeof error === 'object' && error !== null && 'isRetryable' in error) {
    return (error as { isRetryable: unknown }).isRetryable === true;
  }
  return false;
}
