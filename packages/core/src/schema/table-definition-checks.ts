/**
 * Consistency checks of a table definition, run by `defineTable`. Every problem is reported (not
 * just the first), each naming the column concerned.
 *
 * @example
 * ```ts
 * tableDefinitionProblems({ name: 'orders', columns: { id: col.int() }, primaryKey: ['order_id'] });
 * // ['primary key column "order_id" is not a column of the table']
 * ```
 *
 * @module
 */
import { partitionKeyNames } from '../partitions/partition-spec.js';
import type { PartitionSpec } from '../partitions/partition-spec.js';
import { Column } from './column.js';
import { formatColumnType, MAX_DECIMAL_PRECISION } from './column-type.js';
import type { ColumnKind, ColumnType } from './column-type.js';
import { identifierProblem } from './identifier.js';

/**
 * Column kinds usable as `columns`-partitioning keys (exact, path-safe values).
 *
 * @example
 * ```ts
 * PARTITION_COLUMN_KINDS.includes('double'); // false
 * ```
 */
export const PARTITION_COLUMN_KINDS: readonly ColumnKind[] = ['int', 'bigint', 'string', 'enum', 'date'];

/**
 * Column kinds usable as a time column or time-partitioning source.
 *
 * @example
 * ```ts
 * TIME_COLUMN_KINDS.includes('timestamp'); // true
 * ```
 */
export const TIME_COLUMN_KINDS: readonly ColumnKind[] = ['date', 'timestamp'];

/** Loosely typed definition, as a JS caller might pass it. */
interface LooseDefinition {
  readonly name: unknown;
  readonly description?: unknown;
  readonly columns: unknown;
  readonly primaryKey?: unknown;
  readonly timeColumn?: unknown;
  readonly partitioning?: unknown;
}

/**
 * Every problem of a table definition, as messages naming the column concerned (empty when valid).
 *
 * @example
 * ```ts
 * tableDefinitionProblems({ name: 'Orders', columns: {} });
 * // ['table name "Orders" must match ^[a-z_][a-z0-9_]*$ …', 'a table needs at least one column']
 * ```
 */
export function tableDefinitionProblems(definition: LooseDefinition): string[] {
  const problems: string[] = [];
  const nameProblem = identifierProblem(definition.name);
  if (nameProblem !== undefined) problems.push(`table name ${JSON.stringify(definition.name)} ${nameProblem}`);
  if (definition.description !== undefined && typeof definition.description !== 'string') {
    problems.push('description must be a string');
  }

  const columns = new Map<string, Column>();
  if (typeof definition.columns !== 'object' || definition.columns === null) {
    problems.push('columns must be an object of column builders (col.int(), col.string() …)');
  } else {
    for (const [name, column] of Object.entries(definition.columns)) {
      const problem = identifierProblem(name);
      if (problem !== undefined) problems.push(`column name ${JSON.stringify(name)} ${problem}`);
      if (!(column instanceof Column)) {
        problems.push(`column "${name}" is not a column builder (use col.int(), col.string() …)`);
        continue;
      }
      problems.push(...columnTypeProblems(name, column.type));
      columns.set(name, column);
    }
    if (Object.keys(definition.columns).length === 0) problems.push('a table needs at least one column');
  }

  problems.push(...primaryKeyProblems(definition.primaryKey, columns));
  problems.push(...timeColumnProblems(definition.timeColumn, columns));
  problems.push(...partitioningProblems(definition.partitioning, columns));
  return problems;
}

function columnTypeProblems(name: string, type: ColumnType): string[] {
  switch (type.kind) {
    case 'decimal': {
      const { precision, scale } = type;
      if (!Number.isInteger(precision) || precision < 1 || precision > MAX_DECIMAL_PRECISION) {
        return [`column "${name}": decimal precision must be an integer in 1..${MAX_DECIMAL_PRECISION}, got ${precision}`];
      }
      if (!Number.isInteger(scale) || scale < 0 || scale > precision) {
        return [`column "${name}": decimal scale must be an integer in 0..${precision} (the precision), got ${scale}`];
      }
      return [];
    }
    case 'string':
      if (type.maxLength !== undefined && (!Number.isInteger(type.maxLength) || type.maxLength < 1)) {
        return [`column "${name}": string maxLength must be a positive integer, got ${type.maxLength}`];
      }
      return [];
    case 'enum': {
      const values: readonly unknown[] = type.values;
      if (values.length === 0) return [`column "${name}": an enum needs at least one value`];
      if (values.some((v) => typeof v !== 'string' || v === '')) return [`column "${name}": enum values must be non-empty strings`];
      const dupes = values.filter((v, i) => values.indexOf(v) !== i);
      if (dupes.length > 0) return [`column "${name}": enum values must be unique, repeated: ${dupes.join(', ')}`];
      return [];
    }
    default:
      return [];
  }
}

