/**
 * Cleaning rules compiled to DuckDB SQL: the typed values the JS engine (`readCsvBatches` with the
 * rules of `src/cleaning/`) gives for a CSV row, as SELECT-list expressions over the row's raw text,
 * plus one boolean that is TRUE for every row the JS engine would not accept as is.
 *
 * The compiled SQL is speculative: it never has to say *why* a row is refused (the JS engine reads
 * the file again for that), only that it is. Its guarantee, checked by the differential tests beside
 * this file: for every row where `rejected` is FALSE, each column expression gives exactly the value
 * the JS engine stores. `rejected` may be TRUE for a row the JS engine accepts (a spelling this
 * module does not prove equal, such as `2025-01-31Z` as a timestamp or non-ASCII text under
 * `upper`); that only costs the fast path.
 *
 * Each column is a CASE: an empty field (when `''` is a null token), then the canonical spelling of
 * the kind checked by a cheap cast round trip (`CAST(TRY_CAST(c AS INTEGER) AS VARCHAR) = c`: the
 * JS grammar accepts that text with the same value), else the exact slow path (trim, null tokens,
 * coercions, a regexp guard of the JS grammar, then the cast).
 *
 * Input relation: one VARCHAR column per header field, named `"c0"`, `"c1"`, … in file order, each
 * holding the field's text exactly as the JS tokenizer gives it (quotes removed, `""` unescaped,
 * nothing trimmed), never NULL (a NULL makes `rejected` TRUE, which is safe but slow).
 *
 * @module
 */
import type { ColumnType, TableColumn } from '@lakeblocks/core';
import { toDuckDbType } from '@lakeblocks/core';
import type { TableCleaning } from '../cleaning/cleaning-rules.js';
import { normalizeColumnName } from '../cleaning/column-names.js';
import { BUILTIN_COERCIONS, resolveCoercions, type Coercion } from '../cleaning/coercions.js';
import { civilFromEpochDay, ParseFailure, valueParserFor } from '../cleaning/value-parsers.js';

/**
 * The compiled cleaning of one file: typed columns, the rejection flag and the partition values,
 * all SQL over the raw relation described in the module documentation.
 *
 * @example
 * ```ts
 * const sql = compileCleaningSql(cleaning, ['order_id', 'order_time']);
 * if (!('ineligible' in sql)) {
 *   // Simple plan: a filter that aborts on the first refused row.
 *   const simple = `SELECT ${[...sql.columns, ...sql.partitions.map((p) => `${p.expr} AS "${p.name}"`)].join(', ')}
 *     FROM raw WHERE CASE WHEN ${sql.rejected} THEN error('fall back') ELSE true END`;
 *   // Faster plan (~2x): strict columns raise REFUSED_ROW_ERROR themselves; keys from the typed column.
 *   const fast = `SELECT *, ${sql.partitionsOverColumns!.map((p) => `${p.expr} AS "${p.name}"`).join(', ')}
 *     FROM (SELECT ${sql.strictColumns.join(', ')} FROM raw)`;
 * }
 * ```
 */
export interface CleaningSql {
  /**
   * SELECT-list items, one per table column (partition columns of `columns` partitioning included)
   * in table order, each `<expr> AS "<column>"`, typed as core's `toDuckDbType` of the column
   * (INTEGER, BIGINT, DOUBLE, DECIMAL(p,s), VARCHAR, BOOLEAN, DATE, TIMESTAMP).
   */
  readonly columns: readonly string[];
  /**
   * Boolean SQL expression, never NULL: TRUE when the JS engine would not accept the row as is
   * (a value it cannot coerce or parse, a missing value in a non-null column, a row repeating the
   * header, a null time/partition value), or when this module cannot prove the values equal.
   * It does not cover what the caller owns: field count, RFC 4180 problems, duplicate keys.
   */
  readonly rejected: string;
  /**
   * Hive partition keys in path order: `name` and an SQL expression over the raw relation giving the
   * JS partition value (time partitioning: `year`/`month`/`day` as INTEGER, UTC; `columns`
   * partitioning: INTEGER for `int` columns, else the coerced text as VARCHAR, unescaped).
   */
  readonly partitions: readonly { readonly name: string; readonly expr: string }[];
  /** The items of {@link CleaningSql.columns} stored inside the files (the table's `fileColumns`), in file order. */
  readonly fileColumns: readonly string[];
  /**
   * The same partition values as {@link CleaningSql.partitions}, but over the *output* relation
   * (the `columns` items by name): much cheaper in an outer SELECT than recomputing the time value
   * from the raw text per key. Absent when a key cannot be derived from the typed column (`columns`
   * partitioning on a bigint, decimal or date column, whose JS partition value is the text as written).
   */
  readonly partitionsOverColumns?: readonly { readonly name: string; readonly expr: string }[];
  /**
   * The fastest plan: the {@link CleaningSql.columns} items (same names, types and values) made
   * *strict*: each calls DuckDB's `error('lakeblocks cleaning: row refused …')` on a row the JS engine
   * would not accept as is, so no `rejected` filter is needed (every item must be consumed by the
   * query, or DuckDB may prune it): for a row, some strict item errors exactly when `rejected` is TRUE.
   */
  readonly strictColumns: readonly string[];
  /** The items of {@link CleaningSql.strictColumns} stored inside the files, in file order. */
  readonly strictFileColumns: readonly string[];
}

