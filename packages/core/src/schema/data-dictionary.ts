/**
 * Markdown data dictionary of one table or of a list of tables: description, primary key, time
 * column, partitioning, and one row per column with type, nullability, markers and description.
 *
 * @example
 * ```ts
 * await writeFile('docs/data-dictionary.md', toDataDictionary([orders, customers], { title: 'TechStore lake' }));
 * ```
 *
 * @module
 */
import { formatColumnType } from './column-type.js';
import type { AnyTable, TableColumn } from './table.js';

/**
 * Options of {@link toDataDictionary}.
 *
 * @example
 * ```ts
 * const options: DataDictionaryOptions = { title: 'TechStore lake' };
 * ```
 */
export interface DataDictionaryOptions {
  /** Title of a multi-table document (default `Data dictionary`); ignored for a single table. */
  title?: string;
}

/**
 * The data dictionary in markdown. A single table gives a document titled by the table name; a
 * list gives a titled document with a table of contents and one section per table.
 *
 * Column markers: `PK` primary key, `time` time column, `partition` column whose value lives in the
 * path, `partition source` column that time partition keys are derived from.
 *
 * @example
 * ```ts
 * toDataDictionary(orders);
 * // # `orders`
 * //
 * // One row per order placed in the store.
 * // …
 * // | column | type | nullable | keys | description |
 * // |---|---|---|---|---|
 * // | `order_id` | int | no | PK | Order identifier |
 * ```
 */
export function toDataDictionary(tables: AnyTable | readonly AnyTable[], options: DataDictionaryOptions = {}): string {
  if (!Array.isArray(tables)) return `${tableSection(tables as AnyTable, 1)}\n`;
  const list = tables as readonly AnyTable[];
  const toc = list.map((t) => `- [\`${t.name}\`](#${t.name})${t.description === undefined ? '' : ` — ${inline(t.description)}`}`);
  return [`# ${inline(options.title ?? 'Data dictionary')}`, '', ...toc, '', ...list.map((t) => `${tableSection(t, 2)}\n`)].join('\n');
}

function tableSection(table: AnyTable, level: number): string {
  const lines = [`${'#'.repeat(level)} \`${table.name}\``, ''];
  if (table.description !== undefined) lines.push(inline(table.description), '');
  const keys = table.primaryKey as readonly string[];
  lines.push(`- **Primary key:** ${keys.length === 0 ? 'none' : keys.map(code).join(', ')}`);
  lines.push(`- **Time column:** ${table.timeColumn === undefined ? 'none' : code(table.timeColumn)}`);
  lines.push(`- **Partitioning:** ${describePartitioning(table)}`);
  lines.push('', '| column | type | nullable | keys | description |', '|---|---|---|---|---|');
  for (const column of table.columns) {
    const cells = [code(column.name), cell(formatColumnType(column.type)), column.nullable ? 'yes' : 'no', markers(table, column), cell(column.description ?? '')];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function describePartitioning(table: AnyTable): string {
  const spec = table.partitioning;
  switch (spec.kind) {
    case 'none':
      return 'none (all files in one directory)';
    case 'time': {
      const keys = table.partitionKeys.map((k) => `${code(k.name)} ${formatColumnType(k.type)}`).join(', ');
      const example = table.partitionKeys.map((k) => `${k.name}=${k.name === 'year' ? 2025 : 1}`).join('/');
      return `by ${spec.granularity} of ${code(spec.column)}: keys ${keys}, derived from the column and kept in the path only (${code(example)})`;
    }
    case 'columns': {
      const keys = table.partitionKeys.map((k) => `${code(k.name)} ${cell(formatColumnType(k.type))}`).join(', ');
      return `by column values: keys ${keys}; these columns live in the path, not inside the Parquet files`;
    }
  }
}

function markers(table: AnyTable, column: TableColumn): string {
  const list: string[] = [];
  if (column.isPrimaryKey) list.push('PK');
  if (column.isTimeColumn) list.push('time');
  if (column.isPartitionColumn) list.push('partition');
  if (table.partitioning.kind === 'time' && table.partitioning.column === column.name) list.push('partition source');
  return list.join(', ');
}

function code(text: string): string {
  return `\`${text}\``;
}

/** Text on one line (newlines folded). */
function inline(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** Text safe in a markdown table cell. */
function cell(text: string): string {
  return inline(text).replaceAll('|', '\\|');
}
