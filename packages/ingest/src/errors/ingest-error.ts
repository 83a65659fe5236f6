/**
 * The one error base of `@lakeblocks/ingest`.
 *
 * Every error the package throws is an {@link IngestError}: `_tag` says what kind it is (switch on
 * it, never on the message), `isRetryable` whether trying again can succeed, `cause` keeps the
 * original error, and `context` names the table, file, line and column concerned (repeated in the
 * message, so one log line is actionable). Errors from `@lakeblocks/core` (`CoreError`) pass through
 * unchanged.
 *
 * @example
 * ```ts
 * import { IngestError } from '@lakeblocks/ingest';
 * try {
 *   await uploadFile(storage, { path: './orders.csv', batch: '2025-12', tables });
 * } catch (err) {
 *   if (err instanceof IngestError && err._tag === 'UploadRefused') console.error(err.message);
 *   else throw err;
 * }
 * ```
 */
export class IngestError extends Error {
  /** What kind of failure this is. */
  readonly _tag: IngestErrorTag;
  /** Whether retrying the same operation may succeed. */
  readonly isRetryable: boolean;
  /** What the failure concerns: file, table, line, column, reason … */
  readonly context: IngestErrorContext;

  constructor(tag: IngestErrorTag, message: string, options: IngestErrorOptions = {}) {
    const context = options.context ?? {};
    super(withContext(message, context), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IngestError';
    this._tag = tag;
    this.isRetryable = options.isRetryable ?? false;
    this.context = context;
  }
}

/**
 * The kinds of {@link IngestError}.
 *
 * - `UploadRefused`: a file failed upload validation (extension, size, name, header, encoding, empty);
 *   `context.reason` holds a short machine-readable reason code ({@link UploadRefusalReason}).
 * - `CsvMalformed`: a CSV file cannot be parsed at all (an unterminated quote, invalid UTF-8 …);
 *   nothing of it is written.
 * - `InvalidArgument`: the caller passed something unusable (bad options, bad cleaning rules).
 * - `WriteFailed`: encoding or publishing Parquet / rejects failed (see `isRetryable`).
 *
 * @example
 * ```ts
 * const tag: IngestErrorTag = 'CsvMalformed';
 * ```
 */
export type IngestErrorTag = 'UploadRefused' | 'CsvMalformed' | 'InvalidArgument' | 'WriteFailed';

/**
 * Why an upload was refused: the `context.reason` of an `UploadRefused` error.
 *
 * @example
 * ```ts
 * const reason: UploadRefusalReason = 'header-mismatch';
 * ```
 */
export type UploadRefusalReason =
  | 'unsafe-name'
  | 'extension'
  | 'unknown-table'
  | 'too-large'
  | 'empty'
  | 'encoding'
  | 'malformed-csv'
  | 'header-mismatch'
  | 'header-only'
  | 'not-a-file';

/**
 * What an {@link IngestError} concerns; every field given is named in the message.
 *
 * @example
 * ```ts
 * const context: IngestErrorContext = { file: 'orders.csv', line: 12, column: 'order_time' };
 * ```
 */
export interface IngestErrorContext {
  file?: string;
  table?: string;
  line?: number;
  column?: string | number;
  reason?: string;
  [extra: string]: string | number | undefined;
}

/**
 * Options of {@link IngestError}.
 *
 * @example
 * ```ts
 * new IngestError('WriteFailed', 'put failed', { cause: err, isRetryable: true });
 * ```
 */
export interface IngestErrorOptions {
  cause?: unknown;
  isRetryable?: boolean;
  context?: IngestErrorContext;
}

function withContext(message: string, context: IngestErrorContext): string {
  const parts = Object.entries(context)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return parts.length === 0 ? message : `${message} (${parts.join(', ')})`;
}