/**
 * The text of the error a strict column raises (see {@link CleaningSql.strictColumns}): the caller
 * recognises it to fall back to the JS engine.
 *
 * @example
 * ```ts
 * if (String(error).includes(REFUSED_ROW_ERROR)) console.log('fall back to the JS engine');
 * ```
 */
export const REFUSED_ROW_ERROR = 'lakeblocks cleaning: row refused';

/**
 * Why a table's rules cannot run as SQL (the caller uses the JS engine).
 *
 * @example
 * ```ts
 * const r: CleaningSqlIneligible = { ineligible: 'row checks are JS functions' };
 * ```
 */
export interface CleaningSqlIneligible {
  readonly ineligible: string;
}

/**
 * Compiles a table's cleaning rules for a file with header record `header` (raw, before
 * normalisation) into DuckDB SQL, or says why it cannot: row checks, coercion functions, a header
 * the JS engine refuses (unknown, repeated or missing columns), enum values with surrounding blanks.
 *
 * @example
 * ```ts
 * import { compileCleaningSql } from './cleaning-sql.js';
 * const sql = compileCleaningSql(techstoreCleaning[0]!, ['order_id', 'customer_id', 'order_time', …]);
 * if ('ineligible' in sql) console.log('JS engine:', sql.ineligible);
 * else console.log(sql.columns[0]); // CASE WHEN … END AS "order_id"
 * ```
 */
