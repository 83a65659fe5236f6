/**
 * The SQL subset DuckDB and Athena (Trino) share. Model SQL is checked against a deny-list of
 * DuckDB-only syntax and functions (with the portable alternative in the message) and an
 * allow-list of functions known to behave the same on both engines.
 *
 * Not detectable here, so a model must avoid it by construction: integer `/` (DuckDB returns a
 * DOUBLE, Trino truncates) — cast one side to DOUBLE or DECIMAL first.
 *
 * @module
 */
import { TransformError } from '../errors/transform-error.js';
import type { AnyModel } from '../model/define-model.js';

/**
 * One finding of {@link checkSqlSubset}.
 *
 * @example
 * ```ts
 * const issue: SqlSubsetIssue = { code: 'denied_syntax', match: '::', message: '"::" casts are DuckDB-only: use CAST(x AS type)' };
 * ```
 */
export interface SqlSubsetIssue {
  code: 'denied_syntax' | 'denied_function' | 'unknown_function';
  /** The offending text. */
  match: string;
  message: string;
}

/**
 * Functions that exist with the same meaning in DuckDB and Athena engine v3.
 *
 * @example
 * ```ts
 * SHARED_FUNCTIONS.has('date_trunc'); // true
 * ```
 */
export const SHARED_FUNCTIONS: ReadonlySet<string> = new Set([
  // aggregates
  'count', 'sum', 'avg', 'min', 'max', 'count_if', 'bool_and', 'bool_or', 'stddev', 'stddev_samp', 'stddev_pop', 'var_samp', 'var_pop',
  // window
  'lag', 'lead', 'row_number', 'rank', 'dense_rank', 'ntile', 'first_value', 'last_value', 'percent_rank', 'cume_dist',
  // scalar
  'cast', 'try_cast', 'coalesce', 'nullif', 'round', 'abs', 'floor', 'ceil', 'ceiling', 'sqrt', 'power', 'ln', 'exp', 'sign',
  'lower', 'upper', 'length', 'trim', 'ltrim', 'rtrim', 'substr', 'substring', 'replace', 'strpos', 'lpad', 'rpad', 'split_part', 'regexp_like',
  // dates (date_diff: only with the 'day' unit, on DATEs; checked separately)
  'date_trunc', 'date_diff', 'extract', 'year', 'month', 'day', 'hour', 'minute', 'second', 'quarter', 'week',
  // type names followed by "(" inside CAST
  'decimal', 'varchar', 'char',
]);

/** Keywords that can be followed by "(" without being a function call. */
const KEYWORDS = new Set([
  'as', 'in', 'on', 'and', 'or', 'not', 'over', 'exists', 'values', 'using', 'from', 'join', 'select', 'when', 'then', 'else', 'array', 'row',
  'filter', 'with', 'distinct', 'any', 'all', 'lateral', 'where', 'by', 'is', 'union', 'except', 'intersect', 'between', 'like', 'case', 'end', 'having',
]);

