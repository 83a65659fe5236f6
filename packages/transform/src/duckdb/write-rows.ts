/**
 * Writes a few literal rows as a table's Parquet dataset in the lake layout: fixtures for tests,
 * examples and demos (the real raw → processed path is `@lakeblocks/ingest`).
 *
 * @module
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { lakeLayout, type AnyTable, type DatasetLayer } from '@lakeblocks/core';
import { TransformError } from '../errors/transform-error.js';
import { duckDbDialect, quoteIdentifier, quoteString } from '../sql/dialect.js';
import { outputColumns } from '../sql/model-select.js';
import type { DuckDbEngine } from './duckdb-engine.js';

/**
 * A literal fixture value: numbers, exact decimal strings (`'12.30'`), ISO dates and timestamps
 * (`'2025-01-31T23:07:42'`), booleans or null.
 *
 * @example
 * ```ts
 * const row: FixtureRow = { order_id: 1, order_time: '2025-01-31T23:07:42', total_usd: '85.72' };
 * ```
 */
export type FixtureRow = Record<string, string | number | boolean | null | Date>;

function literal(value: string | number | boolean | null | Date | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TransformError('InvalidArgument', `Fixture value ${value} is not finite`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return quoteString(value.toISOString().replace('Z', ''));
  return quoteString(value);
}

/**
 * Replaces `<layer>/<table>/` with `rows` (columns absent from a row are null), typed as the table
 * declares and partitioned as it declares (partition columns in the path only, snappy Parquet).
 *
 * @example
 * ```ts
 * await writeRows(engine, orders, [
 *   { order_id: 1, customer_id: 7, order_time: '2025-01-31T23:07:42', total_usd: '85.72' },
 * ]);
 * ```
 */
export async function writeRows(engine: DuckDbEngine, table: AnyTable, rows: readonly FixtureRow[], options: { layer?: DatasetLayer } = {}): Promise<void> {
  const dir = join(engine.lakeDir, lakeLayout.tablePrefix(options.layer ?? 'processed', table.name));
  await rm(dir, { recursive: true, force: true });
  if (rows.length === 0) return;
  const names = table.columns.map((c) => c.name);
  for (const row of rows) {
    const unknown = Object.keys(row).filter((k) => !names.includes(k));
    if (unknown.length > 0) throw new TransformError('InvalidArgument', `Fixture row has unknown columns ${unknown.join(', ')}`, { context: { table: table.name } });
  }
  const values = rows.map((row) => `(${names.map((n) => literal(row[n])).join(', ')})`).join(',\n');
  const columns = outputColumns(table, duckDbDialect);
  const select = `SELECT ${columns.map((c) => `${c.expression} AS ${quoteIdentifier(c.name)}`).join(', ')} FROM (SELECT ${names
    .map((n, i) => `${quoteIdentifier(`col${i}`)} AS ${quoteIdentifier(n)}`)
    .join(', ')} FROM (VALUES ${values}) AS ${quoteIdentifier('v')}(${names.map((_, i) => quoteIdentifier(`col${i}`)).join(', ')})) AS ${quoteIdentifier('r')}`;
  const keys = table.partitionKeys.map((k) => quoteIdentifier(k.name));
  await mkdir(keys.length > 0 ? join(dir, '..') : dir, { recursive: true });
  const target = keys.length > 0 ? dir : join(dir, 'part-0.parquet');
  const copyOptions = ['FORMAT parquet', 'COMPRESSION snappy', ...(keys.length > 0 ? [`PARTITION_BY (${keys.join(', ')})`, `FILENAME_PATTERN 'part-{i}'`] : [])];
  await engine.execute(`COPY (${select}) TO ${quoteString(target)} (${copyOptions.join(', ')})`);
}