export function compileCleaningSql(cleaning: TableCleaning, header: readonly string[]): CleaningSql | CleaningSqlIneligible {
  const { table, rules } = cleaning;
  if ((rules.checks ?? []).length > 0) return { ineligible: 'row checks are JS functions' };
  const trim = rules.trim ?? true;
  const nullTokens = [...new Set(rules.nullTokens ?? [''])];
  const normalize = (rules.columnNames ?? 'normalize') === 'normalize' ? normalizeColumnName : (s: string) => s.replace(/^\uFEFF/, '');
  const rename = rules.rename ?? {};

  // The header as the JS reader sees it (same expression, so the same quirks).
  const names: unknown[] = header.map((f) => {
    const n = normalize(f);
    return rename[n] ?? n;
  });
  const index = new Map<string, number>();
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (typeof name !== 'string' || !table.hasColumn(name)) return { ineligible: `header field ${JSON.stringify(header[i])} is not a column of "${table.name}"` };
    if (index.has(name)) return { ineligible: `column "${name}" appears twice in the header` };
    index.set(name, i);
  }
  const missing = table.columns.filter((c) => !index.has(c.name) && !c.nullable && rules.defaults?.[c.name] === undefined);
  if (missing.length > 0) return { ineligible: `missing column(s) ${missing.map((c) => `"${c.name}"`).join(', ')}` };

  const plans = new Map<string, ColumnSql>();
  const partitionSources = new Set(table.partitionKeys.map((k) => k.column));
  const rejectedTerms: string[] = [];
  for (const column of table.columns) {
    const coercions = rules.coerce?.[column.name] ?? rules.coerceKinds?.[column.type.kind];
    const names_ = builtinNames(coercions);
    if (names_ === undefined) return { ineligible: `column "${column.name}" has a coercion function` };
    if (column.type.kind === 'enum' && trim && column.type.values.some((v) => /^[ \t]|[ \t]$/.test(v))) {
      return { ineligible: `enum column "${column.name}" has a value with leading or trailing blanks` };
    }
    const source = index.get(column.name);
    const partitionSource = partitionSources.has(column.name);
    const plan = compileColumn(column, source === undefined ? undefined : `"c${source}"`, names_, coercions, rules.defaults?.[column.name], trim, nullTokens, partitionSource);
    if ('ineligible' in plan) return plan;
    plans.set(column.name, plan);
    if (plan.rejected !== 'false') rejectedTerms.push(plan.rejected);
  }

  const partitions: { name: string; expr: string }[] = [];
  let overColumns: { name: string; expr: string }[] | undefined = [];
  const partitioning = table.partitioning;
  if (partitioning.kind === 'time') {
    const plan = plans.get(partitioning.column)!;
    // A null time value would land in 1970-01-01 in the JS reader: never worth a fast path.
    if (plan.nullable) rejectedTerms.push(`(${plan.value}) IS NULL`);
    for (const key of table.partitionKeys) {
      partitions.push({ name: key.name, expr: `CAST(${key.name}(${plan.value}) AS INTEGER)` });
      overColumns.push({ name: key.name, expr: `CAST(${key.name}(${quoteIdent(partitioning.column)}) AS INTEGER)` });
    }
  } else if (partitioning.kind === 'columns') {
    for (const key of table.partitionKeys) {
      const plan = plans.get(key.column)!;
      // The JS reader keeps the coerced text (a number for int columns); null goes to the default partition: fall back.
      const expr = key.type.kind === 'int' ? plan.value : plan.text;
      if (plan.nullable) rejectedTerms.push(`(${expr}) IS NULL`);
      partitions.push({ name: key.name, expr });
      // The typed value is the text itself for strings and enums (their parsers return the text).
      if (['int', 'string', 'enum'].includes(key.type.kind)) overColumns?.push({ name: key.name, expr: quoteIdent(key.column) });
      else overColumns = undefined;
    }
  }

  const item = (c: TableColumn): string => `${plans.get(c.name)!.value} AS ${quoteIdent(c.name)}`;
  const strictItem = (c: TableColumn): string => `${plans.get(c.name)!.strict} AS ${quoteIdent(c.name)}`;
  return {
    columns: table.columns.map(item),
    fileColumns: table.fileColumns.map(item),
    strictColumns: table.columns.map(strictItem),
    strictFileColumns: table.fileColumns.map(strictItem),
    rejected: rejectedTerms.length === 0 ? 'false' : `coalesce(${rejectedTerms.map((t) => `(${t})`).join(' OR ')}, true)`,
    partitions,
    ...(overColumns === undefined ? {} : { partitionsOverColumns: overColumns }),
  };
}

interface ColumnSql {
  /** Typed value; NULL when null or refused. */
  value: string;
  /** Coerced text (the JS reader's `texts[c]`), for `columns` partitions; NULL when null or refused. */
  text: string;
  /** TRUE when the JS reader refuses the value ('false' when it never does). */
  rejected: string;
  /** Whether a NULL value is accepted (nullable, no default). */
  nullable: boolean;
  /** `value`, raising an error where `rejected` (or, for a partition source, where the value is null). */
  strict: string;
}

type BuiltinName = keyof typeof BUILTIN_COERCIONS;

/** The coercions as built-in names (a built-in passed as a function counts), or undefined when one is a custom function. */
function builtinNames(coercions: Coercion | readonly Coercion[] | undefined): BuiltinName[] | undefined {
  if (coercions === undefined) return [];
  const list = (Array.isArray(coercions) ? coercions : [coercions]) as readonly Coercion[];
  const out: BuiltinName[] = [];
  for (const c of list) {
    if (typeof c === 'string') {
      if (!(c in BUILTIN_COERCIONS)) return undefined;
      out.push(c);
      continue;
    }
    const name = (Object.keys(BUILTIN_COERCIONS) as BuiltinName[]).find((k) => BUILTIN_COERCIONS[k] === c);
    if (name === undefined) return undefined;
    out.push(name);
  }
  return out;
}

