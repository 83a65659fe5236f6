/**
 * Cleaning rules, declared once per table and applied by the CSV reader: column-name
 * normalisation and renames, trimming, null tokens, coercions, defaults for missing values,
 * dedupe by primary key, and logical row checks. The reader hard-codes none of them.
 *
 * @module
 */
import type { AnyTable, ColumnKind, RowOf } from '@lakeblocks/core';
import { IngestError } from '../errors/ingest-error.js';
import type { Coercion } from './coercions.js';

/**
 * A column name of table `T`.
 *
 * @example
 * ```ts
 * const c: ColumnName<typeof orders> = 'order_id';
 * ```
 */
export type ColumnName<T extends AnyTable> = keyof RowOf<T> & string;

/**
 * A logical check over a typed row (values as in `RowOf<T>`: decimals as strings, dates as
 * `YYYY-MM-DD`, timestamps as `Date`). A row failing it is rejected with `message`.
 *
 * @example
 * ```ts
 * const check: RowCheck<RowOf<typeof users>> = {
 *   name: 'age-before-retirement',
 *   columns: ['current_age', 'retirement_age'],
 *   test: (row) => row.current_age <= row.retirement_age,
 *   message: 'current_age is greater than retirement_age',
 * };
 * ```
 */
export interface RowCheck<R> {
  /** Short name, shown in the reject reason. */
  readonly name: string;
  /** The columns the check reads (named in the rejects file). */
  readonly columns: readonly (keyof R & string)[];
  /** `true` when the row is acceptable. */
  readonly test: (row: R) => boolean;
  /** Reject reason (default: `check <name> failed`). */
  readonly message?: string;
}

/**
 * The cleaning rules of one table. Every field is optional; the defaults are: normalised column
 * names, trimmed values, `''` as the only null token, no coercion, no defaults, no dedupe, no checks.
 *
 * @example
 * ```ts
 * const rules: CleaningRules<typeof cards> = {
 *   nullTokens: ['', 'NULL', 'N/A'],
 *   coerce: { credit_limit: 'money', expires: 'month-year', has_chip: 'yes-no' },
 *   defaults: { card_type: 'desconocido' },
 *   dedupe: 'keep-first',
 * };
 * ```
 */
export interface CleaningRules<T extends AnyTable = AnyTable> {
  /** `normalize` (default): header names are trimmed, lower-cased, spaces/`-`/`.` → `_`. `exact`: as written. */
  readonly columnNames?: 'normalize' | 'exact';
  /** Source header name (after normalisation) → table column. */
  readonly rename?: Readonly<Record<string, ColumnName<T>>>;
  /** Trim spaces and tabs around unquoted and quoted values (default `true`). */
  readonly trim?: boolean;
  /** Values read as null (compared after trimming; default `['']`). */
  readonly nullTokens?: readonly string[];
  /** Coercions per column, applied in order before the typed parser. */
  readonly coerce?: { readonly [K in ColumnName<T>]?: Coercion | readonly Coercion[] };
  /** Coercions for every column of a kind (a per-column entry replaces it). */
  readonly coerceKinds?: { readonly [K in ColumnKind]?: Coercion | readonly Coercion[] };
  /** Text used when a value is null or the column is absent from the file; parsed like input (`'desconocido'`, `'0'`). */
  readonly defaults?: { readonly [K in ColumnName<T>]?: string };
  /** `keep-first`: a row repeating an earlier primary key is rejected as a duplicate. Default `none`. */
  readonly dedupe?: 'none' | 'keep-first';
  /** Logical checks; a failing row is rejected. */
  readonly checks?: readonly RowCheck<RowOf<T>>[];
}

/**
 * A table together with its (checked) cleaning rules: what the CSV reader takes.
 *
 * @example
 * ```ts
 * const cleaning: TableCleaning<typeof orders> = defineCleaning(orders, { coerceKinds: { int: 'integral-float' } });
 * cleaning.table.name; // 'orders'
 * ```
 */
export interface TableCleaning<T extends AnyTable = AnyTable> {
  readonly table: T;
  readonly rules: CleaningRules<T>;
}

/**
 * Declares the cleaning rules of a table, checking that every column they name exists (and that
 * dedupe has a primary key); throws `IngestError` `InvalidArgument` listing every problem.
 *
 * @example
 * ```ts
 * import { defineCleaning } from '@lakeblocks/ingest';
 * export const usersCleaning = defineCleaning(users, {
 *   coerce: { per_capita_income: 'money', yearly_income: 'money', total_debt: 'money' },
 *   dedupe: 'keep-first',
 *   checks: [{ name: 'age', columns: ['current_age', 'retirement_age'], test: (u) => u.current_age <= u.retirement_age }],
 * });
 * ```
 */
export function defineCleaning<T extends AnyTable>(table: T, rules: CleaningRules<T> = {}): TableCleaning<T> {
  const problems: string[] = [];
  const known = (name: string, where: string): void => {
    if (!table.hasColumn(name)) problems.push(`${where} names unknown column "${name}"`);
  };
  for (const [from, to] of Object.entries(rules.rename ?? {})) known(to as string, `rename["${from}"]`);
  for (const name of Object.keys(rules.coerce ?? {})) known(name, 'coerce');
  for (const name of Object.keys(rules.defaults ?? {})) known(name, 'defaults');
  for (const check of rules.checks ?? []) for (const name of check.columns) known(name, `check "${check.name}"`);
  if (rules.dedupe === 'keep-first' && table.primaryKey.length === 0) problems.push('dedupe "keep-first" needs a primary key');
  if (problems.length > 0) {
    throw new IngestError('InvalidArgument', `Invalid cleaning rules for table "${table.name}": ${problems.join('; ')}`, {
      context: { table: table.name },
    });
  }
  return Object.freeze({ table, rules });
}
