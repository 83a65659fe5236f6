import { CoreError } from '../errors/core-error.js';
import type { PartitionValues } from './partition-spec.js';

/** The directory name Hive, Spark and Athena use for a null or empty partition value. */
export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

// The characters Hive's FileUtils.escapePathName escapes, plus every control character.
const HIVE_ESCAPED = new Set(['"', '#', '%', "'", '*', '/', ':', '=', '?', '\\', '\u007f', '{', '[', ']', '^']);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function escapeChar(ch: string): string {
  return '%' + ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
}

/**
 * Escapes one partition key or value the way Hive does (`%XX` for `/ = : % # ? * ' " \ { [ ] ^`,
 * DEL and control characters). Values made only of dots (`.`, `..`) are escaped too, so no value can
 * ever produce a path segment that walks out of its directory. Null and `''` become
 * {@link HIVE_DEFAULT_PARTITION}. Text with lone surrogates is refused (`InvalidArgument`): written
 * as UTF-8 they all become U+FFFD, so distinct values would collide.
 *
 * @example
 * ```ts
 * escapeHivePathValue('a/b=c'); // 'a%2Fb%3Dc'
 * escapeHivePathValue('Müller'); // 'Müller' (non-ASCII is kept, as Hive does)
 * ```
 */
export function escapeHivePathValue(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return HIVE_DEFAULT_PARTITION;
  const text = String(value);
  if (LONE_SURROGATE.test(text)) {
    // Encoded as UTF-8 (file names, S3 keys) every lone surrogate becomes U+FFFD: distinct values would share a path.
    throw new CoreError('InvalidArgument', `Partition value ${JSON.stringify(text)} is not well-formed Unicode (lone surrogate)`, {
      context: { partition: text },
    });
  }
  if (/^\.+$/.test(text)) return text.replace(/\./g, '%2E');
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    out += ch.length === 1 && (code < 0x20 || HIVE_ESCAPED.has(ch)) ? escapeChar(ch) : ch;
  }
  return out;
}

/**
 * Reverses {@link escapeHivePathValue}: decodes `%XX` sequences; a malformed `%` is kept literally,
 * as Hive does. {@link HIVE_DEFAULT_PARTITION} decodes to `null`.
 *
 * @example
 * ```ts
 * unescapeHivePathValue('a%2Fb%3Dc'); // 'a/b=c'
 * ```
 */
export function unescapeHivePathValue(text: string): string | null {
  if (text === HIVE_DEFAULT_PARTITION) return null;
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * Builds the Hive partition path for ordered values: `year=2025/month=1/day=31` (no leading or
 * trailing `/`; `''` when there are no values). Numbers are written unpadded.
 *
 * @example
 * ```ts
 * partitionPath({ year: 2025, month: 1, day: 31 }); // 'year=2025/month=1/day=31'
 * partitionPath({ country: 'US/CA' }); // 'country=US%2FCA'
 * ```
 */
export function partitionPath(values: PartitionValues): string {
  return Object.entries(values)
    .map(([key, value]) => {
      if (key === '') throw new CoreError('InvalidArgument', 'Partition key must not be empty');
      if (typeof value === 'number' && !Number.isFinite(value)) {
        throw new CoreError('InvalidArgument', `Partition value for ${key} is not a finite number: ${value}`, {
          context: { partition: key },
        });
      }
      return `${escapeHivePathValue(key)}=${escapeHivePathValue(value)}`;
    })
    .join('/');
}

/**
 * Reads the `key=value` segments of a path (any other segments, such as the table prefix or the
 * file name, are ignored) into partition values; decoded values stay strings (`null` for the
 * Hive default partition). Pass `keys` to require exactly those keys, in that order.
 *
 * @example
 * ```ts
 * parsePartitionPath('processed/orders/year=2025/month=1/part-0.parquet');
 * // { year: '2025', month: '1' }
 * ```
 */
export function parsePartitionPath(path: string, keys?: readonly string[]): Record<string, string | null> {
  const values: Record<string, string | null> = {};
  for (const segment of path.split('/')) {
    const eq = segment.indexOf('=');
    if (eq <= 0) continue;
    const key = unescapeHivePathValue(segment.slice(0, eq)) ?? '';
    values[key] = unescapeHivePathValue(segment.slice(eq + 1));
  }
  if (keys) {
    const found = Object.keys(values);
    if (found.length !== keys.length || keys.some((k, i) => found[i] !== k)) {
      throw new CoreError(
        'InvalidArgument',
        `Partition path ${JSON.stringify(path)} has keys [${found.join(', ')}], expected [${keys.join(', ')}]`,
        { context: { partition: path } },
      );
    }
  }
  return values;
}
