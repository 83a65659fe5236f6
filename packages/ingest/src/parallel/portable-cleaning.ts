/**
 * Cleaning rules that can cross to a worker thread: the table as plain data (rebuilt with
 * `defineTable` on the other side) and the rules when they hold no function (no custom coercion,
 * no check) and — unless the caller checks keys across ranges — no dedupe, whose keep-first needs
 * every earlier key.
 *
 * @module
 */
import { col, defineTable, type AnyTable, type ColumnType, type PartitionSpec } from '@lakeblocks/core';
import { defineCleaning, type CleaningRules, type TableCleaning } from '../cleaning/cleaning-rules.js';

/**
 * A structured-clone-safe form of a {@link TableCleaning}.
 *
 * @example
 * ```ts
 * const p = portableCleaning(ordersCleaning); // undefined when the rules hold functions or dedupe
 * ```
 */
export interface PortableCleaning {
  name: string;
  columns: { name: string; type: ColumnType; nullable: boolean }[];
  primaryKey: string[];
  partitioning: PartitionSpec;
  timeColumn: string | undefined;
  rules: CleaningRules;
}

const hasFunction = (value: unknown): boolean =>
  typeof value === 'function' || (Array.isArray(value) && value.some((v) => typeof v === 'function'));

/**
 * The portable form of `cleaning`, or `undefined` (with the reason in `why`) when it cannot run
 * in another thread as is.
 *
 * @example
 * ```ts
 * const p = portableCleaning(defineCleaning(orders, { coerceKinds: { int: 'integral-float' } }));
 * ```
 *
 * With `{ dedupe: true }`, `dedupe: 'keep-first'` is accepted: each worker then dedupes within its
 * range and reports the keys it kept, and the caller must check that no key was kept twice.
 */
export function portableCleaning(cleaning: TableCleaning, why: string[] = [], options: { dedupe?: boolean } = {}): PortableCleaning | undefined {
  const { table, rules } = cleaning;
  if (rules.dedupe === 'keep-first' && options.dedupe !== true) why.push('dedupe keeps the first of every key in file order');
  if ((rules.checks ?? []).length > 0) why.push('row checks are functions');
  for (const [name, c] of Object.entries({ ...(rules.coerce ?? {}), ...(rules.coerceKinds ?? {}) })) {
    if (hasFunction(c)) why.push(`coercion of ${name} is a function`);
  }
  if (why.length > 0) return undefined;
  return {
    name: table.name,
    columns: table.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
    primaryKey: [...table.primaryKey],
    partitioning: table.partitioning,
    timeColumn: table.timeColumn,
    rules: structuredClone(rules),
  };
}

function columnOf(type: ColumnType, nullable: boolean) {
  let c;
  switch (type.kind) {
    case 'decimal':
      c = col.decimal(type.precision, type.scale);
      break;
    case 'string':
      c = col.string(type.maxLength === undefined ? {} : { maxLength: type.maxLength });
      break;
    case 'enum':
      c = col.enum(type.values as [string, ...string[]]);
      break;
    default:
      c = col[type.kind]();
  }
  return nullable ? c.nullable() : c;
}

/**
 * Rebuilds the table and its rules from {@link portableCleaning}'s output.
 *
 * @example
 * ```ts
 * const cleaning = restoreCleaning(structuredClone(portableCleaning(ordersCleaning)!));
 * ```
 */
export function restoreCleaning(p: PortableCleaning): TableCleaning {
  const table: AnyTable = defineTable({
    name: p.name,
    columns: Object.fromEntries(p.columns.map((c) => [c.name, columnOf(c.type, c.nullable)])),
    primaryKey: p.primaryKey,
    partitioning: p.partitioning,
    ...(p.timeColumn === undefined ? {} : { timeColumn: p.timeColumn }),
  } as never);
  return defineCleaning(table, p.rules as never);
}
