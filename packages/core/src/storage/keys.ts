import { CoreError } from '../errors/core-error.js';

/**
 * Checks that a storage key is relative, `/`-separated and cannot escape the storage root:
 * no `..` or `.` segment, no empty segment, no leading `/`, no backslash, no NUL or control character.
 * A trailing `/` is allowed only when `allowTrailingSlash` (prefixes for listing).
 *
 * @example
 * ```ts
 * assertValidKey('processed/orders/year=2025/part-0.parquet'); // ok
 * assertValidKey('../etc/passwd'); // throws CoreError InvalidArgument
 * ```
 */
export function assertValidKey(key: string, { allowTrailingSlash = false, allowEmpty = false } = {}): void {
  const fail = (why: string): never => {
    throw new CoreError('InvalidArgument', `Invalid storage key ${JSON.stringify(key)}: ${why}`, { context: { key } });
  };
  if (key === '') {
    if (allowEmpty) return;
    fail('empty');
  }
  if (key.startsWith('/')) fail('must be relative (no leading "/")');
  if (key.includes('\\')) fail('must use "/" separators, not "\\"');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) fail('contains a control character');
  const body = allowTrailingSlash && key.endsWith('/') ? key.slice(0, -1) : key;
  for (const segment of body.split('/')) {
    if (segment === '') fail('contains an empty segment');
    if (segment === '.' || segment === '..') fail(`contains a "${segment}" segment`);
  }
}
