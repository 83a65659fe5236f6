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

const THROTTLING = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'BandwidthLimitExceeded',
  'ProvisionedThroughputExceededException',
  'EC2ThrottledException',
]);

const TRANSIENT = new Set([
  'InternalError',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout', // S3's 400 "socket not read from or written to within the timeout period"
  'RequestTimeoutException',
  'PriorRequestNotComplete',
  'OperationAborted',
  'ConditionalRequestConflict', // 409: a concurrent conditional write; S3 asks to retry
]);

const NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

const DENIED = new Set([
  'AccessDenied',
  'AllAccessDisabled',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'AccountProblem',
  'CredentialsProviderError',
]);

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
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    Code?: unknown;
    code?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: unknown };
    $retryable?: unknown;
    cause?: unknown;
  };
  const name = typeof e.Code === 'string' ? e.Code : typeof e.name === 'string' ? e.name : 'Error';
  const code = typeof e.code === 'string' ? e.code : undefined;
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const detail = typeof e.message === 'string' && e.message !== '' ? e.message : String(error);
  const what = `S3 ${context.op ?? 'request'} failed: ${name}${code && code !== name ? `/${code}` : ''}${status ? ` (HTTP ${status})` : ''}: ${detail}`;
  const ctx = { key: context.key, uri: context.uri, op: context.op };
  const make = (tag: 'NotFound' | 'PreconditionFailed' | 'StorageFailure' | 'Timeout', isRetryable: boolean) =>
    new CoreError(tag, what, { cause: error, isRetryable, context: ctx });

  if (name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return make('Timeout', true);
  if (name === 'NoSuchBucket') return make('StorageFailure', false);
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
    return name === 'NoSuchUpload' ? make('StorageFailure', false) : make('NotFound', false);
  }
  if (name === 'PreconditionFailed' || status === 412) return make('PreconditionFailed', false);
  if (DENIED.has(name) || status === 403 || status === 401) return make('StorageFailure', false);
  if (THROTTLING.has(name) || TRANSIENT.has(name) || status === 429) return make('StorageFailure', true);
  if (status !== undefined && status >= 500) return make('StorageFailure', true);
  if ((code !== undefined && NETWORK.has(code)) || NETWORK.has(name) || /socket hang up/i.test(detail)) {
    return make('StorageFailure', true);
  }
  const sdkRetryable = typeof e.$retryable === 'object' && e.$retryable !== null;
  return make('StorageFailure', sdkRetryable);
}
