import { describeAwsError } from '../aws/aws-error-facts.js';
import { CoreError } from '../errors/core-error.js';

/**
 * What an S3 call concerned, named in the resulting error.
 *
 * @example
 * ```ts
 * const context: S3ErrorContext = { op: 'PutObject', key: 'a.txt', uri: 's3://lake/prefix/a.txt' };
 * ```
 */
export interface S3ErrorContext {
  /** The S3 operation (`PutObject`, `ListObjectsV2` …). */
  op?: string;
  /** Storage key relative to the storage root. */
  key?: string;
  /** Full location, `s3://bucket/prefix/key`. */
  uri?: string;
}

/**
 * The one place that turns whatever an S3 call threw (an SDK `S3ServiceException`, a Node socket
 * error, a smithy `TimeoutError`) into a {@link CoreError}, deciding its tag and whether a retry can
 * help:
 *
 * | what S3 said | tag | retryable |
 * |---|---|---|
 * | `NoSuchKey`, `NotFound`, other 404 | `NotFound` | no |
 * | 412, `PreconditionFailed` | `PreconditionFailed` | no |
 * | 403, `AccessDenied`, bad or expired credentials | `StorageFailure` | no |
 * | `NoSuchBucket`, other 4xx | `StorageFailure` | no |
 * | 500, 502, 503, 504, `SlowDown` and other throttling, 429, `RequestTimeout`, 409 `ConditionalRequestConflict` | `StorageFailure` | yes |
 * | `ECONNRESET`, `EPIPE`, `ECONNREFUSED`, DNS failures … | `StorageFailure` | yes |
 * | smithy `TimeoutError`, `ETIMEDOUT` | `Timeout` | yes |
 *
 * A {@link CoreError} (say a `Timeout` from `withTimeout`) is returned unchanged.
 *
 * @example
 * ```ts
 * try {
 *   await client.send(new GetObjectCommand({ Bucket, Key }));
 * } catch (err) {
 *   throw classifyS3Error(err, { op: 'GetObject', key: 'raw/orders/b1/orders.csv' });
 * }
 * ```
 */
export function classifyS3Error(error: unknown, context: S3ErrorContext = {}): CoreError {
  if (error instanceof CoreError) return error;
  const facts = describeAwsError(error);
  const name = facts.code ?? 'Error';
  const code = facts.systemCode;
  const what = `S3 ${context.op ?? 'request'} failed: ${name}${code ? `/${code}` : ''}${facts.status ? ` (HTTP ${facts.status})` : ''}: ${facts.message}`;
  const ctx = { key: context.key, uri: context.uri, op: context.op };
  const make = (tag: 'NotFound' | 'PreconditionFailed' | 'StorageFailure' | 'Timeout', isRetryable: boolean) =>
    new CoreError(tag, what, { cause: error, isRetryable, context: ctx });

  // S3's own codes first: a missing bucket or multipart upload is a failure, not a missing object.
  if (name === 'NoSuchBucket' || name === 'NoSuchUpload') return make('StorageFailure', false);
  switch (facts.kind) {
    case 'timeout':
      return make('Timeout', true);
    case 'not-found':
      return make('NotFound', false);
    case 'precondition':
      return make('PreconditionFailed', false);
    default:
      return make('StorageFailure', facts.retryable);
  }
}
