import { CoreError } from '../errors/core-error.js';

/** A partition value as it appears in a filter or a decoded path. */
export type PartitionScalar = string | number | null;

/** One condition on a partition key. A bare value means equality. */
export type PartitionCondition =
  | PartitionScalar
  | { eq?: PartitionScalar; ne?: PartitionScalar; gt?: number | string; gte?: number | string; lt?: number | string; lte?: number | string; in?: readonly PartitionScalar[] };

/**
 * A conjunction of conditions on partition keys: `{ year: 2025, month: { gte: 10 } }` means
 * `year = 2025 AND month >= 10`. Keys absent from the filter match anything.
 */
export type PartitionFilter = Record<string, PartitionCondition>;

/**
 * Compares a partition value `a` with a filter operand `b`: numerically when the operand is a
 * number and the value reads as one (so `month=10` > 9), as text when the operand is a string
 * (so `code = '007'` does not match `code=7`). `null` sorts first.
 */
function compare(a: PartitionScalar, b: PartitionScalar): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (typeof b === 'number') {
    const na = typeof a === 'number' ? a : /^-?\d+(\.\d+)?$/.test(a) ? Number(a) : NaN;
    if (!Number.isNaN(na)) return na - b;
  }
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * Whether partition values satisfy a filter (every condition must hold). A filter key the values
 * lack never matches, so a typo cannot silently select everything.
 *
 * @example
 * ```ts
 * matchesPartitionFilter({ year: '2025', month: '11' }, { year: 2025, month: { gte: 10 } }); // true
 * ```
 */
export function matchesPartitionFilter(values: Record<string, PartitionScalar>, filter: PartitionFilter): boolean {
  for (const [key, condition] of Object.entries(filter)) {
    if (!(key in values)) return false;
    const value = values[key] ?? null;
    if (condition === null || typeof condition !== 'object') {
      if (compare(value, condition) !== 0) return false;
      continue;
    }
    if ('eq' in condition && compare(value, condition.eq ?? null) !== 0) return false;
    if ('ne' in condition && compare(value, condition.ne ?? null) === 0) return false;
    if (condition.gt !== undefined && (value === null || compare(value, condition.gt) <= 0)) return false;
    if (condition.gte !== undefined && (value === null || compare(value, condition.gte) < 0)) return false;
    if (condition.lt !== undefined && (value === null || compare(value, condition.lt) >= 0)) return false;
    if (condition.lte !== undefined && (value === null || compare(value, condition.lte) > 0)) return false;
    if (condition.in !== undefined && !condition.in.some((candidate) => compare(value, candidate) === 0)) return false;
  }
  return true;
}

const OPERATORS: Record<string, keyof Exclude<PartitionCondition, PartitionScalar>> = {
  '=': 'eq',
  '==': 'eq',
  '!=': 'ne',
  '<>': 'ne',
  '>': 'gt',
  '>=': 'gte',
  '<': 'lt',
  '<=': 'lte',
};

/**
 * Parses a SQL-like partition predicate — conditions joined by `and`, each `key op value` with op
 * one of `= != <> < <= > >=`, or `key in (v1, v2)` — into a {@link PartitionFilter}. Values are
 * numbers or single-quoted strings (`''` escapes a quote). Each operator may appear once per key
 * (`month >= 3 and month < 7` is fine; `month >= 3 and month >= 5` is refused rather than keeping
 * only one of them). Anything else is refused with the column where parsing stopped.
 *
 * @example
 * ```ts
 * parsePartitionFilter("year = 2025 and month >= 10");
 * // { year: { eq: 2025 }, month: { gte: 10 } }
 * parsePartitionFilter("country in ('US', 'CO')");
 * ```
 */
export function parsePartitionFilter(text: string): PartitionFilter {
  const filter: Record<string, Exclude<PartitionCondition, PartitionScalar>> = {};
  let pos = 0;
  const fail = (why: string): never => {
    throw new CoreError('InvalidArgument', `Cannot parse partition filter ${JSON.stringify(text)} at column ${pos + 1}: ${why}`);
  };
  const skip = () => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const match = (re: RegExp): string | undefined => {
    skip();
    const m = re.exec(text.slice(pos));
    if (!m || m.index !== 0) return undefined;
    pos += m[0].length;
    return m[0];
  };
  const value = (): PartitionScalar => {
    const num = match(/^-?\d+(\.\d+)?/);
    if (num !== undefined) return Number(num);
    const str = match(/^'(?:[^']|'')*'/);
    if (str !== undefined) return str.slice(1, -1).replace(/''/g, "'");
    if (match(/^null\b/i) !== undefined) return null;
    return fail('expected a number, a quoted string or null');
  };
  for (;;) {
    const key = match(/^[A-Za-z_][A-Za-z0-9_]*/) ?? fail('expected a partition key');
    const condition = (filter[key] ??= {});
    if (match(/^in\b/i) !== undefined) {
      if (match(/^\(/) === undefined) fail('expected "(" after IN');
      const list: PartitionScalar[] = [value()];
      while (match(/^,/) !== undefined) list.push(value());
      if (match(/^\)/) === undefined) fail('expected ")"');
      if (condition.in !== undefined) fail(`condition "${key} in (…)" given more than once`);
      condition.in = list;
    } else {
      const op = match(/^(==|!=|<>|>=|<=|=|>|<)/) ?? fail('expected an operator (= != <> < <= > >= in)');
      const v = value();
      const name = OPERATORS[op]!;
      // A second condition with the same operator would overwrite the first and widen the selection.
      if (name in condition) fail(`condition "${key} ${op} …" given more than once (write each operator once per key)`);
      if ((name === 'gt' || name === 'gte' || name === 'lt' || name === 'lte') && v === null) fail(`${op} needs a value, not null`);
      (condition as Record<string, unknown>)[name] = v;
    }
    skip();
    if (pos >= text.length) return filter;
    if (match(/^and\b/i) === undefined) fail('expected AND or the end of the filter');
  }
}