const DENIED_SYNTAX: readonly [RegExp, string][] = [
  [/::/, '"::" casts are DuckDB-only: use CAST(x AS type)'],
  [/`/, 'backtick identifiers are not SQL: use double quotes'],
  [/\bqualify\b/i, 'QUALIFY is DuckDB-only: filter a window result in an outer query'],
  [/\bexclude\s*\(/i, 'SELECT * EXCLUDE is DuckDB-only: list the columns'],
  [/\*\s*replace\s*\(/i, 'SELECT * REPLACE is DuckDB-only: list the columns'],
  [/\bcolumns\s*\(/i, 'COLUMNS(…) is DuckDB-only: list the columns'],
  [/\b(pivot|unpivot)\b/i, 'PIVOT/UNPIVOT are DuckDB-only: use CASE aggregates'],
  [/\basof\b/i, 'ASOF joins are DuckDB-only'],
  [/\bpositional\s+join\b/i, 'POSITIONAL JOIN is DuckDB-only'],
  [/\b(anti|semi)\s+join\b/i, 'ANTI/SEMI JOIN are DuckDB-only: use NOT EXISTS / EXISTS'],
  [/\b(group|order)\s+by\s+all\b/i, 'GROUP BY ALL / ORDER BY ALL are DuckDB-only: list the columns'],
  [/\busing\s+sample\b/i, 'USING SAMPLE is DuckDB-only'],
  [/\bilike\b/i, 'ILIKE is DuckDB-only: use lower(x) LIKE …'],
  [/->>/, 'the ->> JSON operator is DuckDB-only'],
  [/\/\//, '"//" integer division is DuckDB-only'],
  [/\^/, '"^" is not a power operator in Trino: use power(x, y)'],
  [/\binterval\s+\d/i, "INTERVAL 1 DAY is DuckDB-only: write INTERVAL '1' DAY"],
  [/[{}]/, 'struct/map literals ({…}) and templates other than {{ ref() }} are not in the subset'],
  [/(?<!\barray\s*)\[/i, 'list literals […] are DuckDB-only: use ARRAY[…]'],
];

const DENIED_FUNCTIONS: Readonly<Record<string, string>> = {
  strftime: 'not shared: return parts with year()/month() and format them in the dashboard',
  strptime: 'parse with CAST(x AS TIMESTAMP)',
  epoch: 'not shared: use date_diff', epoch_ms: 'not shared: use date_diff', epoch_us: 'not shared: use date_diff',
  to_timestamp: 'differs between engines: store timestamps typed', from_unixtime: 'Trino-only',
  date_part: 'use extract(part FROM x) or year()/month()/day()/hour()', datepart: 'use extract(part FROM x)',
  datediff: "use date_diff('day', a, b)", date_add: 'signatures differ: use date_diff or INTERVAL arithmetic', date_sub: 'signatures differ',
  dayofweek: "DuckDB's is 0 = Sunday, Trino's day_of_week is ISO: compute from date_diff('day', DATE '1970-01-05', d) % 7",
  isodow: 'DuckDB-only (see dayofweek)', day_of_week: 'Trino-only (see dayofweek)', dow: 'see dayofweek', dayname: 'DuckDB-only', monthname: 'DuckDB-only',
  today: 'use current_date', struct_pack: 'DuckDB-only', struct_extract: 'DuckDB-only',
  read_parquet: 'models read inputs with {{ ref() }}', read_csv: 'models read inputs with {{ ref() }}', read_csv_auto: 'models read inputs with {{ ref() }}',
  read_json: 'models read inputs with {{ ref() }}', parquet_scan: 'models read inputs with {{ ref() }}',
  string_agg: 'use array_join(array_agg(x), sep) — not shared either: avoid', group_concat: 'not shared', listagg: 'not shared',
  regexp_matches: 'use regexp_like', regexp_full_match: 'use regexp_like with ^…$', len: 'use length', strlen: 'use length', printf: 'not shared', format: 'differs between engines',
  ifnull: 'use coalesce', iff: 'use CASE', if: 'use CASE', median: 'not shared: approx_percentile (Trino) vs median (DuckDB)', quantile: 'not shared',
  arg_max: 'not shared: use a row_number() window', arg_min: 'not shared: use a row_number() window',
  generate_series: 'not shared', range: 'not shared', unnest: 'semantics differ: avoid in models',
  concat: 'NULL handling differs (DuckDB skips NULL arguments, Trino returns NULL): use || (NULL on both) with coalesce',
  greatest: 'NULL handling differs (DuckDB ignores NULLs, Trino returns NULL): use CASE, or coalesce the arguments',
  least: 'NULL handling differs (DuckDB ignores NULLs, Trino returns NULL): use CASE, or coalesce the arguments',
  regexp_replace: 'DuckDB replaces the first match only (without the g flag), Trino every match: avoid, or use replace()',
  day_of_year: 'Trino-only (DuckDB: dayofyear): use extract(doy FROM x)', doy: 'use extract(doy FROM x)', dayofyear: 'DuckDB-only: use extract(doy FROM x)',
  approx_distinct: 'Trino-only (DuckDB: approx_count_distinct): use count(DISTINCT x)', approx_count_distinct: 'DuckDB-only: use count(DISTINCT x)',
};

/** `date_diff(unit, …)`: DuckDB counts unit boundaries crossed, Trino whole units elapsed; they agree only for 'day' on DATEs. */
const DATE_DIFF_UNIT = /\bdate_diff\s*\(\s*'([^']*)'/gi;

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ');
}

function stripLiterals(sql: string): string {
  return stripComments(sql.replace(/\{\{\s*ref\(\s*'[^']*'\s*\)\s*\}\}/g, ' ref_input '))
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"(?:[^"]|"")*"/g, 'quoted_identifier');
}

/**
 * Checks model SQL against the shared subset; returns every issue (empty when portable).
 *
 * @example
 * ```ts
 * checkSqlSubset('SELECT order_time::DATE AS d, strftime(order_time, \'%Y\') FROM {{ ref(\'orders\') }}');
 * // [{ code: 'denied_syntax', match: '::', … }, { code: 'denied_function', match: 'strftime', … }]
 * ```
 */
export function checkSqlSubset(sql: string): SqlSubsetIssue[] {
  const text = stripLiterals(sql);
  const issues: SqlSubsetIssue[] = [];
  for (const [pattern, message] of DENIED_SYNTAX) {
    const m = pattern.exec(text);
    if (m) issues.push({ code: 'denied_syntax', match: m[0], message });
  }
  for (const m of stripComments(sql).matchAll(DATE_DIFF_UNIT)) {
    if ((m[1] ?? '').toLowerCase() !== 'day') {
      issues.push({
        code: 'denied_function',
        match: 'date_diff',
        message: `date_diff('${m[1] ?? ''}', …) differs between engines (DuckDB counts boundaries crossed, Trino whole units): use date_diff('day', …) on DATEs, or compare year()/month()`,
      });
      break;
    }
  }
  const seen = new Set<string>();
  for (const m of text.matchAll(/\b([a-z_][a-z0-9_]*)\s*\(/gi)) {
    const name = (m[1] ?? '').toLowerCase();
    if (seen.has(name) || KEYWORDS.has(name)) continue;
    seen.add(name);
    const denied = DENIED_FUNCTIONS[name];
    if (denied !== undefined) {
      issues.push({ code: 'denied_function', match: name, message: `${name}() is not in the DuckDB ∩ Athena subset: ${denied}` });
    } else if (!SHARED_FUNCTIONS.has(name)) {
      issues.push({ code: 'unknown_function', match: name, message: `${name}() is not on the list of functions known to behave alike on DuckDB and Athena` });
    }
  }
  return issues;
}

/**
 * Throws `SqlSubset` listing every issue of a model's SQL.
 *
 * @example
 * ```ts
 * for (const model of techstoreModels) assertSqlSubset(model);
 * ```
 */
export function assertSqlSubset(model: AnyModel): void {
  const issues = checkSqlSubset(model.sql);
  if (issues.length > 0) {
    throw new TransformError('SqlSubset', `Model "${model.name}" leaves the DuckDB ∩ Athena subset: ${issues.map((i) => i.message).join('; ')}`, {
      context: { model: model.name },
    });
  }
}
