/**
 * The streaming CSV reader: bytes → strict UTF-8 → RFC 4180 records → cleaned, typed rows →
 * Arrow record batches of the table's file schema, optionally grouped by Hive partition. Memory is
 * bounded by the batch size (and `maxPendingRows` when grouping), whatever the file size.
 * Every data record is either in a batch or passed to `onReject` with its line and reason, so
 * `rowsIn = rowsOut + rowsRejected` holds for every file.
 *
 * @module
 */
import type { AnyTable, PartitionValues, TableColumn } from '@lakeblocks/core';
import { partitionPath, toArrowSchema } from '@lakeblocks/core';
import type { RecordBatch, Schema } from 'apache-arrow';
import { columnBuilderFor, recordBatchOf, type ColumnBuilder } from '../arrow/column-builder.js';
import type { TableCleaning } from '../cleaning/cleaning-rules.js';
import { defineCleaning } from '../cleaning/cleaning-rules.js';
import { normalizeColumnName } from '../cleaning/column-names.js';
import { BUILTIN_COERCIONS, resolveCoercions, type CoercionFn } from '../cleaning/coercions.js';
import { civilFromEpochDay, ParseFailure, rangeParserFor, valueParserFor, type CellValue, type RangeParser, type ValueParser } from '../cleaning/value-parsers.js';
import { PrimaryKeySet, type SeenKeys } from '../dedupe/primary-key-set.js';
import { IngestError } from '../errors/ingest-error.js';
import type { RejectedRow } from '../rejects/rejected-row.js';
import { CsvTokenizer, FIELD_BUILT, type CsvRecordView } from './csv-tokenizer.js';
import { Utf8ChunkDecoder } from './utf8.js';

/**
 * Options of {@link readCsvBatches}.
 *
 * @example
 * ```ts
 * const options: ReadCsvOptions = { cleaning: defineCleaning(orders), file: 'orders.csv', batchRows: 10_000, onReject: console.warn };
 * ```
 */
export interface ReadCsvOptions {
  /** The table (with its cleaning rules) the rows must fit. A bare table gets the default rules. */
  cleaning: TableCleaning | AnyTable;
  /** The source named in rejects and errors (a raw key or a path). */
  file: string;
  /** Rows per record batch (default 65 536). */
  batchRows?: number;
  /** Emit batches whose rows all belong to one Hive partition of the table (default `false`). */
  groupByPartition?: boolean;
  /** With `groupByPartition`: when this many rows wait across partitions, the largest group is emitted (default 4 × `batchRows`). */
  maxPendingRows?: number;
  /** Receives every rejected row (default: dropped after counting — pass one to keep them). */
  onReject?: (row: RejectedRow) => void;
  /**
   * Primary keys seen so far, shared across files of one run for `dedupe: 'keep-first'` (default: a
   * fresh {@link PrimaryKeySet} per file). A `Set<string | number>` works too, but costs ~30 bytes per key.
   */
  seenKeys?: SeenKeys;
  /** CSV field delimiter (default `,`). */
  delimiter?: string;
}

/**
 * Rows per record batch when {@link ReadCsvOptions.batchRows} is not given.
 *
 * @example
 * ```ts
 * readCsvBatches(stream, { cleaning, file, batchRows: DEFAULT_BATCH_ROWS / 4 });
 * ```
 */
export const DEFAULT_BATCH_ROWS = 65_536;

/**
 * A record batch and the partition all its rows belong to (`{}` when not grouping or unpartitioned).
 *
 * @example
 * ```ts
 * for await (const { batch, partition } of reader) console.log(partition, batch.numRows);
 * ```
 */
export interface PartitionedBatch {
  batch: RecordBatch;
  partition: PartitionValues;
  /** `partitionPath(partition)`, `''` when unpartitioned. */
  partitionPath: string;
}

/**
 * Counters of one file, filled while reading; `rowsIn = rowsOut + rowsRejected` once done.
 *
 * @example
 * ```ts
 * const s: CsvReadStats = { file: 'a.csv', rowsIn: 10, rowsOut: 9, rowsRejected: 1, blankLines: 0, bytes: 120, batches: 1 };
 * ```
 */
export interface CsvReadStats {
  file: string;
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  blankLines: number;
  bytes: number;
  batches: number;
}