function compileColumn(
  column: TableColumn,
  raw: string | undefined,
  coercionNames: readonly BuiltinName[],
  coercions: Coercion | readonly Coercion[] | undefined,
  defaultText: string | undefined,
  trim: boolean,
  nullTokens: readonly string[],
  partitionSource: boolean,
): ColumnSql | CleaningSqlIneligible {
  const type = column.type;
  const sqlType = toDuckDbType(type);
  // The default, coerced and parsed once by the JS functions themselves (as the reader does).
  let defaultValue: string | undefined;
  let defaultCoerced: string | undefined;
  if (defaultText !== undefined) {
    const coerce = resolveCoercions(coercions);
    const coerced = coerce === undefined ? defaultText : coerce(defaultText);
    const parsed = typeof coerced === 'string' ? valueParserFor(type)(coerced) : undefined;
    if (parsed !== undefined && !(parsed instanceof ParseFailure)) {
      defaultValue = literalOf(type, parsed);
      defaultCoerced = coerced as string;
    }
  }
  const acceptsNull = column.nullable && defaultText === undefined;
  const nullValue = defaultValue ?? `CAST(NULL AS ${sqlType})`;
  const nullText = defaultCoerced === undefined ? 'CAST(NULL AS VARCHAR)' : sqlString(defaultCoerced);
  const refuse = `error(${sqlString(`${REFUSED_ROW_ERROR} (column ${column.name})`)})`;
  // A null partition value (JS: 1970-01-01, or the default partition) is refused too: not worth a fast path.
  const nullStrict = acceptsNull && !partitionSource ? nullValue : (defaultValue ?? refuse);
  const strictOf = (expr: string): string => `CAST(${expr} AS ${sqlType})`;
  if (raw === undefined) {
    // Absent from the file: every row is null (the header check made sure that is allowed).
    if (!acceptsNull && defaultValue === undefined) return { ineligible: `column "${column.name}" is absent and its default ${JSON.stringify(defaultText)} does not parse` };
    return { value: nullValue, text: nullText, rejected: 'false', nullable: acceptsNull, strict: strictOf(nullStrict) };
  }
  // Slow path: the JS string path step by step (trim, null tokens, coercions, strict parser), exact for every text.
  const t = trim ? `trim(${raw}, ' \t')` : raw;
  const isNull = nullTokens.length === 1 && nullTokens[0] === '' ? `(${t} = '')` : `(${t} IN (${nullTokens.map(sqlString).join(', ')}))`;
  let coerced = t;
  for (const name of coercionNames) coerced = coercionSql(name, coerced);
  const parsed = parseSql(type, coerced);
  const slowValue = `CASE WHEN ${isNull} THEN ${nullValue} ELSE ${parsed} END`;
  const text = `CASE WHEN ${isNull} THEN ${nullText} ELSE ${coerced} END`;
  // Refused: a non-null text that does not coerce/parse; or null where null is not accepted (and no valid default).
  const slowRejected = acceptsNull ? `(${parsed}) IS NULL AND NOT ${isNull}` : `(${slowValue}) IS NULL`;
  const slowStrict = `CASE WHEN ${isNull} THEN ${nullStrict} ELSE coalesce(${parsed}, ${refuse}) END`;
  const strictWhens: string[] = [];
  // Fast paths, tried first: an empty field ('' a null token), then the canonical spelling of the
  // kind (cheap cast round trips), which the JS engine provably reads as the same value.
  const whens: string[] = [];
  const rejectWhens: string[] = [];
  if (nullTokens.includes('')) {
    whens.push(`WHEN ${raw} = '' THEN ${nullValue}`);
    strictWhens.push(`WHEN ${raw} = '' THEN ${nullStrict}`);
    rejectWhens.push(`WHEN ${raw} = '' THEN ${!acceptsNull && defaultValue === undefined}`);
  }
  const fast = fastPath(type, coercionNames, raw, trim);
  if (fast !== undefined) {
    const tokens = nullTokens.filter((n) => n !== '');
    const cond = tokens.length === 0 ? fast.cond : `(${fast.cond}) AND NOT (${raw} IN (${tokens.map(sqlString).join(', ')}))`;
    whens.push(`WHEN ${cond} THEN ${fast.value}`);
    strictWhens.push(`WHEN ${cond} THEN ${fast.value}`);
    rejectWhens.push(`WHEN ${cond} THEN false`);
  }
  const value = whens.length === 0 ? slowValue : `CASE ${whens.join(' ')} ELSE ${slowValue} END`;
  const rejected = rejectWhens.length === 0 ? slowRejected : `CASE ${rejectWhens.join(' ')} ELSE ${slowRejected} END`;
  const strict = strictOf(strictWhens.length === 0 ? slowStrict : `CASE ${strictWhens.join(' ')} ELSE ${slowStrict} END`);
  return { value, text, rejected, nullable: acceptsNull, strict };
}

