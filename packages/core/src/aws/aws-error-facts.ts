/**
 * What an AWS SDK v3 call threw, reduced to the facts every package needs to decide on a retry: the
 * error code, the HTTP status, and one {@link AwsErrorKind}. SDK-free (it reads the fields the SDK
 * puts on its errors), so S3 storage, the Glue and Athena clients and the transform engines share
 * one classification and only map the kind to their own error class.
 *
 * @module
 */

/**
 * The kind of an AWS failure.
 *
 * | kind | examples | retryable |
 * |---|---|---|
 * | `cancelled` | `AbortError` (the caller's signal) | no |
 * | `timeout` | smithy `TimeoutError`, `ETIMEDOUT`, `UND_ERR_CONNECT_TIMEOUT` | yes |
 * | `throttled` | `ThrottlingException`, `SlowDown`, `TooManyRequestsException`, HTTP 429 | yes |
 * | `transient` | `InternalServerException`, `ServiceUnavailable`, `RequestTimeout`, HTTP 5xx, `$fault: 'server'` | yes |
 * | `network` | `ECONNRESET`, `EPIPE`, `ECONNREFUSED`, DNS failures, "socket hang up" | yes |
 * | `not-found` | `NoSuchKey`, `EntityNotFoundException`, `ResourceNotFoundException`, HTTP 404 | no |
 * | `precondition` | `PreconditionFailed`, HTTP 412 | no |
 * | `already-exists` | `AlreadyExistsException` | no |
 * | `denied` | `AccessDenied`, expired or invalid credentials, HTTP 401 / 403 | no |
 * | `other` | anything else (`InvalidInputException` …) | only when the SDK marked it `$retryable` |
 *
 * @example
 * ```ts
 * const kind: AwsErrorKind = 'throttled';
 * ```
 */
export type AwsErrorKind = 'cancelled' | 'timeout' | 'throttled' | 'transient' | 'network' | 'not-found' | 'precondition' | 'already-exists' | 'denied' | 'other';

/**
 * The facts of one AWS error; see {@link describeAwsError}.
 *
 * @example
 * ```ts
 * const facts: AwsErrorFacts = { kind: 'throttled', code: 'SlowDown', status: 503, message: 'Please reduce your request rate.', retryable: true };
 * ```
 */
export interface AwsErrorFacts {
  readonly kind: AwsErrorKind;
  /** The service's error code (`name`, or S3's `Code`), else Node's `code` (`ECONNRESET`); absent for a bare `Error`. */
  readonly code?: string;
  /** Node's socket error code when it differs from `code` (`ECONNRESET` under a `name` of `Error`). */
  readonly systemCode?: string;
  /** The HTTP status of the response, when there was one. */
  readonly status?: number;
  /** The error's message (or its string form). */
  readonly message: string;
  /** Whether a retry can help: the kinds `timeout`, `throttled`, `transient`, `network`, or an SDK-marked retryable error. */
  readonly retryable: boolean;
}

const CODES: ReadonlyMap<string, AwsErrorKind> = new Map<string, AwsErrorKind>([
  ...['AbortError'].map((c) => [c, 'cancelled'] as const),
  ...['TimeoutError', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT'].map((c) => [c, 'timeout'] as const),
  ...[
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
  ].map((c) => [c, 'throttled'] as const),
  ...[
    'InternalError',
    'InternalFailure',
    'InternalServerError',
    'InternalServerException',
    'InternalServiceException',
    'ServiceUnavailable',
    'ServiceUnavailableException',
    'OperationTimeoutException',
    'RequestTimeout', // S3's 400 "socket not read from or written to within the timeout period"
    'RequestTimeoutException',
    'PriorRequestNotComplete',
    'OperationAborted',
    'ConditionalRequestConflict', // S3's 409 for a concurrent conditional write: S3 asks to retry
    'ConcurrentModificationException', // Glue
  ].map((c) => [c, 'transient'] as const),
  ...[
    'ECONNRESET',
    'ECONNREFUSED',
    'ECONNABORTED',
    'EPIPE',
    'EAI_AGAIN',
    'ENOTFOUND',
    'ENETUNREACH',
    'ENETDOWN',
    'EHOSTUNREACH',
    'UND_ERR_SOCKET',
    'ERR_STREAM_PREMATURE_CLOSE',
  ].map((c) => [c, 'network'] as const),
  ...['NoSuchKey', 'NotFound', 'EntityNotFoundException', 'ResourceNotFoundException', 'NoSuchEntity'].map((c) => [c, 'not-found'] as const),
  ...['PreconditionFailed'].map((c) => [c, 'precondition'] as const),
  ...['AlreadyExistsException'].map((c) => [c, 'already-exists'] as const),
  ...[
    'AccessDenied',
    'AccessDeniedException',
    'AllAccessDisabled',
    'InvalidAccessKeyId',
    'SignatureDoesNotMatch',
    'InvalidSignatureException',
    'UnrecognizedClientException',
    'InvalidClientTokenId',
    'ExpiredToken',
    'ExpiredTokenException',
    'InvalidToken',
    'TokenRefreshRequired',
    'AccountProblem',
    'CredentialsProviderError',
  ].map((c) => [c, 'denied'] as const),
]);

const RETRYABLE_KINDS: ReadonlySet<AwsErrorKind> = new Set(['timeout', 'throttled', 'transient', 'network']);

/** The fields of an AWS SDK (or Node socket) error that are read. */
interface AwsErrorFields {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

function kindOfStatus(status: number | undefined): AwsErrorKind | undefined {
  if (status === undefined) return undefined;
  if (status === 429) return 'throttled';
  if (status >= 500) return 'transient';
  if (status === 404) return 'not-found';
  if (status === 412) return 'precondition';
  if (status === 401 || status === 403) return 'denied';
  return undefined;
}

/**
 * Classifies whatever an AWS SDK v3 call threw (a service exception, a smithy `TimeoutError`, a Node
 * socket error, an abort): the error code names the kind first, then the HTTP status, then the
 * SDK's own `$fault` / `$retryable` marks; see {@link AwsErrorKind}.
 *
 * @example
 * ```ts
 * import { describeAwsError } from '@lakeblocks/core';
 * try {
 *   await glue.send(new GetTableCommand({ DatabaseName: 'techstore', Name: 'orders' }));
 * } catch (err) {
 *   const facts = describeAwsError(err);
 *   if (facts.kind === 'not-found') return undefined;
 *   if (facts.retryable) { … }
 * }
 * ```
 */
export function describeAwsError(error: unknown): AwsErrorFacts {
  const e = (typeof error === 'object' && error !== null ? error : {}) as AwsErrorFields;
  const named = typeof e.Code === 'string' ? e.Code : typeof e.name === 'string' && e.name !== 'Error' ? e.name : undefined;
  const systemCode = typeof e.code === 'string' ? e.code : undefined;
  const code = named ?? systemCode;
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : String(error);
  const kind =
    (named === undefined ? undefined : CODES.get(named)) ??
    (systemCode === undefined ? undefined : CODES.get(systemCode)) ??
    kindOfStatus(status) ??
    (/socket hang up/i.test(message) ? 'network' : undefined) ??
    (e.$fault === 'server' ? 'transient' : 'other');
  const sdkRetryable = typeof e.$retryable === 'object' && e.$retryable !== null;
  return {
    kind,
    ...(code === undefined ? {} : { code }),
    ...(systemCode === undefined || systemCode === code ? {} : { systemCode }),
    ...(status === undefined ? {} : { status }),
    message,
    retryable: RETRYABLE_KINDS.has(kind) || (kind === 'other' && sdkRetryable),
  };
}