/**
 * A readable stream of batches with its running counters.
 *
 * @example
 * ```ts
 * const reader = readCsvBatches(stream, { cleaning, file });
 * for await (const b of reader) …;
 * reader.stats.rowsOut;
 * ```
 */
export interface CsvBatchReader extends AsyncIterable<PartitionedBatch> {
  readonly stats: CsvReadStats;
  /** The Arrow schema of every batch (the table's file columns). */
  readonly schema: Schema;
}

interface ColumnPlan {
  column: TableColumn;
  /** Index in the file's fields, -1 when absent from the file. */
  source: number;
  coerce: CoercionFn | undefined;
  parse: ValueParser;
  /** Decides most values straight from the decoded text, without a string (see `rangeParserFor`). */
  fast: RangeParser | undefined;
  defaultText: string | undefined;
  /** `defaultText` coerced and parsed once (undefined when that fails: every use then rejects as before). */
  defaultValue: CellValue | undefined;
  defaultCoerced: string | undefined;
  /** Whether it is stored in the files (false for `columns`-partition keys). */
  inFile: boolean;
  /**
   * For a string column whose value only goes to its builder (no coercion, not a key, no checks,
   * only `''` as null token): the most characters the fast path accepts (its `maxLength`, or
   * `Infinity`), so the value is copied from the decoded text without a string of its own. -1: not such a column.
   */
  textMax: number;
}

interface Group {
  partition: PartitionValues;
  path: string;
  builders: ColumnBuilder[];
  rows: number;
  /** Rows its builders reserved up front. */
  reserved: number;
}

const MICROS_PER_DAY = 86_400_000_000n;

/** Stands in `values` for a string taken from the decoded text by range (see `ColumnPlan.textMax`); never stored. */
const TEXT_RANGE = Symbol('text range') as unknown as CellValue;

/**
 * Reads a CSV byte stream as typed Arrow record batches: see the module description. The first
 * record is the header; its names are matched to the table's columns (order-insensitive,
 * normalised per the rules); a missing required column or an unknown extra column fails the file
 * (`CsvMalformed`), as does invalid UTF-8 or an unterminated quote — nothing of such a file should
 * be published. Row-level problems (wrong field count, unparseable value, missing primary key,
 * failed check, duplicate key, RFC 4180 violations inside a record, control characters) reject the
 * row and go on.
 *
 * @example
 * ```ts
 * import { createReadStream } from 'node:fs';
 * import { defineCleaning, readCsvBatches } from '@lakeblocks/ingest';
 * const reader = readCsvBatches(createReadStream('orders.csv'), { cleaning: defineCleaning(orders), file: 'orders.csv' });
 * for await (const { batch } of reader) console.log(batch.numRows);
 * console.log(reader.stats); // { rowsIn, rowsOut, rowsRejected, … }
 * ```
 */
export function readCsvBatches(source: AsyncIterable<Uint8Array>, options: ReadCsvOptions): CsvBatchReader {
  const cleaning: TableCleaning = 'rules' in options.cleaning ? options.cleaning : defineCleaning(options.cleaning);
  const table = cleaning.table;
  const schema = toArrowSchema(table);
  const stats: CsvReadStats = { file: options.file, rowsIn: 0, rowsOut: 0, rowsRejected: 0, blankLines: 0, bytes: 0, batches: 0 };
  return {
    stats,
    schema,
    [Symbol.asyncIterator]: () => run(source, options, cleaning, schema, stats)[Symbol.asyncIterator](),
  };
}

