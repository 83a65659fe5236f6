/**
 * `defineTable`: a table is declared once — columns (zod-backed builders) plus metadata — and the
 * row type, validation, partition keys and every target (Arrow, Glue, Athena, DuckDB, MySQL, data
 * dictionary) are derived from it. Column types map as in `TYPE-MAPPING.md` (see `type-mapping.ts`).
 *
 * @example
 * ```ts
 * import { defineTable, col, type RowOf } from '@lakeblocks/core';
 *
 * export const orders = defineTable({
 *   name: 'orders',
 *   description: 'One row per order placed in the store.',
 *   columns: {
 *     order_id: col.int().describe('Order identifier'),
 *     order_time: col.timestamp(),
 *     total_usd: col.decimal(12, 2),
 *     device: col.enum(['mobile', 'desktop', 'tablet']).nullable(),
 *   },
 *   primaryKey: ['order_id'],
 *   partitioning: { kind: 'time', column: 'order_time', granularity: 'day' },
 * });
 * type Order = RowOf<typeof orders>;
 * ```
 *
 * @module
 */
import * as z from 'zod';
import { CoreError } from '../errors/core-error.js';
import type { PartitionSpec } from '../partitions/partition-spec.js';
import type { AnyColumn } from './column.js';
import { partitionKeysOf } from './partition-keys.js';
import { issuesFromZod, rowInvalidError } from './row-validation.js';
import type { RowParseResult } from './row-validation.js';
import type { ColumnsShape, RowShape, Table, TableColumn, TableOptions, TableSchema } from './table.js';
import { tableDefinitionProblems } from './table-definition-checks.js';

/**
 * Defines a table once. Checks the definition — names match `^[a-z_][a-z0-9_]*$`; primary key,
 * time column and partition columns exist; primary key and partition columns are non-null; the
 * time column is a date or timestamp; `columns` partition keys are int/bigint/string/enum/date; no
 * column is named like a derived time key (`year`, `month`, `day`); decimal precision ≤ 38 — and
 * throws one `CoreError` (`SchemaInvalid`) listing every problem, naming the table and columns.
 *
 * `timeColumn` defaults to the time-partitioning column. The returned table is frozen.
 *
 * @example
 * ```ts
 * const customers = defineTable({
 *   name: 'customers',
 *   columns: {
 *     customer_id: col.int(),
 *     email: col.string({ maxLength: 254 }),
 *     signup_date: col.date(),
 *     marketing_opt_in: col.boolean(),
 *   },
 *   primaryKey: ['customer_id'],
 *   partitioning: { kind: 'time', column: 'signup_date', granularity: 'day' },
 * });
 * customers.timeColumn; // 'signup_date'
 * ```
 */
export function defineTable<C extends ColumnsShape>(options: TableOptions<C>): Table<C> {
  const problems = tableDefinitionProblems(options);
  const tableName = typeof options.name === 'string' ? options.name : String(options.name);
  if (problems.length > 0) {
    throw new CoreError('SchemaInvalid', `Invalid definition of table "${tableName}": ${problems.join('; ')}`, {
      context: { table: tableName },
    });
  }

  const name = options.name;
  const partitioning: PartitionSpec = freezeSpec(options.partitioning ?? { kind: 'none' });
  const primaryKey = Object.freeze([...(options.primaryKey ?? [])]);
  const timeColumn = options.timeColumn ?? (partitioning.kind === 'time' ? (partitioning.column as keyof C & string) : undefined);
  const partitionColumnNames = new Set(partitioning.kind === 'columns' ? partitioning.columns : []);

  const entries = Object.entries(options.columns) as [string, AnyColumn][];
  const columns: readonly TableColumn[] = Object.freeze(
    entries.map(([columnName, column]) =>
      Object.freeze({
        name: columnName,
        type: column.type,
        nullable: column.isNullable,
        description: column.description,
        isPrimaryKey: primaryKey.includes(columnName),
        isPartitionColumn: partitionColumnNames.has(columnName),
        isTimeColumn: columnName === timeColumn,
      }),
    ),
  );
  const byName = new Map(columns.map((c) => [c.name, c]));
  const fileColumns = Object.freeze(columns.filter((c) => !c.isPartitionColumn));
  const partitionKeys = Object.freeze(partitionKeysOf(partitioning, byName).map((k) => Object.freeze(k)));

  const zodShape = Object.fromEntries(entries.map(([columnName, column]) => [columnName, column.zod]));
  let schema = z.strictObject(zodShape);
  if (options.description !== undefined) schema = schema.describe(options.description);
  const rowSchema = schema as unknown as TableSchema<C>;

  const safeParse = (row: unknown): RowParseResult<RowShape<C>> => {
    const result = rowSchema.safeParse(row);
    if (result.success) return { success: true, data: result.data as RowShape<C> };
    return { success: false, issues: issuesFromZod(name, result.error, row, (n) => byName.get(n)) };
  };

  const table: Table<C> = {
    name,
    description: options.description,
    shape: Object.freeze({ ...options.columns }),
    schema: rowSchema,
    columns,
    fileColumns,
    primaryKey,
    timeColumn,
    partitioning,
    partitionKeys,
    column(columnName: string): TableColumn {
      const found = byName.get(columnName);
      if (found === undefined) {
        throw new CoreError('InvalidArgument', `Table "${name}" has no column "${columnName}"`, {
          context: { table: name, column: columnName },
        });
      }
      return found;
    },
    hasColumn: (columnName: string): boolean => byName.has(columnName),
    parse(row: unknown): RowShape<C> {
      const result = rowSchema.safeParse(row);
      if (result.success) return result.data as RowShape<C>;
      throw rowInvalidError(name, issuesFromZod(name, result.error, row, (n) => byName.get(n)), result.error);
    },
    safeParse,
  };
  return Object.freeze(table);
}

function freezeSpec(spec: PartitionSpec): PartitionSpec {
  switch (spec.kind) {
    case 'none':
      return Object.freeze({ kind: 'none' });
    case 'time':
      return Object.freeze({ kind: 'time', column: spec.column, granularity: spec.granularity });
    case 'columns':
      return Object.freeze({ kind: 'columns', columns: Object.freeze([...spec.columns]) });
  }
}