/**
 * Coercions that leave the canonical spelling of a kind unchanged (so the fast path may skip them):
 * e.g. `integral-float` never touches `2025-01-31T10:00:00`, but `lower` does (`t`), and `yes-no`
 * turns the int `1` into `true`.
 */
const IDENTITY_ON_CANONICAL: Partial<Record<ColumnType['kind'], readonly BuiltinName[]>> = {
  int: ['integral-float', 'money', 'month-year', 'date-from-timestamp', 'upper', 'lower'],
  bigint: ['integral-float', 'money', 'month-year', 'date-from-timestamp', 'upper', 'lower'],
  double: ['money', 'month-year', 'date-from-timestamp', 'upper', 'lower'],
  decimal: ['money', 'month-year', 'date-from-timestamp', 'upper', 'lower'],
  date: ['integral-float', 'money', 'month-year', 'yes-no', 'date-from-timestamp', 'upper', 'lower'],
  timestamp: ['integral-float', 'money', 'month-year', 'yes-no', 'upper'],
  boolean: ['integral-float', 'money', 'month-year', 'yes-no', 'date-from-timestamp', 'upper', 'lower'],
};

/**
 * The canonical-spelling fast path of a column: a condition on the raw text that implies the JS
 * engine reads it (untrimmed, not a null token — checked by the caller — through the coercions) as
 * exactly `value`. Round trips: the text equals DuckDB's own spelling of the value it casts to, a
 * spelling the JS grammar accepts with the same meaning.
 */
function fastPath(type: ColumnType, coercionNames: readonly BuiltinName[], c: string, trim: boolean): { cond: string; value: string } | undefined {
  const allowed = IDENTITY_ON_CANONICAL[type.kind] ?? [];
  if (!coercionNames.every((n) => allowed.includes(n))) return undefined;
  const cast = (sqlType: string): string => `TRY_CAST(${c} AS ${sqlType})`;
  switch (type.kind) {
    case 'int':
    case 'bigint': {
      const v = cast(toDuckDbType(type));
      // `integral-float`: `101.0` reads as 101 too (DuckDB casts it to 101; the text check makes it exact).
      const cond = coercionNames.includes('integral-float') ? `CAST(${v} AS VARCHAR) = CASE WHEN ends_with(${c}, '.0') THEN left(${c}, -2) ELSE ${c} END` : `CAST(${v} AS VARCHAR) = ${c}`;
      return { cond, value: v };
    }
    case 'double': {
      const v = cast('DOUBLE');
      return { cond: `isfinite(${v}) AND CAST(${v} AS VARCHAR) = ${c}`, value: v };
    }
    case 'decimal': {
      const v = cast(`DECIMAL(${type.precision},${type.scale})`);
      return { cond: `CAST(${v} AS VARCHAR) = ${c}`, value: v };
    }
    case 'date': {
      const v = cast('DATE');
      // DuckDB reads year 0 as 1 BC; the JS parser refuses it.
      return { cond: `CAST(${v} AS VARCHAR) = ${c} AND NOT starts_with(${c}, '0000')`, value: v };
    }
    case 'timestamp': {
      const v = cast('TIMESTAMP');
      // `YYYY-MM-DDTHH:MM:SS` or `YYYY-MM-DD HH:MM:SS` (whole seconds; anything else takes the exact slow path).
      // DuckDB reads year 0 as 1 BC (and strftime prints it `0000`); the JS parser refuses it.
      return { cond: `strftime(${v}, '%Y-%m-%dT%H:%M:%S') = replace(${c}, ' ', 'T') AND NOT starts_with(${c}, '0000')`, value: v };
    }
    case 'boolean':
      return { cond: `${c} IN ('true', 'false')`, value: `(${c} = 'true')` };
    case 'enum':
      if (coercionNames.length > 0) return undefined;
      return { cond: `${c} IN (${type.values.map(sqlString).join(', ')})`, value: c };
    case 'string': {
      if (coercionNames.length > 0) return undefined;
      const blanks = trim ? `NOT (${c} LIKE ' %' OR ${c} LIKE '% ' OR ${c} LIKE '\t%' OR ${c} LIKE '%\t') AND ` : '';
      const length = type.maxLength === undefined ? '' : ` AND length(${c}) <= ${type.maxLength}`;
      return { cond: `${blanks}NOT regexp_matches(${c}, '${CONTROL_CLASS}')${length}`, value: c };
    }
  }
}