function primaryKeyProblems(primaryKey: unknown, columns: ReadonlyMap<string, Column>): string[] {
  if (primaryKey === undefined) return [];
  if (!Array.isArray(primaryKey)) return ['primaryKey must be an array of column names'];
  const problems: string[] = [];
  const seen = new Set<unknown>();
  for (const name of primaryKey as unknown[]) {
    if (seen.has(name)) problems.push(`primary key column "${String(name)}" is listed twice`);
    seen.add(name);
    const column = typeof name === 'string' ? columns.get(name) : undefined;
    if (column === undefined) problems.push(`primary key column "${String(name)}" is not a column of the table`);
    else if (column.isNullable) problems.push(`primary key column "${String(name)}" must not be nullable`);
  }
  return problems;
}

function timeColumnProblems(timeColumn: unknown, columns: ReadonlyMap<string, Column>): string[] {
  if (timeColumn === undefined) return [];
  const column = typeof timeColumn === 'string' ? columns.get(timeColumn) : undefined;
  if (column === undefined) return [`time column "${String(timeColumn)}" is not a column of the table`];
  if (!TIME_COLUMN_KINDS.includes(column.type.kind)) {
    return [`time column "${String(timeColumn)}" must be a date or timestamp, got ${formatColumnType(column.type)}`];
  }
  return [];
}

function partitioningProblems(partitioning: unknown, columns: ReadonlyMap<string, Column>): string[] {
  if (partitioning === undefined) return [];
  const spec = partitioning as Partial<Record<string, unknown>>;
  switch (spec['kind']) {
    case 'none':
      return [];
    case 'time': {
      const problems: string[] = [];
      const name = spec['column'];
      const column = typeof name === 'string' ? columns.get(name) : undefined;
      if (column === undefined) {
        problems.push(`time partitioning column "${String(name)}" is not a column of the table`);
      } else {
        if (!TIME_COLUMN_KINDS.includes(column.type.kind)) {
          problems.push(`time partitioning column "${String(name)}" must be a date or timestamp, got ${formatColumnType(column.type)}`);
        }
        if (column.isNullable) problems.push(`time partitioning column "${String(name)}" must not be nullable (a row needs a partition)`);
      }
      const granularity = spec['granularity'];
      if (granularity !== 'year' && granularity !== 'month' && granularity !== 'day') {
        problems.push(`time partitioning granularity must be 'year', 'month' or 'day', got ${JSON.stringify(granularity)}`);
        return problems;
      }
      for (const key of partitionKeyNames(spec as PartitionSpec)) {
        if (columns.has(key)) {
          problems.push(`column "${key}" clashes with the partition key "${key}" derived by time partitioning; rename the column`);
        }
      }
      return problems;
    }
    case 'columns': {
      const list = spec['columns'];
      if (!Array.isArray(list) || list.length === 0) return ['columns partitioning needs a non-empty list of columns'];
      const problems: string[] = [];
      const seen = new Set<unknown>();
      for (const name of list as unknown[]) {
        if (seen.has(name)) problems.push(`partition column "${String(name)}" is listed twice`);
        seen.add(name);
        const column = typeof name === 'string' ? columns.get(name) : undefined;
        if (column === undefined) {
          problems.push(`partition column "${String(name)}" is not a column of the table`);
          continue;
        }
        if (!PARTITION_COLUMN_KINDS.includes(column.type.kind)) {
          problems.push(`partition column "${String(name)}" must be int, bigint, string, enum or date, got ${formatColumnType(column.type)}`);
        }
        if (column.isNullable) problems.push(`partition column "${String(name)}" must not be nullable`);
      }
      if (columns.size > 0 && [...columns.keys()].every((c) => seen.has(c))) {
        problems.push('at least one column must stay inside the files (not every column can be a partition column)');
      }
      return problems;
    }
    default:
      return [`partitioning kind must be 'none', 'time' or 'columns', got ${JSON.stringify(spec['kind'])}`];
  }
}