async function* run(
  source: AsyncIterable<Uint8Array>,
  options: ReadCsvOptions,
  cleaning: TableCleaning,
  schema: Schema,
  stats: CsvReadStats,
): AsyncGenerator<PartitionedBatch> {
  const { table, rules } = cleaning;
  const file = options.file;
  const batchRows = Math.max(1, options.batchRows ?? DEFAULT_BATCH_ROWS);
  const grouping = options.groupByPartition === true && table.partitioning.kind !== 'none';
  const maxPending = options.maxPendingRows ?? batchRows * 4;
  const onReject = options.onReject;
  const trim = rules.trim ?? true;
  const nullTokens = new Set(rules.nullTokens ?? ['']);
  const onlyEmptyIsNull = nullTokens.size === 1 && nullTokens.has('');
  const normalize = (rules.columnNames ?? 'normalize') === 'normalize' ? normalizeColumnName : (s: string) => s.replace(/^\uFEFF/, '');
  const rename = rules.rename ?? {};
  const seen = rules.dedupe === 'keep-first' ? (options.seenKeys ?? new PrimaryKeySet()) : undefined;
  const checks = rules.checks ?? [];
  const fileColumnNames = new Set(table.fileColumns.map((c) => c.name));

  const decoder = new Utf8ChunkDecoder(file);
  const tokenizer = new CsvTokenizer({ file, ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }) });

  let plans: ColumnPlan[] | undefined;
  let headerFields: string[] = [];
  let headerKey = '';
  let pkIndexes: number[] = [];
  /** `fileColumn[b]`: the column (index in `plans`) builder `b` takes its values from. */
  let fileColumn = new Int32Array(0);
  const groups = new Map<string, Group>();
  /** The groups of `groups`, in the same (insertion) order: scanned for the largest much faster than the map. */
  const open: Group[] = [];
  let pending = 0;
  const ready: PartitionedBatch[] = [];
  const timeIndex = table.partitioning.kind === 'time' ? table.columns.findIndex((c) => c.name === (table.partitioning as { column: string }).column) : -1;
  const granularity = table.partitioning.kind === 'time' ? table.partitioning.granularity : 'day';
  const timeIsDate = timeIndex >= 0 && table.columns[timeIndex]!.type.kind === 'date';
  const partitionCache = new Map<number, { values: PartitionValues; path: string }>();

  /** Rows of the last group emitted: the likely size of the next one, to size its builders. */
  let lastEmittedRows = 0;
  /** Rows reserved up front by the open groups' builders, at most about 2 × `maxPendingRows` in all. */
  let reserved = 0;
  const newGroup = (partition: PartitionValues, path: string): Group => {
    // Grouping: small builders (many partitions may be open at once), but no smaller than the
    // groups seen so far; each new group takes at most half of what is left of the reservation
    // budget, so one large partition followed by thousands of small ones cannot reserve for all.
    const capacity = grouping ? Math.max(64, Math.min(Math.ceil(lastEmittedRows * 1.25), batchRows, Math.floor((2 * maxPending - reserved) / 2))) : Math.min(batchRows, 65_536);
    const group: Group = { partition, path, rows: 0, reserved: capacity, builders: table.fileColumns.map((c, i) => columnBuilderFor(c.type, schema.fields[i]!.type, capacity)) };
    if (grouping) reserved += capacity;
    open.push(group);
    return group;
  };
  /** The group of the previous row's day (cleared whenever a group is emitted). */
  let lastDay = Number.NaN;
  let lastKey = '';
  let lastGroup: Group | undefined;
  const emit = (key: string, group: Group): void => {
    lastGroup = undefined;
    if (group.rows === 0) return;
    const batch = recordBatchOf(schema, group.builders.map((b) => b.finish()), group.rows);
    stats.batches++;
    lastEmittedRows = group.rows;
    pending -= group.rows;
    group.rows = 0;
    ready.push({ batch, partition: group.partition, partitionPath: group.path });
    if (grouping) {
      groups.delete(key);
      open.splice(open.indexOf(group), 1);
      reserved -= group.reserved;
    }
  };

  const reject = (record: CsvRecordView, column: string, reason: string): void => {
    stats.rowsRejected++;
    // A flat copy: the raw text is a slice that would keep the whole decoded chunk alive.
    onReject?.({ sourceFile: file, line: record.line, column, reason, rawRecord: Buffer.from(record.raw(), 'utf8').toString('utf8') });
  };

  const readHeader = (record: CsvRecordView): void => {
    headerFields = record.texts().map((f) => {
      const n = normalize(f);
      return rename[n] ?? n;
    });
    // Sorted: a repeated header is recognised in any column order.
    headerKey = [...headerFields].sort().join('\u0000');
    const index = new Map<string, number>();
    const problems: string[] = [];
    headerFields.forEach((name, i) => {
      if (index.has(name)) problems.push(`column "${name}" appears twice`);
      index.set(name, i);
    });
    const extra = headerFields.filter((n) => !table.hasColumn(n));
    if (extra.length > 0) problems.push(`unknown column(s) ${extra.map((n) => `"${n}"`).join(', ')}`);
    const missing = table.columns.filter((c) => !index.has(c.name) && !c.nullable && rules.defaults?.[c.name] === undefined);
    if (missing.length > 0) problems.push(`missing column(s) ${missing.map((c) => `"${c.name}"`).join(', ')}`);
    if (problems.length > 0) {
      throw new IngestError('CsvMalformed', `Header does not match table "${table.name}": ${problems.join('; ')}`, {
        context: { file, table: table.name, line: record.line, reason: 'header-mismatch' },
      });
    }
    const partitionColumns = new Set(table.partitioning.kind === 'columns' ? table.partitionKeys.map((k) => k.column) : []);
    plans = table.columns.map((column) => {
      const coerce = resolveCoercions(rules.coerce?.[column.name] ?? rules.coerceKinds?.[column.type.kind]);
      const coercion = coerce === undefined ? 'none' : coerce === BUILTIN_COERCIONS['integral-float'] ? 'integral-float' : coerce === BUILTIN_COERCIONS.money ? 'money' : undefined;
      let fast = coercion === undefined || partitionColumns.has(column.name) ? undefined : rangeParserFor(column.type, coercion);
      // A null token the fast parser would read as a value (`0`, say) must stay null: string path.
      if (fast !== undefined && [...nullTokens].some((t) => t !== '' && fast!(t, 0, t.length) !== undefined)) fast = undefined;
      const parse = valueParserFor(column.type);
      const defaultText = rules.defaults?.[column.name];
      let defaultValue: CellValue | undefined;
      let defaultCoerced: string | undefined;
      if (defaultText !== undefined) {
        const coerced = coerce === undefined ? defaultText : coerce(defaultText);
        const parsed = typeof coerced === 'string' ? parse(coerced) : undefined;
        if (parsed !== undefined && !(parsed instanceof ParseFailure)) [defaultValue, defaultCoerced] = [parsed, coerced as string];
      }
      const inFile = fileColumnNames.has(column.name);
      const textOnly = column.type.kind === 'string' && coerce === undefined && inFile && onlyEmptyIsNull && checks.length === 0 && !table.primaryKey.includes(column.name) && !partitionColumns.has(column.name);
      const textMax = textOnly ? ((column.type as { maxLength?: number }).maxLength ?? Number.POSITIVE_INFINITY) : -1;
      return { column, source: index.get(column.name) ?? -1, coerce, parse, fast, defaultText, defaultValue, defaultCoerced, inFile, textMax };
    });
    pkIndexes = table.primaryKey.map((name) => table.columns.findIndex((c) => c.name === name));
    fileColumn = Int32Array.from(plans.flatMap((p, c) => (p.inFile ? [c] : [])));
  };

  const values: (CellValue | null)[] = new Array(table.columns.length).fill(null);
  /** With `values[c] === TEXT_RANGE`, the value of column `c` is `record.s.slice(textStart[c], textEnd[c])`. */
  const textStart = new Int32Array(table.columns.length);
  const textEnd = new Int32Array(table.columns.length);
  const texts: (string | null)[] = new Array(table.columns.length).fill(null);

  /**
   * Whether a record repeats the header (names normalised and renamed, in any order). A repeat in
   * another column order means the rows after it may follow that order: reading them in the first
   * header's columns could swap values silently, so the file is refused, naming the line.
   */
  const isHeader = (record: CsvRecordView): boolean => {
    const names = record.texts().map((f) => {
      const n = normalize(f);
      return rename[n] ?? n;
    });
    if ([...names].sort().join('\u0000') !== headerKey) return false;
    if (names.some((n, i) => n !== headerFields[i])) {
      throw new IngestError('CsvMalformed', `Line ${record.line} of ${file} repeats the header in another column order (${names.join(',')}): the rows after it could be read into the wrong columns; split the file at that line`, {
        context: { file, line: record.line, reason: 'header-reordered' },
      });
    }
    return true;
  };

  const handle = (record: CsvRecordView): void => {
    if (plans === undefined) {
      readHeader(record);
      return;
    }
    stats.rowsIn++;
    if (record.count !== headerFields.length) {
      reject(record, '', `expected ${headerFields.length} fields, found ${record.count}`);
      return;
    }
    if (record.problem !== undefined) {
      reject(record, headerFields[record.problem.field] ?? '', `malformed CSV: ${record.problem.reason}`);
      return;
    }
    const s = record.s;
    const starts = record.starts;
    const ends = record.ends;
    const kinds = record.kinds;
    for (let c = 0; c < plans.length; c++) {
      const plan = plans[c]!;
      const source = plan.source;
      let text: string | null;
      if (source === -1) text = null;
      else if (kinds[source] === FIELD_BUILT) text = record.text(source);
      else {
        const a = starts[source]!;
        const b = ends[source]!;
        if (a !== b && plan.fast !== undefined) {
          const v = plan.fast(s, a, b);
          if (v !== undefined) {
            values[c] = v;
            continue;
          }
        }
        if (plan.textMax >= 0) {
          // The string path's trim, null and `parse` checks, on the range: a non-empty value with
          // no control character and not too long is taken as it is (anything else: string path).
          let x = a;
          let y = b;
          if (trim) {
            while (x < y && isSpaceOrTab(s.charCodeAt(x)) === 1) x++;
            while (y > x && isSpaceOrTab(s.charCodeAt(y - 1)) === 1) y--;
          }
          if (x < y && y - x <= plan.textMax && !hasControlIn(s, x, y)) {
            values[c] = TEXT_RANGE;
            textStart[c] = x;
            textEnd[c] = y;
            continue;
          }
        }
        text = a === b ? '' : s.slice(a, b);
      }
      if (text !== null) {
        const n = text.length;
        if (trim && n > 0 && isSpaceOrTab(text.charCodeAt(0)) | isSpaceOrTab(text.charCodeAt(n - 1))) text = trimSpacesAndTabs(text);
        if (onlyEmptyIsNull ? text.length === 0 : nullTokens.has(text)) text = null;
      }
      if (text === null && plan.defaultText !== undefined) {
        if (plan.defaultValue !== undefined) {
          values[c] = plan.defaultValue;
          texts[c] = plan.defaultCoerced!;
          continue;
        }
        text = plan.defaultText;
      }
      if (text === null) {
        if (!plan.column.nullable) {
          if (isHeader(record)) reject(record, '', 'repeated header row');
          else reject(record, plan.column.name, plan.column.isPrimaryKey ? 'missing primary key value' : 'missing value in a non-null column');
          return;
        }
        values[c] = null;
        texts[c] = null;
        continue;
      }
      if (plan.coerce !== undefined) {
        const coerced = plan.coerce(text);
        if (typeof coerced !== 'string') {
          reject(record, plan.column.name, coerced.error);
          return;
        }
        text = coerced;
      }
      const parsed = plan.parse(text);
      if (parsed instanceof ParseFailure) {
        if (isHeader(record)) reject(record, '', 'repeated header row');
        else reject(record, plan.column.name, parsed.error);
        return;
      }
      values[c] = parsed;
      texts[c] = text;
    }
    const row = checks.length > 0 ? checkRow(plans, values) : undefined;
    for (const check of checks) {
      let ok: boolean;
      try {
        ok = check.test(row as never);
      } catch (error) {
        ok = false;
        reject(record, check.columns.join('|'), `check "${check.name}" threw: ${(error as Error).message}`);
        return;
      }
      if (!ok) {
        reject(record, check.columns.join('|'), check.message ?? `check "${check.name}" failed`);
        return;
      }
    }
    if (seen !== undefined) {
      const key = pkIndexes.length === 1 && typeof values[pkIndexes[0]!] === 'number' ? (values[pkIndexes[0]!] as number) : pkIndexes.map((i) => String(values[i])).join('\u0000');
      if (seen.has(key)) {
        reject(record, table.primaryKey.join('|'), `duplicate primary key ${table.primaryKey.map((n, k) => `${n}=${String(values[pkIndexes[k]!])}`).join(', ')} (the first occurrence is kept)`);
        return;
      }
      seen.add(key);
    }
    // Route to a group.
    let key = '';
    let group: Group | undefined;
    if (grouping) {
      let values_: PartitionValues;
      if (timeIndex >= 0) {
        const v = values[timeIndex];
        const day = timeIsDate ? (v as number) : typeof v === 'bigint' ? Number(floorDiv(v, MICROS_PER_DAY)) : Math.floor((v as number) / 86_400_000_000);
        if (day === lastDay && lastGroup !== undefined) {
          // Rows mostly come in time order: the same group as the previous row, no lookups.
          key = lastKey;
          group = lastGroup;
        } else {
          let cached = partitionCache.get(day);
          if (cached === undefined) {
            const { year, month, day: d } = civilFromEpochDay(day);
            values_ = granularity === 'year' ? { year } : granularity === 'month' ? { year, month } : { year, month, day: d };
            cached = { values: values_, path: partitionPath(values_) };
            partitionCache.set(day, cached);
          }
          key = cached.path;
          group = groups.get(key);
          if (group === undefined) groups.set(key, (group = newGroup(cached.values, cached.path)));
          lastDay = day;
          lastKey = key;
          lastGroup = group;
        }
      } else {
        values_ = {};
        for (const k of table.partitionKeys) {
          const i = table.columns.findIndex((c) => c.name === k.column);
          const t = texts[i];
          values_[k.name] = typeof values[i] === 'number' && k.type.kind === 'int' ? (values[i] as number) : (t ?? '');
        }
        key = partitionPath(values_);
        group = groups.get(key);
        if (group === undefined) groups.set(key, (group = newGroup(values_, key)));
      }
    } else {
      group = groups.get('');
      if (group === undefined) groups.set('', (group = newGroup({}, '')));
    }
    const builders = group.builders;
    for (let b = 0; b < fileColumn.length; b++) {
      const c = fileColumn[b]!;
      const v = values[c];
      if (v === null || v === undefined) builders[b]!.appendNull();
      else if (v === TEXT_RANGE) builders[b]!.appendText(s, textStart[c]!, textEnd[c]!);
      else builders[b]!.append(v);
    }
    group.rows++;
    pending++;
    stats.rowsOut++;
    if (group.rows >= batchRows) emit(key, group);
    else if (grouping && pending > maxPending) {
      // A group's key is its path.
      let largest = group;
      for (let k = 0; k < open.length; k++) if (open[k]!.rows > largest.rows) largest = open[k]!;
      emit(largest.path, largest);
    }
  };

  for await (const chunk of source) {
    stats.bytes += chunk.length;
    tokenizer.scan(decoder.decode(chunk, tokenizer.takePending()), handle);
    if (ready.length > 0) yield* ready.splice(0);
  }
  tokenizer.scan(decoder.end(), handle);
  tokenizer.scanEnd(handle);
  stats.blankLines = tokenizer.blankLines;
  if (plans === undefined) {
    throw new IngestError('CsvMalformed', 'The file is empty: no header', { context: { file, reason: 'empty' } });
  }
  for (const key of [...groups.keys()].sort()) emit(key, groups.get(key)!);
  yield* ready.splice(0);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

