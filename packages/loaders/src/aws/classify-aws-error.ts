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
 * The kinds come from core's `describeAwsError`, shared with S3 storage and the transform's Athena runner.
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
import { CoreError, describeAwsError } from '@lakeblocks/core';
import { LoadersError, type LoadersErrorContext } from '../errors/loaders-error.js';

/**
 * The error code of an AWS SDK v3 error (`name`, else Node's `code`; a socket error's code wins
 * over a generic name), or `undefined`.
 *
 * @example
 * ```ts
 * awsErrorCode(new ThrottlingException({ message: 'slow down', $metadata: {} })); // 'ThrottlingException'
 * ```
 */
export function awsErrorCode(error: unknown): string | undefined {
  const facts = describeAwsError(error);
  return facts.kind === 'network' && facts.systemCode !== undefined ? facts.systemCode : facts.code;
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
  return code !== undefined && describeAwsError({ name: code }).kind === 'throttled';
}

/**
 * Whether an AWS error code names a transient failure worth retrying (`InternalServiceException`,
 * `OperationTimeoutException`, `ConcurrentModificationException`, a socket error …).
 *
 * @example
 * ```ts
 * isTransientCode('InternalServiceException'); // true
 * ```
 */
export function isTransientCode(code: string | undefined): boolean {
  if (code === undefined) return false;
  const kind = describeAwsError({ name: code }).kind;
  return kind === 'transient' || kind === 'network' || kind === 'timeout';
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
  const facts = describeAwsError(error);
  const code = awsErrorCode(error);
  const suffix = [code, facts.status === undefined ? undefined : `HTTP ${facts.status}`].filter((x) => x !== undefined).join(', ');
  const detail = `${facts.message}${suffix === '' ? '' : ` [${suffix}]`}`;
  const options = { cause: error, context };
  switch (facts.kind) {
    case 'cancelled':
      return new LoadersError('Cancelled', `${what} was cancelled: ${detail}`, options);
    case 'throttled':
      return new LoadersError('Throttled', `${what} was throttled by AWS: ${detail}`, { ...options, isRetryable: true });
    case 'transient':
    case 'network':
    case 'timeout':
      return new LoadersError('ServiceFailure', `${what} failed with a transient AWS error: ${detail}`, { ...options, isRetryable: true });
    case 'not-found':
      return new LoadersError('NotFound', `${what}: ${detail}`, options);
    case 'already-exists':
      return new LoadersError('AlreadyExists', `${what}: ${detail}`, options);
    case 'denied':
      return new LoadersError('AccessDenied', `${what} was refused: ${detail}; check the credentials and the IAM policy`, options);
    default:
      return new LoadersError('ServiceFailure', `${what} failed: ${detail}`, options);
  }
}