// --- coercions: SQL text -> SQL text, NULL when the JS coercion fails (NULL in, NULL out) ------------

/** JS `\s`: the ECMAScript WhiteSpace and LineTerminator code points, as an RE2 class body. */
const JS_SPACE = '\\t\\n\\x0B\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';
/** A money amount the `money` coercion accepts (thousands separators each followed by exactly 3 digits). */
const MONEY_RE = `[+-]?\\$[${JS_SPACE}]*[+-]?(?:[0-9]+(?:,[0-9]{3})*|(?:,[0-9]{3})+)(?:\\.[0-9]+)?`;

function coercionSql(name: BuiltinName, t: string): string {
  switch (name) {
    case 'integral-float':
      return `CASE WHEN NOT contains(${t}, '.') THEN ${t} WHEN regexp_full_match(${t}, '[+-]?[0-9]+\\.0*') THEN split_part(${t}, '.', 1) WHEN regexp_full_match(${t}, '[+-]?[0-9]+\\.[0-9]*') THEN NULL ELSE ${t} END`;
    case 'money':
      return `CASE WHEN NOT (starts_with(${t}, '$') OR starts_with(${t}, '-$') OR starts_with(${t}, '+$')) THEN ${t} WHEN regexp_full_match(${t}, ${sqlString(MONEY_RE)}) THEN (CASE WHEN contains(${t}, '-') THEN '-' ELSE '' END) || replace(regexp_extract(${t}, '[0-9,.]*$'), ',', '') END`;
    case 'month-year': {
      const month = `CAST(split_part(${t}, '/', 1) AS INTEGER)`;
      return `CASE WHEN regexp_full_match(${t}, '[0-9]{1,2}/[0-9]{4}') THEN CASE WHEN ${month} BETWEEN 1 AND 12 THEN split_part(${t}, '/', 2) || '-' || lpad(CAST(${month} AS VARCHAR), 2, '0') || '-01' END ELSE ${t} END`;
    }
    case 'yes-no':
      return `CASE WHEN ${t} IN (${caseVariants(['yes', 'y', '1']).map(sqlString).join(', ')}) THEN 'true' WHEN ${t} IN (${caseVariants(['no', 'n', '0']).map(sqlString).join(', ')}) THEN 'false' ELSE ${t} END`;
    case 'date-from-timestamp':
      return `CASE WHEN regexp_full_match(${t}, '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\\.[0-9]+)?)?Z?') THEN left(${t}, 10) ELSE ${t} END`;
    case 'upper':
    case 'lower':
      // ASCII only (bytes = characters): JS and DuckDB case mappings differ beyond it ('ß', 'İ', final sigma).
      return `CASE WHEN strlen(${t}) = length(${t}) THEN ${name}(${t}) END`;
  }
}

/** Every upper/lower-case spelling of ASCII words (`'y'` → `['y', 'Y']`). */
function caseVariants(words: readonly string[]): string[] {
  const out = new Set<string>();
  for (const word of words) {
    let variants = [''];
    for (const ch of word) {
      const forms = [...new Set([ch.toLowerCase(), ch.toUpperCase()])];
      variants = variants.flatMap((v) => forms.map((f) => v + f));
    }
    for (const v of variants) out.add(v);
  }
  return [...out];
}

// --- typed parsers: SQL text -> typed value, NULL when the JS parser refuses it ---------------------