const formatDecimal = (unscaled: bigint, scale: number): string => {
  if (scale === 0) return unscaled.toString();
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
};

/** The row a check sees: values typed as in `RowOf<T>`. */
function checkRow(plans: ColumnPlan[], values: (CellValue | null)[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (let c = 0; c < plans.length; c++) {
    const { column } = plans[c]!;
    const v = values[c];
    if (v === null || v === undefined) row[column.name] = null;
    else if (column.type.kind === 'decimal') row[column.name] = formatDecimal(BigInt(v as number | bigint), column.type.scale);
    else if (column.type.kind === 'date') {
      const { year, month, day } = civilFromEpochDay(v as number);
      row[column.name] = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    } else if (column.type.kind === 'timestamp') row[column.name] = new Date(Math.floor(Number(v) / 1000));
    else row[column.name] = v;
  }
  return row;
}

/** Whether `s[start, end)` holds a character the string parser refuses (C0 controls but tab, LF, CR; DEL). */
function hasControlIn(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 ? c !== 9 && c !== 10 && c !== 13 : c === 127) return true;
  }
  return false;
}

/** 1 for a space or a tab, else 0 (a number, to combine with `|` without branching). */
function isSpaceOrTab(c: number): number {
  return c === 32 || c === 9 ? 1 : 0;
}

/**
 * `text` without the spaces and tabs at its ends (the documented `trim` rule): line breaks, NBSP,
 * other Unicode spaces and a BOM inside a value are data and stay.
 */
function trimSpacesAndTabs(text: string): string {
  let a = 0;
  let b = text.length;
  while (a < b && (text.charCodeAt(a) === 32 || text.charCodeAt(a) === 9)) a++;
  while (b > a && (text.charCodeAt(b - 1) === 32 || text.charCodeAt(b - 1) === 9)) b--;
  return a === 0 && b === text.length ? text : text.slice(a, b);
}
