import { S3Client } from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Options of {@link createS3Client}.
 *
 * @example
 * ```ts
 * const options: CreateS3ClientOptions = { region: 'eu-west-1', requestTimeoutMs: 30_000 };
 * ```
 */
export interface CreateS3ClientOptions {
  /** AWS region; default from the environment (`AWS_REGION`, profile), or `us-east-1` with a custom `endpoint`. */
  region?: string;
  /** Endpoint of an S3-compatible store (`http://127.0.0.1:9000` for MinIO, s3rver …). */
  endpoint?: string;
  /** Address buckets as `endpoint/bucket/key` instead of `bucket.endpoint/key`; default `true` when `endpoint` is set. */
  forcePathStyle?: boolean;
  /** Static credentials; default the SDK's provider chain (environment, profile, instance role …). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Time to establish a connection (default 5 000 ms). */
  connectionTimeoutMs?: number;
  /** Time from sending a request to its response headers (default 60 000 ms). */
  requestTimeoutMs?: number;
  /** A socket idle this long, also while streaming a body, is destroyed (default 60 000 ms). */
  socketTimeoutMs?: number;
  /** Concurrent connections (default 50). */
  maxSockets?: number;
  /** SDK attempts per request (default 1: {@link S3Storage} retries with its own jittered backoff). */
  maxAttempts?: number;
  /** Anything else of `S3ClientConfig`, applied last. */
  config?: Partial<S3ClientConfig>;
}

/**
 * Builds an `S3Client` that never hangs: connection, request and socket-idle timeouts on a
 * keep-alive `NodeHttpHandler`, and SDK retries off (`maxAttempts: 1`) because {@link S3Storage}
 * retries itself. For S3-compatible stores pass `endpoint` (path-style addressing follows, and
 * checksums are only sent when an operation requires them, since many such stores reject the
 * newer flexible-checksum headers).
 *
 * @example
 * ```ts
 * const client = createS3Client({ region: 'eu-west-1' });
 * const minio = createS3Client({
 *   endpoint: 'http://127.0.0.1:9000',
 *   credentials: { accessKeyId: 'minio', secretAccessKey: 'minio123' },
 * });
 * const storage = new S3Storage('s3://lake/techstore', { client });
 * ```
 */
export function createS3Client(options: CreateS3ClientOptions = {}): S3Client {
  const custom = options.endpoint !== undefined;
  const agent = { keepAlive: true, maxSockets: options.maxSockets ?? 50 };
  return new S3Client({
    ...(options.region !== undefined || custom ? { region: options.region ?? 'us-east-1' } : {}),
    ...(custom ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? custom,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: options.maxAttempts ?? 1,
    ...(custom ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
    requestHandler: new NodeHttpHandler({
      connectionTimeout: options.connectionTimeoutMs ?? 5_000,
      requestTimeout: options.requestTimeoutMs ?? 60_000,
      throwOnRequestTimeout: true,
      socketTimeout: options.socketTimeoutMs ?? 60_000,
      httpAgent: agent,
      httpsAgent: agent,
    }),
    ...options.config,
  });
}
