/**
 * `@lakeblocks/core/testing`: helpers for lakeblocks' own tests — an `s3rver` started on a random
 * local port, and a MariaDB test database. Resolved from source only (the `@lakeblocks/source`
 * condition that vitest uses); it is not part of the published build.
 *
 * @example
 * ```ts
 * import { startS3rver, connectTestMySql } from '@lakeblocks/core/testing';
 * const s3 = await startS3rver();
 * // … new S3Storage(`s3://${s3.bucket}/lake`, { client: s3.client }) …
 * await s3.close();
 * ```
 *
 * @module
 */
export * from './s3rver.js';
export * from './mysql.js';
export * from './fault-proxy.js';
