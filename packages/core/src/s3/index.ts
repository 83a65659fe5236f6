/**
 * `@lakeblocks/core/s3`: the S3 backend of the `Storage` interface. A separate entry so that the main
 * `@lakeblocks/core` entry never loads the AWS SDK.
 *
 * @example
 * ```ts
 * import { S3Storage, createS3Client } from '@lakeblocks/core/s3';
 * const storage = new S3Storage('s3://my-lake/techstore', { client: createS3Client() });
 * ```
 *
 * @module
 */
export { S3Storage } from './s3-storage.js';
export type { S3SendClient, S3StorageOptions } from './s3-storage.js';
export { createS3Client } from './create-s3-client.js';
export type { CreateS3ClientOptions } from './create-s3-client.js';
export { classifyS3Error } from './classify-s3-error.js';
export type { S3ErrorContext } from './classify-s3-error.js';
export { parseS3Uri } from './s3-uri.js';
export type { S3Location } from './s3-uri.js';
