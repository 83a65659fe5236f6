/**
 * Table, column and database names. One rule for every target: `^[a-z_][a-z0-9_]*$`, at most 64
 * characters. Glue lower-cases names, MySQL caps identifiers at 64 characters, and a name of this
 * shape can never break out of a quoted identifier, so DDL built from it is injection-proof.
 *
 * @example
 * ```ts
 * isValidIdentifier('order_items'); // true
 * isValidIdentifier('OrderItems');  // false
 * ```
 *
 * @module
 */
import { CoreError } from '../errors/core-error.js';

/**
 * The pattern every table, column and database name must match.
 *
 * @example
 * ```ts
 * IDENTIFIER_PATTERN.test('discount_pct'); // true
 * ```
 */
export const IDENTIFIER_PATTERN = /^[a-z_][a-z0-9_]*$/;

/**
 * Longest accepted identifier (MySQL's limit; Glue allows 255).
 *
 * @example
 * ```ts
 * isValidIdentifier('a'.repeat(MAX_IDENTIFIER_LENGTH + 1)); // false
 * ```
 */
export const MAX_IDENTIFIER_LENGTH = 64;

/**
 * Whether `name` is usable as a table, column or database name on every target.
 *
 * @example
 * ```ts
 * isValidIdentifier('_private'); // true
 * isValidIdentifier('1st');      // false
 * isValidIdentifier('a-b');      // false
 * ```
 */
export function isValidIdentifier(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length <= MAX_IDENTIFIER_LENGTH &&
    IDENTIFIER_PATTERN.test(name) &&
    name !== '__proto__'
  );
}

/**
 * Why `name` is not a valid identifier, or `undefined` when it is.
 *
 * @example
 * ```ts
 * identifierProblem('Orders'); // 'must match ^[a-z_][a-z0-9_]*$ (lower case letters, digits, underscores; not starting with a digit)'
 * ```
 */
export function identifierProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return `must be a string, got ${typeof name}`;
  if (name.length > MAX_IDENTIFIER_LENGTH) return `must be at most ${MAX_IDENTIFIER_LENGTH} characters, got ${name.length}`;
  if (!IDENTIFIER_PATTERN.test(name)) {
    return 'must match ^[a-z_][a-z0-9_]*$ (lower case letters, digits, underscores; not starting with a digit)';
  }
  if (name === '__proto__') return 'is reserved';
  return undefined;
}

/**
 * `name` if it is a valid identifier; otherwise throws `CoreError` `InvalidArgument` naming the
 * option and the table (used for target names passed as options: `tableName`, `database` …).
 *
 * @example
 * ```ts
 * requireIdentifier('analytics', 'database', 'orders'); // 'analytics'
 * requireIdentifier('my-db', 'database', 'orders');     // throws InvalidArgument
 * ```
 */
export function requireIdentifier(name: unknown, option: string, table: string): string {
  const problem = identifierProblem(name);
  if (problem !== undefined) {
    throw new CoreError('InvalidArgument', `${option} ${JSON.stringify(name)} for table "${table}" ${problem}`, {
      context: { table },
    });
  }
  return name as string;
}
