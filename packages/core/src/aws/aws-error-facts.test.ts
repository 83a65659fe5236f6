import { describe, expect, it } from 'vitest';
import { describeAwsError, type AwsErrorKind } from './aws-error-facts.js';

/** An error shaped like an AWS SDK v3 service exception. */
function sdkError(name: string, status?: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: status === undefined ? {} : { httpStatusCode: status }, ...extra });
}

describe('describeAwsError', () => {
  const cases: [string, unknown, AwsErrorKind, boolean][] = [
    ['S3 SlowDown', sdkError('SlowDown', 503), 'throttled', true],
    ['Athena TooManyRequestsException', sdkError('TooManyRequestsException', 400), 'throttled', true],
    ['a bare 429', sdkError('UnknownError', 429), 'throttled', true],
    ['Glue InternalServiceException', sdkError('InternalServiceException', 500), 'transient', true],
    ['a bare 502', sdkError('UnknownError', 502), 'transient', true],
    ['S3 RequestTimeout (HTTP 400)', sdkError('RequestTimeout', 400), 'transient', true],
    ['Glue ConcurrentModificationException', sdkError('ConcurrentModificationException', 400), 'transient', true],
    ['a server fault without a status', sdkError('Mystery', undefined, { $fault: 'server' }), 'transient', true],
    ['a socket reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'network', true],
    ['socket hang up', new Error('socket hang up'), 'network', true],
    ['smithy TimeoutError', sdkError('TimeoutError'), 'timeout', true],
    ['connect timeout', Object.assign(new Error('connect'), { code: 'UND_ERR_CONNECT_TIMEOUT' }), 'timeout', true],
    ['an abort', sdkError('AbortError'), 'cancelled', false],
    ['S3 NoSuchKey', sdkError('NoSuchKey', 404), 'not-found', false],
    ['HEAD 404 (no body, name NotFound)', sdkError('NotFound', 404), 'not-found', false],
    ['Glue EntityNotFoundException', sdkError('EntityNotFoundException', 400), 'not-found', false],
    ['S3 PreconditionFailed', sdkError('PreconditionFailed', 412), 'precondition', false],
    ['Glue AlreadyExistsException', sdkError('AlreadyExistsException', 400), 'already-exists', false],
    ['S3 AccessDenied', sdkError('AccessDenied', 403), 'denied', false],
    ['expired credentials', sdkError('ExpiredTokenException', 400), 'denied', false],
    ['a bare 403', sdkError('UnknownError', 403), 'denied', false],
    ['Glue InvalidInputException', sdkError('InvalidInputException', 400), 'other', false],
    ['an SDK-marked retryable error', sdkError('Weird', 400, { $retryable: {} }), 'other', true],
    ['not an object', 'boom', 'other', false],
  ];
  it.each(cases)('%s', (_label, error, kind, retryable) => {
    const facts = describeAwsError(error);
    expect(facts.kind).toBe(kind);
    expect(facts.retryable).toBe(retryable);
  });

  it('prefers the S3 XML Code, keeps the socket code apart and the status', () => {
    const facts = describeAwsError(Object.assign(new Error('We encountered an internal error'), { name: 'S3ServiceException', Code: 'InternalError', $metadata: { httpStatusCode: 500 } }));
    expect(facts).toMatchObject({ kind: 'transient', code: 'InternalError', status: 500, message: 'We encountered an internal error' });
    const socket = describeAwsError(Object.assign(new Error('write EPIPE'), { name: 'Error', code: 'EPIPE' }));
    expect(socket).toMatchObject({ kind: 'network', code: 'EPIPE' });
    expect(socket.systemCode).toBeUndefined();
    const wrapped = describeAwsError(Object.assign(new Error('fetch failed'), { name: 'FetchError', code: 'ECONNREFUSED' }));
    expect(wrapped).toMatchObject({ kind: 'network', code: 'FetchError', systemCode: 'ECONNREFUSED', retryable: true });
  });

  it('lets the error code win over a status that would say otherwise', () => {
    // Throttling answered with HTTP 400 (Athena, Glue) is throttling, not a client error.
    expect(describeAwsError(sdkError('ThrottlingException', 400)).kind).toBe('throttled');
    // A missing multipart upload answers 404 but is not in the NoSuchKey family: the code is unknown, so the status decides.
    expect(describeAwsError(sdkError('NoSuchUpload', 404)).kind).toBe('not-found');
  });
});
