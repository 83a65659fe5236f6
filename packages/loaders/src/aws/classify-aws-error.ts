/**
 * The one place that maps whatever an AWS SDK v3 call threw (a service exception, a smithy
 * timeout, a socket error, core's `Timeout`, an abort) to a {@link LoadersError}.
 *
 * | what happened | tag | retryable |
 * |---|---|---|
 * | `ThrottlingException`, `TooManyRequestsException`, `RequestLimitExceeded` … | `Throttled` | yes |
 * | `InternalServiceException`, `InternalServerException`, `OperationTimeoutException`, HTTP 5xx, socket errors | `ServiceFailure` | yes |
 * | our timeout (`withTimeout`) | `Timeout` | yes |
 * | the caller's abort | `Cancelled` | no |
 * | `EntityNotFoundException`, `ResourceNotFoundException` | `NotFound` | no |
 * | `AlreadyExistsException` | `AlreadyExists` | no |
 * | `AccessDeniedException`, expired / invalid credentials | `AccessDenied` | no |
 * | anything else (`InvalidInputException`, `InvalidRequestException` …) | `ServiceFailure` | no |
 *
 * @example
 * ```ts
 * try {
 *   await client.send(command);
 * } catch (err) {
 *   throw classifyAwsError(err, 'Glue GetTable', { table: 'orders' });
 * }
 * ```
 *
 * @module
 */
import { CoreError } from '@lakeblocks/core';
import { LoadersError, type LoadersErrorContext } from '../errors/loaders-error.js';

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
]);

const TRANSIENT = new Set([
  'InternalServiceException',
  'InternalServerException',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'OperationTimeoutException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ConcurrentModificationException',
]);

const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_SOCKET']);

const DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidClientTokenId',
  'CredentialsProviderError',
]);

const NOT_FOUND = new Set(['EntityNotFoundException', 'ResourceNotFoundException', 'NoSuchEntity']);

/** The fields of an AWS SDK error we read. */
interface AwsErrorFields {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/**
 * The error code of an AWS SDK v3 error (`name`, else Node's `code`), or `undefined`.
 *
 * @example
 * ```ts
 * awsErrorCode(new ThrottlingException({ message: 'slow down', $metadata: {} })); // 'ThrottlingException'
 * ```
 */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as AwsErrorFields;
  if (typeof e.code === 'string' && NETWORK.has(e.code)) return e.code;
  return typeof e.name === 'string' && e.name !== 'Error' ? e.name : typeof e.code === 'string' ? e.code : undefined;
}

/**
 * Whether an AWS error code names throttling (`ThrottlingException`, `TooManyRequestsException` …).
 *
 * @example
 * ```ts
 * isThrottlingCode('ThrottlingException'); // true
 * ```
 */
export function isThrottlingCode(code: string | undefined): boolean {
  return code !== undefined && THROTTLING.has(code);
}

/**
 * Whether an AWS error code names a transient server-side failure worth retrying
 * (`InternalServiceException`, `OperationTimeoutException` …).
 *
 * @example
 * ```ts
 * isTransientCode('InternalServiceException'); // true
 * ```
 */
export function isTransientCode(code: string | undefined): boolean {
  return code !== undefined && (TRANSIENT.has(code) || NETWORK.has(code));
}

/**
 * Maps an AWS SDK error to a {@link LoadersError} named after `what` (`'Glue GetTable'`); see the
 * module table. A `LoadersError` passes through unchanged.
 *
 * @example
 * ```ts
 * const error = classifyAwsError(err, 'Athena StartQueryExecution', { queryId });
 * if (error.isRetryable) { … }
 * ```
 */
export function classifyAwsError(error: unknown, what: string, context: LoadersErrorContext = {}): LoadersError {
  if (error instanceof LoadersError) return error;
  if (error instanceof CoreError) {
    if (error._tag === 'Timeout') return new LoadersError('Timeout', `${what}: ${error.message}`, { isRetryable: true, cause: error, context });
    if (error._tag === 'Cancelled') return new LoadersError('Cancelled', `${what} was cancelled`, { cause: error, context });
  }
  const e = (typeof error === 'object' && error !== null ? error : {}) as AwsErrorFields;
  const code = awsErrorCode(error);
  const text = typeof e.message === 'string' && e.message !== '' ? e.message : String(error);
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const suffix = [code, status === undefined ? undefined : `HTTP ${status}`].filter((x) => x !== undefined).join(', ');
  const detail = `${text}${suffix === '' ? '' : ` [${suffix}]`}`;
  if (code === 'AbortError') return new LoadersError('Cancelled', `${what} was cancelled: ${detail}`, { cause: error, context });
  if (isThrottlingCode(code) || status === 429) {
    return new LoadersError('Throttled', `${what} was throttled by AWS: ${detail}`, { isRetryable: true, cause: error, context });
  }
  if (isTransientCode(code) || (status !== undefined && status >= 500) || e.$fault === 'server') {
    return new LoadersError('ServiceFailure', `${what} failed with a transient AWS error: ${detail}`, { isRetryable: true, cause: error, context });
  }
  if (code !== undefined && NOT_FOUND.has(code)) return new LoadersError('NotFound', `${what}: ${detail}`, { cause: error, context });
  if (code === 'AlreadyExistsException') return new LoadersError('AlreadyExists', `${what}: ${detail}`, { cause: error, context });
  if (code !== undefined && DENIED.has(code)) {
    return new LoadersError('AccessDenied', `${what} was refused: ${detail}; check the credentials and the IAM policy`, { cause: error, context });
  }
  return new LoadersError('ServiceFailure', `${what} failed: ${detail}`, { cause: error, context });
}
