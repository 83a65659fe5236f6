/**
 * Row validation results as data, zod-style: `safeParse` returns issues, `parse` throws a
 * `CoreError` (`SchemaInvalid`) whose message lists them. Every issue message starts with
 * `<table>.<column>:` so a log line alone says where the problem is.
 *
 * @example
 * ```ts
 * const r = orders.safeParse({ ...row, discount_pct: '20' });
 * if (!r.success) r.issues[0];
 * // { path: ['discount_pct'], code: 'invalid_type',
 * //   message: 'orders.discount_pct: expected int, received "20"' }
 * ```
 *
 * @module
 */
import type * as z from 'zod';
import { CoreError } from '../errors/core-error.js';
import { formatColumnType } from './column-type.js';
import type { ColumnType } from './column-type.js';

/**
 * One problem with a row: where (`path`, the column name first), what kind (`code`, a zod issue
 * code such as `invalid_type`, `invalid_value`, `invalid_format`, `too_big`, `unrecognized_keys`),
 * and a message naming the table and column.
 *
 * @example
 * ```ts
 * const issue: SchemaIssue = { path: ['order_id'], code: 'invalid_type', message: 'orders.order_id: expected int, received "1"' };
 * ```
 */
export interface SchemaIssue {
  readonly path: readonly (string | number)[];
  readonly code: string;
  readonly message: string;
}

/**
 * Result of `table.safeParse(row)`.
 *
 * @example
 * ```ts
 * const r: RowParseResult<{ id: number }> = { success: true, data: { id: 1 } };
 * ```
 */
export type RowParseResult<R> =
  | { readonly success: true; readonly data: R }
  | { readonly success: false; readonly issues: readonly SchemaIssue[] };

/** How many issues a thrown error's message lists before summarising the rest. */
const MAX_ISSUES_IN_MESSAGE = 10;

/**
 * What {@link issuesFromZod} needs to know about a column to word its messages.
 *
 * @example
 * ```ts
 * const info: IssueColumnInfo = { type: { kind: 'int' }, nullable: false };
 * ```
 */
export interface IssueColumnInfo {
  readonly type: ColumnType;
  readonly nullable: boolean;
}

/**
 * Zod issues rewritten as {@link SchemaIssue}s naming `table`: one issue per unknown key (path =
 * that key); a missing value or a value of the wrong type is worded with the column's logical type
 * (`expected int`, not zod's `expected number`); an enum mismatch shows the value received.
 *
 * @example
 * ```ts
 * const r = orders.schema.safeParse(row);
 * if (!r.success) issuesFromZod('orders', r.error, row, (name) => orders.hasColumn(name) ? orders.column(name) : undefined);
 * ```
 */
export function issuesFromZod(
  table: string,
  error: z.ZodError,
  input: unknown,
  columnOf: (name: string) => IssueColumnInfo | undefined,
): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const record = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : undefined;
  for (const issue of error.issues) {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        issues.push({ path: [...path, key], code: issue.code, message: `${table}.${key}: not a column of table "${table}"` });
      }
      continue;
    }
    const where = path.length === 0 ? table : `${table}.${path.join('.')}`;
    const name = path.length === 1 && typeof path[0] === 'string' ? path[0] : undefined;
    const column = name === undefined ? undefined : columnOf(name);
    let detail = issue.message;
    if (column !== undefined && name !== undefined && record !== undefined) {
      const expected = `${formatColumnType(column.type)}${column.nullable ? ' or null' : ''}`;
      const value = record[name];
      if (!Object.hasOwn(record, name)) detail = `missing value, expected ${expected}`;
      else if (issue.code === 'invalid_type') detail = `expected ${expected}, received ${describeValue(value)}`;
      else if (issue.code === 'invalid_value') detail = `${issue.message}, received ${describeValue(value)}`;
    }
    issues.push({ path, code: issue.code, message: `${where}: ${detail}` });
  }
  return issues;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : 'Date';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (typeof value === 'bigint') return `bigint ${value}n`;
  return Array.isArray(value) ? 'array' : typeof value;
}

/**
 * The `CoreError` (`SchemaInvalid`) thrown by `table.parse(row)`: its message lists the issues
 * (the first ten, then a count), `context.table` names the table and `cause` keeps the ZodError.
 *
 * @example
 * ```ts
 * throw rowInvalidError('orders', issues, zodError);
 * ```
 */
export function rowInvalidError(table: string, issues: readonly SchemaIssue[], cause?: unknown): CoreError {
  const shown = issues.slice(0, MAX_ISSUES_IN_MESSAGE).map((i) => i.message);
  const more = issues.length > MAX_ISSUES_IN_MESSAGE ? `; … and ${issues.length - MAX_ISSUES_IN_MESSAGE} more` : '';
  const noun = issues.length === 1 ? 'issue' : 'issues';
  return new CoreError('SchemaInvalid', `Row does not match table "${table}" (${issues.length} ${noun}): ${shown.join('; ')}${more}`, {
    context: { table },
    cause,
  });
}