const CONTROL_CLASS = '[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]';
const FLOAT_RE = '[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?';
const DATE_RE = '[0-9]{4}-[0-9]{2}-[0-9]{2}';
const TIMESTAMP_RE = `${DATE_RE}(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{1,9})?)?)?(?:Z|[+-]00:?00)?`;

function parseSql(type: ColumnType, x: string): string {
  switch (type.kind) {
    case 'int':
      return `CASE WHEN regexp_full_match(${x}, '[+-]?[0-9]{1,10}') THEN TRY_CAST(${x} AS INTEGER) END`;
    case 'bigint':
      return `CASE WHEN regexp_full_match(${x}, '[+-]?[0-9]+') THEN TRY_CAST(${x} AS BIGINT) END`;
    case 'double':
      return `CASE WHEN regexp_full_match(${x}, '${FLOAT_RE}') AND isfinite(TRY_CAST(${x} AS DOUBLE)) THEN TRY_CAST(${x} AS DOUBLE) END`;
    case 'decimal':
      return `CASE WHEN regexp_full_match(${x}, ${sqlString(decimalPattern(type.precision, type.scale))}) THEN TRY_CAST(${x} AS DECIMAL(${type.precision},${type.scale})) END`;
    case 'string': {
      const length = type.maxLength === undefined ? '' : ` AND length(${x}) <= ${type.maxLength}`;
      return `CASE WHEN NOT regexp_matches(${x}, '${CONTROL_CLASS}')${length} THEN ${x} END`;
    }
    case 'enum':
      return `CASE WHEN ${x} IN (${type.values.map(sqlString).join(', ')}) THEN ${x} END`;
    case 'boolean':
      return `CASE WHEN ${x} IN (${caseVariants(['true']).map(sqlString).join(', ')}) THEN true WHEN ${x} IN (${caseVariants(['false']).map(sqlString).join(', ')}) THEN false END`;
    case 'date':
      return `CASE WHEN regexp_full_match(${x}, '${DATE_RE}') AND NOT starts_with(${x}, '0000') THEN TRY_CAST(${x} AS DATE) END`;
    case 'timestamp':
      return `CASE WHEN regexp_full_match(${x}, '${TIMESTAMP_RE}') AND NOT starts_with(${x}, '0000') THEN TRY_CAST(${x} AS TIMESTAMP) END`;
  }
}

/**
 * The decimal spellings the JS parser accepts for decimal(p,s): optional sign, at least one digit,
 * at most p−s integer digits once leading zeros are dropped, at most s fraction digits once
 * trailing zeros are dropped.
 */
function decimalPattern(precision: number, scale: number): string {
  const k = precision - scale;
  const int = k === 0 ? '0+' : `(?:0*[1-9][0-9]{0,${k - 1}}|0+)`;
  const frac = scale === 0 ? '0*' : `[0-9]{0,${scale}}0*`;
  const fracNonEmpty = scale === 0 ? '0+' : `(?:[0-9]{1,${scale}}0*|0+)`;
  return `[+-]?(?:${int}(?:\\.${frac})?|\\.${fracNonEmpty})`;
}

// --- literals --------------------------------------------------------------------------------------

function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A JS-parsed value (as stored in Arrow) as a typed DuckDB literal. */
function literalOf(type: ColumnType, value: number | bigint | string | boolean): string {
  switch (type.kind) {
    case 'int':
      return `CAST(${String(value)} AS INTEGER)`;
    case 'bigint':
      return `CAST(${String(value)} AS BIGINT)`;
    case 'double':
      return Object.is(value, -0) ? `CAST('-0.0' AS DOUBLE)` : `CAST('${String(value)}' AS DOUBLE)`;
    case 'decimal':
      return `CAST('${formatUnscaled(BigInt(value as number | bigint), type.scale)}' AS DECIMAL(${type.precision},${type.scale}))`;
    case 'string':
    case 'enum':
      return `CAST(${sqlString(value as string)} AS VARCHAR)`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'date': {
      const { year, month, day } = civilFromEpochDay(value as number);
      return `CAST('${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}' AS DATE)`;
    }
    case 'timestamp':
      return `make_timestamp(CAST(${String(value)} AS BIGINT))`;
  }
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function formatUnscaled(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const body = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${body}` : body;
}
