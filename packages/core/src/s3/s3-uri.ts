import { CoreError } from '../errors/core-error.js';
import { assertValidKey } from '../storage/keys.js';

/**
 * A parsed `s3://bucket/prefix` location.
 *
 * @example
 * ```ts
 * const location: S3Location = { bucket: 'my-lake', prefix: 'techstore' }; // s3://my-lake/techstore
 * ```
 */
export interface S3Location {
  /** Bucket name. */
  bucket: string;
  /** Key prefix without leading or trailing `/`; `''` for the bucket root. */
  prefix: string;
}

/**
 * Parses `s3://bucket` or `s3://bucket/some/prefix[/]` (also `s3a://`, as Spark and Glue write it).
 * The prefix loses its trailing `/` and must be a valid storage key (no `..`, no empty segment).
 *
 * @throws CoreError `InvalidArgument` for anything else.
 *
 * @example
 * ```ts
 * parseS3Uri('s3://my-lake/techstore/'); // { bucket: 'my-lake', prefix: 'techstore' }
 * parseS3Uri('s3://my-lake');            // { bucket: 'my-lake', prefix: '' }
 * ```
 */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3a?:\/\/([^/]+)(?:\/(.*))?$/.exec(uri);
  const bucket = match?.[1];
  if (bucket === undefined || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new CoreError('InvalidArgument', `Not an S3 location: ${JSON.stringify(uri)} (expected s3://bucket/prefix)`, {
      context: { uri },
    });
  }
  const prefix = (match?.[2] ?? '').replace(/\/$/, '');
  if (prefix !== '') assertValidKey(prefix);
  return { bucket, prefix };
}
