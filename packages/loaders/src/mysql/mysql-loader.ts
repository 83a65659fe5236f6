/**
 * Loads Arrow record batches or plain rows into a MySQL / MariaDB table (RDS included) through a
 * mysql2/promise pool — the TechStore "Glue job 3" without its hangs.
 *
 * - **Table**: created from the core definition (`toMySqlCreateTable`) when missing.
 * - **Modes**: `append` (plain INSERT), `upsert` (`INSERT … ON DUPLICATE KEY UPDATE`, needs a
 *   primary key), `replace` (load into a staging table, then one atomic `RENAME TABLE` swaps it
 *   in: readers see the old rows or the new ones, never an empty table).
 * - **Stages**: each load that stages (replace; upsert through `LOAD DATA`) uses its own table
 *   `<table>__lb_stage_<10 random hex>` (the table name cut so the whole stays ≤ 64 characters,
 *   backtick-quoted), so concurrent loads into one table never collide; it is dropped when the load
 *   fails. Only a killed process leaves one behind: the next staged load of that table drops those
 *   over a day old (`abandonedStageAgeMs`), `dropAbandonedStages()` those of every table.
 * - **Batches**: multi-row INSERTs sized by bytes under the server's `max_allowed_packet` (read
 *   from the server at the start of each load) and under the 65,535-placeholder cap. Memory holds
 *   one statement at a time, whatever the input size.
 * - **Transactions**: `transaction: 'chunk'` (default) commits each INSERT statement on its own —
 *   a failure leaves the chunks before it committed (with `upsert` and `replace` a rerun fixes
 *   that); `transaction: 'load'` wraps every INSERT of the load in one transaction, all or
 *   nothing (DDL runs before it, since MySQL commits implicitly around DDL). In `replace` mode
 *   the swap is atomic either way.
 * - **Bounds**: every statement has a client-side timeout (mysql2 `timeout`), taking a connection
 *   is bounded (give the pool a `connectTimeout` too). A connection that timed out is destroyed.
 * - **Retries**: only where a retry cannot duplicate rows — taking a connection, and INSERT
 *   statements of `upsert` loads and of `replace` loads of tables with a primary key, in
 *   `'chunk'` scope. `append` statements are never retried.
 * - **Fast path**: `method: 'load-data'` streams the rows as `LOAD DATA LOCAL INFILE` text (written
 *   byte by byte from the Arrow buffers), one statement per `loadDataChunkRows`, each in its own
 *   transaction (in `'chunk'` scope) and rolled back when the server skipped or changed a row (LOCAL
 *   turns errors into warnings). `upsert` loads a stage that numbers the rows in load order (an
 *   auto-increment `__lb_seq` instead of the table's key), then merges it with
 *   `INSERT … SELECT … ORDER BY __lb_seq ON DUPLICATE KEY UPDATE` (never `REPLACE`, which deletes
 *   and reinserts: delete triggers, FK cascades, new auto-increment ids): existing rows are updated
 *   in place and a key repeated in the source takes its last row. In `'chunk'` scope the merge is one
 *   statement (all the rows or none) unless `mergeChunkRows` asks for ranges, each committing (and
 *   retried) on its own; in `'load'` scope it runs in ranges inside the load's transaction.
 * - **Errors**: {@link LoadersError}s naming the table (`AccessDenied`, `UnknownDatabase`,
 *   `PacketTooLarge`, `ConnectionFailed`, `Timeout` …); never the password, the SQL or its values.
 *
 * @example
 * ```ts
 * import { createPool } from 'mysql2/promise';
 * import { MySqlLoader } from '@lakeblocks/loaders/mysql';
 * const pool = createPool({ uri: process.env.DATABASE_URL, connectTimeout: 10_000, timezone: 'Z' });
 * const loader = new MySqlLoader(pool);
 * const result = await loader.load(orders, batches, { mode: 'upsert' });
 * console.log(`${result.rows} rows in ${result.statements} statements`);
 * ```
 *
 * @module
 */
import { CoreError, retry, toMySqlCreateTable, withTimeout, type AnyTable, type TableColumn } from '@lakeblocks/core';
import { allowBackslashEscapes, connectionIsBroken, restoreSqlMode } from '@lakeblocks/core/mysql';
import type { MySqlConnectionLike, MySqlPoolLike } from '@lakeblocks/core/mysql';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { RecordBatch, Table as ArrowTable } from 'apache-arrow';
import { LoadersError } from '../errors/loaders-error.js';
import { arrowColumnReaders } from './arrow-rows.js';
import { TsvBuffer, TsvCellError, tsvEncoders, writeTsvRow, writeTsvValues } from './tsv-encoder.js';
import { classifyLoaderMysqlError } from './mysql-errors.js';
import { paramBytes, toMySqlParam, type MySqlParam } from './row-values.js';
import { backtickIdentifier } from '@lakeblocks/core';

export type { MySqlConnectionLike, MySqlPoolLike };

/**
 * Most `?` placeholders one prepared / parameterised statement may carry.
 *
 * @example
 * ```ts
 * Math.floor(MYSQL_MAX_PLACEHOLDERS / 9); // rows of a 9-column table per INSERT, at most
 * ```
 */
export const MYSQL_MAX_PLACEHOLDERS = 65_535;

/** Rows converted at a time. */
const ROW_BLOCK = 2_048;

/** Most rows in one block of `LOAD DATA` text (blocks usually end at {@link LOAD_DATA_PACKET_BYTES} first). */
const LOAD_DATA_BLOCK_ROWS = 16_384;

/** Bytes of `LOAD DATA` text per stream chunk (mysql2 sends one packet per chunk; far under 16 MiB). */
const LOAD_DATA_PACKET_BYTES = 256 * 1024;

/** Bytes kept free under `max_allowed_packet` for the protocol header and estimate slack. */
const PACKET_HEADROOM = 1_024;

/** The upsert stage's load-order column (its primary key, an auto-increment). */
const STAGE_SEQ = '__lb_seq';

/** Staged rows per upsert merge statement. */
const DEFAULT_MERGE_CHUNK_ROWS = 250_000;

/** A stage table name: `<table>__lb_stage_<10 hex>` or `<table>__lb_old_<10 hex>`. */
const ABANDONED_STAGE = /__lb_(?:stage|old)_[0-9a-f]{10}$/;

/**
 * How rows are written; see the module documentation.
 *
 * @example
 * ```ts
 * const mode: LoadMode = 'upsert';
 * ```
 */
export type LoadMode = 'append' | 'replace' | 'upsert';

/**
 * Transaction scope of a load; see the module documentation.
 *
 * @example
 * ```ts
 * await loader.load(orders, rows, { mode: 'append', transaction: 'load' }); // all or nothing
 * ```
 */
export type TransactionScope = 'chunk' | 'load';

/**
 * Options of {@link MySqlLoader}.
 *
 * @example
 * ```ts
 * new MySqlLoader(pool, { queryTimeoutMs: 120_000, connectTimeoutMs: 5_000, maxStatementBytes: 2 * 1024 * 1024 });
 * ```
 */
export interface MySqlLoaderOptions {
  /** Client-side timeout of each statement, in ms (default 120,000). */
  queryTimeoutMs?: number;
  /** Bound on taking a connection from the pool, in ms (default 10,000). */
  connectTimeoutMs?: number;
  /** Largest INSERT statement, in bytes (default 4 MiB), always kept under the server's `max_allowed_packet`. */
  maxStatementBytes?: number;
  /** Use this packet limit instead of reading `@@max_allowed_packet` (for tests, or proxies with a lower limit). */
  maxAllowedPacket?: number;
  /** Most rows in one INSERT (default 10,000). */
  maxRowsPerStatement?: number;
  /** Attempts for retryable failures where retrying is safe, the first included (default 3). */
  attempts?: number;
  /** First retry delay in ms, doubled with full jitter (default 200). */
  baseDelayMs?: number;
  /**
   * Stage tables (`<table>__lb_stage_…`, `<table>__lb_old_…`) older than this are taken for the
   * leftovers of a killed process: each load drops those of its target table before it starts
   * (default 24 hours; `0` never). See {@link MySqlLoader.dropAbandonedStages}.
   */
  abandonedStageAgeMs?: number;
}

/**
 * Options of one {@link MySqlLoader.load}.
 *
 * @example
 * ```ts
 * const options: LoadOptions = { mode: 'replace', tableName: 'fact_orders', transaction: 'chunk' };
 * ```
 */
export interface LoadOptions {
  /** `append`, `replace` or `upsert`. */
  mode: LoadMode;
  /** MySQL table name; default the definition's name. Must match `^[a-z_][a-z0-9_]*$`. */
  tableName?: string;
  /** Default `'chunk'`. */
  transaction?: TransactionScope;
  /** Create the table from the definition when missing (default true). */
  createTable?: boolean;
  /**
   * `'insert'` (default): multi-row INSERT statements. `'load-data'`: `LOAD DATA LOCAL INFILE`
   * streamed from the batches as tab-separated text (the server must allow `local_infile`; the
   * driver must allow local files, mysql2 does by default), one statement per
   * `loadDataChunkRows` rows, each checked for skipped rows and warnings (LOCAL turns errors into
   * warnings) and rolled back when any appear. Never retried (the upsert merge, which is
   * idempotent, is, in `'chunk'` scope).
   */
  method?: 'insert' | 'load-data';
  /** Rows per `LOAD DATA` statement (default 500,000; a statement ends with the first block of text (≤ 16,384 rows, ≤ 256 KiB) that reaches it). */
  loadDataChunkRows?: number;
  /**
   * Staged rows per merge statement of an upsert through `LOAD DATA`. Default: one statement in
   * `'chunk'` scope (the table gets every row or none; the statement must fit in `queryTimeoutMs`),
   * 250,000 in `'load'` scope (the ranges share the transaction). Set it in `'chunk'` scope for
   * upserts too large for one statement: each range then commits on its own.
   */
  mergeChunkRows?: number;
  /** Called after each statement, for progress bars. */
  onProgress?: (progress: { rows: number; statements: number }) => void;
  /** Stops the load between statements (`Cancelled`). */
  signal?: AbortSignal;
}

/**
 * What a load did.
 *
 * @example
 * ```ts
 * const { rows, statements, durationMs } = await loader.load(orders, batches, { mode: 'upsert' });
 * ```
 */
export interface LoadResult {
  table: string;
  mode: LoadMode;
  /** Rows read from the source and sent. */
  rows: number;
  /** INSERT statements sent. */
  statements: number;
  /** Estimated bytes of the INSERT statements. */
  bytes: number;
  /** The statement size limit used at the end (from `max_allowed_packet` and `maxStatementBytes`, lowered when the server refused a packet). */
  maxStatementBytes: number;
  /** Statements the server refused as too large and that were split in halves and resent (`'chunk'` scope only). */
  splitStatements: number;
  durationMs: number;
}

/**
 * A row of a table as the loader accepts it: column name → value (`RowOf<T>` fits).
 *
 * @example
 * ```ts
 * const row: LoadRow = { order_id: 1, total_usd: '19.99', order_time: new Date() };
 * ```
 */
export type LoadRow = Readonly<Record<string, unknown>>;

/**
 * What {@link MySqlLoader.load} reads: a sync or async iterable of Arrow record batches or rows
 * (mixing is fine), or an Arrow `Table` (read batch by batch).
 *
 * @example
 * ```ts
 * const source: LoadSource = [batch1, batch2];
 * ```
 */
export type LoadSource = Iterable<RecordBatch | LoadRow> | AsyncIterable<RecordBatch | LoadRow> | ArrowTable;

const q = backtickIdentifier;

/** `base` + `suffix`, cut to MySQL's 64-character limit. */
function derivedName(base: string, suffix: string): string {
  return `${base.slice(0, 64 - suffix.length)}${suffix}`;
}

/**
 * The MySQL loader; see the module documentation.
 *
 * @example
 * ```ts
 * const loader = new MySqlLoader(pool);
 * await loader.load(orders, rows, { mode: 'replace' });
 * ```
 */
export class MySqlLoader {
  private readonly pool: MySqlPoolLike;
  private readonly options: Required<Omit<MySqlLoaderOptions, 'maxAllowedPacket'>> & { maxAllowedPacket: number | undefined };

  constructor(pool: MySqlPoolLike, options: MySqlLoaderOptions = {}) {
    this.pool = pool;
    this.options = {
      queryTimeoutMs: options.queryTimeoutMs ?? 120_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      maxStatementBytes: options.maxStatementBytes ?? 4 * 1024 * 1024,
      maxAllowedPacket: options.maxAllowedPacket,
      maxRowsPerStatement: options.maxRowsPerStatement ?? 10_000,
      attempts: options.attempts ?? 3,
      baseDelayMs: options.baseDelayMs ?? 200,
      abandonedStageAgeMs: options.abandonedStageAgeMs ?? 24 * 60 * 60 * 1000,
    };
  }

  /**
   * Drops the stage tables a killed load left behind: tables of the current database named
   * `<table>__lb_stage_<hex>` or `<table>__lb_old_<hex>` (of `tableName`'s loads only, when given)
   * created more than `olderThanMs` ago (default: the loader's `abandonedStageAgeMs`, 24 hours; at
   * least 1 s). A stage younger than your longest load may belong to a live one: keep the age above it. A
   * load removes its own stage when it fails; only a process killed mid-load leaves one. Returns the
   * names dropped.
   *
   * @example
   * ```ts
   * const dropped = await loader.dropAbandonedStages({ olderThanMs: 60 * 60 * 1000 });
   * ```
   */
  async dropAbandonedStages(options: { tableName?: string; olderThanMs?: number } = {}): Promise<string[]> {
    const context = { table: options.tableName ?? '(all tables)' };
    const conn = await this.connect(context);
    try {
      return await this.dropStagesOn(conn, options.tableName, options.olderThanMs ?? this.options.abandonedStageAgeMs);
    } catch (error) {
      throw classifyLoaderMysqlError(error, 'stage cleanup', context);
    } finally {
      await this.release(conn);
    }
  }

  /** {@link MySqlLoader.dropAbandonedStages} on a connection the caller holds. */
  private async dropStagesOn(conn: MySqlConnectionLike, tableName: string | undefined, olderThanMs: number): Promise<string[]> {
    const run = async (sql: string, values?: MySqlParam[]): Promise<unknown> => {
      const [result] = await withTimeout(this.options.queryTimeoutMs, 'MySQL stage cleanup', () => conn.query({ sql, ...(values ? { values } : {}), timeout: this.options.queryTimeoutMs }));
      return result;
    };
    // LIKE narrows the listing (cut as the longest suffix cuts the name); the exact test is below.
    const prefix = tableName === undefined ? '' : tableName.slice(0, 64 - '__lb_stage_'.length - 10).replace(/[!%_]/g, '!$&');
    // An explicit ESCAPE: under NO_BACKSLASH_ESCAPES, LIKE has no default escape character.
    const rows = (await run(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ? ESCAPE '!' AND create_time < NOW() - INTERVAL ? SECOND",
      [`${prefix}%!_!_lb!_%`, Math.max(1, Math.floor(olderThanMs / 1000))],
    )) as { name: string }[];
    const dropped: string[] = [];
    for (const { name } of Array.isArray(rows) ? rows : []) {
      if (!ABANDONED_STAGE.test(name)) continue;
      if (tableName !== undefined && name !== derivedName(tableName, name.slice(name.lastIndexOf('__lb_')))) continue;
      await run(`DROP TABLE IF EXISTS ${q(name)}`);
      dropped.push(name);
    }
    return dropped;
  }

  /**
   * Loads `source` into the table of `table`'s definition; see the module documentation for
   * modes, transactions, retries and errors.
   *
   * @example
   * ```ts
   * const result = await loader.load(orders, batches, { mode: 'upsert' });
   * ```
   */
  async load(table: AnyTable, source: LoadSource, options: LoadOptions): Promise<LoadResult> {
    const started = Date.now();
    const target = options.tableName ?? table.name;
    const context = { table: target };
    const mode = options.mode;
    if (!['append', 'replace', 'upsert'].includes(mode)) throw new LoadersError('InvalidArgument', `Unknown load mode ${JSON.stringify(mode)}`, { context });
    if (mode === 'upsert' && table.primaryKey.length === 0) {
      throw new LoadersError('InvalidArgument', `Upsert into "${target}" needs a primary key; the table definition has none (use append or replace)`, { context });
    }
    const createTarget = ddl(table, target, true);
    const method = options.method ?? 'insert';
    if (method !== 'insert' && method !== 'load-data') throw new LoadersError('InvalidArgument', `Unknown load method ${JSON.stringify(method)}`, { context });
    // Each load stages under its own name: concurrent loads into one table never share a stage.
    const token = randomBytes(5).toString('hex');
    const stage = derivedName(target, `__lb_stage_${token}`);
    const old = derivedName(target, `__lb_old_${token}`);
    const staged = mode === 'replace' || (mode === 'upsert' && method === 'load-data');
    const insertInto = staged ? stage : target;
    const idempotent = table.primaryKey.length > 0 && mode !== 'append';
    const scope = options.transaction ?? 'chunk';
    const columns = table.columns;
    const writer = new StatementWriter(insertInto, columns, idempotent);

    let conn = await this.connect(context);
    const run = async (sql: string, values?: MySqlParam[]): Promise<unknown> => {
      try {
        const [result] = await withTimeout(this.options.queryTimeoutMs + Math.min(1_000, this.options.queryTimeoutMs), `MySQL statement on ${target}`, () =>
          conn.query({ sql, ...(values ? { values } : {}), timeout: this.options.queryTimeoutMs }),
        );
        return result;
      } catch (error) {
        const tag = classifyLoaderMysqlError(error, 'statement')._tag;
        // The server closes the connection after a too-large packet; a timed-out one may still be busy.
        if (connectionIsBroken(error) || tag === 'ConnectionFailed' || tag === 'PacketTooLarge' || tag === 'Timeout') {
          destroy(conn);
          conn = await this.connect(context).catch(() => conn);
        }
        throw error;
      }
    };
    /** Statements safe to repeat (reads, `IF [NOT] EXISTS` DDL): retried on a fresh connection when the old one died. */
    const runSafe = (sql: string): Promise<unknown> =>
      retry(() => run(sql), {
        attempts: this.options.attempts,
        baseDelayMs: this.options.baseDelayMs,
        shouldRetry: (error) => classifyLoaderMysqlError(error, 'statement')._tag === 'ConnectionFailed',
      });
    let rows = 0;
    let statements = 0;
    let bytes = 0;
    let splits = 0;
    let inTransaction = false;
    let pendingSend: Promise<void> | undefined;
    let stageCreated = false;
    try {
      if (this.options.abandonedStageAgeMs > 0 && staged) await this.dropStagesOn(conn, target, this.options.abandonedStageAgeMs);
      const budget = await this.statementBudget(runSafe, context);
      writer.setBudget(budget, this.options.maxRowsPerStatement);
      if (mode !== 'replace' && options.createTable !== false) await runSafe(createTarget);
      if (staged) {
        stageCreated = true;
        // replace: the stage becomes the table. upsert: the stage numbers the rows in load order, repeated keys included; the last one wins in the merge.
        await runSafe(mode === 'replace' ? ddl(table, stage, true) : stageDdl(table, stage)); // a fresh name; IF NOT EXISTS keeps a retry harmless
      }
      if (scope === 'load') {
        await withTimeout(this.options.connectTimeoutMs, `BEGIN on ${target}`, () => conn.beginTransaction());
        inTransaction = true;
      }
      // One statement in flight while the next one is assembled: conversion overlaps the server's work.
      const flush = async (final = false): Promise<void> => {
        const statement = writer.take();
        if (pendingSend !== undefined) {
          const previous = pendingSend;
          pendingSend = undefined;
          await previous;
        }
        if (statement === undefined) return;
        if (options.signal?.aborted) throw new LoadersError('Cancelled', `Load into ${target} was cancelled after ${rows} rows`, { context });
        const sending = send(statement);
        if (final) await sending;
        else {
          sending.catch(() => undefined); // observed when awaited at the next flush
          pendingSend = sending;
        }
      };
      const send = async (statement: Statement): Promise<void> => {
        const attempt = () => run(statement.sql, statement.values);
        try {
          if (idempotent && scope === 'chunk') {
            await retry(attempt, {
              attempts: this.options.attempts,
              baseDelayMs: this.options.baseDelayMs,
              shouldRetry: (error) => classifyLoaderMysqlError(error, 'INSERT').isRetryable,
            });
          } else {
            await attempt();
          }
        } catch (error) {
          // The server refused the packet before running it (a proxy or server with a lower limit
          // than it reported): nothing was written, so halve the statement and the budget and resend.
          if (scope !== 'chunk' || statement.rows < 2 || classifyLoaderMysqlError(error, 'INSERT')._tag !== 'PacketTooLarge') throw error;
          writer.shrink(Math.floor(statement.bytes / 2));
          splits++;
          for (const half of writer.split(statement)) await send(half);
          return;
        }
        rows += statement.rows;
        statements++;
        bytes += statement.bytes;
        options.onProgress?.({ rows, statements });
      };
      if (method === 'insert') {
        let index = 0;
        for await (const block of rowBlocks(source, columns, target)) {
          for (const values of block) {
            if (!writer.add(values)) {
              await flush();
              if (!writer.add(values)) throw rowTooLarge(target, index, writer);
            }
            index++;
          }
        }
        await flush(true);
      } else {
        const loadSql = `LOAD DATA LOCAL INFILE 'lakeblocks.tsv' INTO TABLE ${q(insertInto)} CHARACTER SET utf8mb4 (${columns.map((c) => q(c.name)).join(', ')})`;
        const chunkLimit = Math.max(1, options.loadDataChunkRows ?? 500_000);
        const packetBytes = Math.max(1_024, Math.min(LOAD_DATA_PACKET_BYTES, writer.budget));
        const iterator = tsvBlocks(source, columns, target, Math.min(LOAD_DATA_BLOCK_ROWS, chunkLimit), packetBytes);
        let exhausted = false;
        while (!exhausted) {
          if (options.signal?.aborted) throw new LoadersError('Cancelled', `Load into ${target} was cancelled after ${rows} rows`, { context });
          let chunkRows = 0;
          let failure: unknown;
          async function* text(): AsyncGenerator<Buffer> {
            while (chunkRows < chunkLimit) {
              let next: IteratorResult<TsvBlock>;
              try {
                next = await iterator.next();
              } catch (error) {
                failure = error; // end the file early; the chunk is rolled back below
                return;
              }
              if (next.done === true) {
                exhausted = true;
                return;
              }
              chunkRows += next.value.rows;
              // mysql2 sends each stream chunk as one protocol packet: keep them under the packet limits.
              const buffer = next.value.bytes;
              for (let offset = 0; offset < buffer.length; offset += packetBytes) yield buffer.subarray(offset, offset + packetBytes);
              // Give the event loop a turn so the socket keeps the server busy while the next rows convert.
              await new Promise<void>((resolve) => setImmediate(resolve));
            }
          }
          const own = scope === 'chunk';
          if (own) await withTimeout(this.options.connectTimeoutMs, `BEGIN on ${target}`, () => conn.beginTransaction());
          try {
            const [header] = await withTimeout(this.options.queryTimeoutMs + Math.min(1_000, this.options.queryTimeoutMs), `MySQL LOAD DATA into ${target}`, () =>
              (conn as unknown as LoadDataConnection).query({ sql: loadSql, timeout: this.options.queryTimeoutMs, infileStreamFactory: () => Readable.from(text()) }),
            );
            if (failure !== undefined) throw failure;
            const warnings = Number(header.warningStatus ?? 0);
            const affected = Number(header.affectedRows ?? 0);
            if (warnings > 0 || affected !== chunkRows) {
              const shown = (await run('SHOW WARNINGS LIMIT 5').catch(() => [])) as { Message?: string }[];
              throw new LoadersError(
                'DatabaseFailure',
                `LOAD DATA into ${target} would not load every row as sent (${chunkRows} rows sent, ${affected} affected, ${warnings} warnings: ${shown.map((w) => w.Message).join('; ') || 'none shown'}); the chunk was rolled back`,
                { context },
              );
            }
            if (own) await withTimeout(this.options.queryTimeoutMs, `COMMIT on ${target}`, () => conn.commit());
          } catch (error) {
            if (own) await withTimeout(this.options.queryTimeoutMs, `ROLLBACK on ${target}`, () => conn.rollback()).catch(() => undefined);
            throw error;
          }
          if (chunkRows > 0) {
            rows += chunkRows;
            statements++;
            options.onProgress?.({ rows, statements });
          }
        }
      }
      if (mode === 'upsert' && staged) {
        // The merge reads the stage in load order (its ${STAGE_SEQ} key), so the last of a repeated key
        // wins, in ranges of `mergeChunkRows` rows so that no statement outlives the statement timeout.
        // Existing rows are updated in place (no DELETE, so no delete triggers, no cascades to FK
        // children, auto-increment kept). In 'load' scope the ranges share the transaction: the table
        // sees all of them or none; in 'chunk' scope each range commits on its own and is retried
        // (repeating a range is harmless: the later ranges have not run yet).
        const names = columns.map((c) => q(c.name)).join(', ');
        const [{ top }] = (await runSafe(`SELECT COALESCE(MAX(${q(STAGE_SEQ)}), 0) AS top FROM ${q(stage)}`)) as [{ top: number | string }];
        const last = Number(top);
        // 'chunk' scope keeps the merge one statement (the table gets every row or none) unless ranges are asked for.
        const step = options.mergeChunkRows !== undefined ? Math.max(1, Math.floor(options.mergeChunkRows)) : scope === 'load' ? DEFAULT_MERGE_CHUNK_ROWS : Math.max(1, last);
        for (let from = 0; from < last; from += step) {
          options.signal?.throwIfAborted();
          const merge =
            `INSERT INTO ${q(target)} (${names}) SELECT ${names} FROM ${q(stage)} WHERE ${q(STAGE_SEQ)} > ${from} AND ${q(STAGE_SEQ)} <= ${Math.min(last, from + step)}` +
            ` ORDER BY ${q(STAGE_SEQ)} ON DUPLICATE KEY UPDATE ${upsertAssignments(columns)}`;
          if (scope === 'chunk') {
            await retry(() => run(merge), {
              attempts: this.options.attempts,
              baseDelayMs: this.options.baseDelayMs,
              shouldRetry: (error) => classifyLoaderMysqlError(error, 'INSERT').isRetryable,
            });
          } else {
            await run(merge);
          }
          statements++;
          options.onProgress?.({ rows, statements });
        }
      }
      if (inTransaction) {
        await withTimeout(this.options.queryTimeoutMs, `COMMIT on ${target}`, () => conn.commit());
        inTransaction = false;
      }
      if (mode === 'replace') {
        await runSafe(createTarget);
        await run(`RENAME TABLE ${q(target)} TO ${q(old)}, ${q(stage)} TO ${q(target)}`);
        stageCreated = false;
        await runSafe(`DROP TABLE IF EXISTS ${q(old)}`);
      } else if (stageCreated) {
        await runSafe(`DROP TABLE IF EXISTS ${q(stage)}`);
        stageCreated = false;
      }
    } catch (error) {
      await pendingSend?.catch(() => undefined);
      const classified = classifyLoaderMysqlError(error, `load into ${target} (${mode}, after ${rows} rows in ${statements} statements)`, context);
      // A connection that timed out (the server may still be running the statement) or broke must not go back to the pool.
      if (connectionIsBroken(error) || ['ConnectionFailed', 'Timeout', 'PacketTooLarge'].includes(classified._tag)) {
        destroy(conn);
        conn = await this.connect(context).catch(() => conn);
      }
      if (inTransaction) await withTimeout(this.options.queryTimeoutMs, `ROLLBACK on ${target}`, () => conn.rollback()).catch(() => undefined);
      if (stageCreated) await run(`DROP TABLE IF EXISTS ${q(stage)}`).catch(() => undefined);
      throw classified;
    } finally {
      await this.release(conn);
    }
    return { table: target, mode, rows, statements, bytes, maxStatementBytes: writer.budget, splitStatements: splits, durationMs: Date.now() - started };
  }

  /**
   * A pooled connection ready for a load. Values reach the server escaped the MySQL way (`\'`,
   * `\\` — mysql2's client-side escaping and LOAD DATA's `ESCAPED BY '\\'`), which a session in
   * sql_mode `NO_BACKSLASH_ESCAPES` (a common RDS parameter-group setting) would read differently: a
   * value could end its literal and inject SQL. That mode is switched off for the load and the
   * session's own mode restored on release ({@link MySqlLoader.release}).
   */
  private async connect(context: { table: string }): Promise<MySqlConnectionLike> {
    const conn = await this.takeConnection(context);
    try {
      const mode = await allowBackslashEscapes(conn, this.options.queryTimeoutMs);
      if (mode !== undefined) savedSqlModes.set(conn, mode);
      return conn;
    } catch (error) {
      destroy(conn);
      if (error instanceof CoreError) throw new LoadersError('DatabaseFailure', error.message, { context, cause: error });
      throw classifyLoaderMysqlError(error, `connect (loading ${context.table})`, context);
    }
  }

  /** Gives a connection back to the pool, with the sql_mode it had before {@link MySqlLoader.connect}. */
  private async release(conn: MySqlConnectionLike): Promise<void> {
    const mode = savedSqlModes.get(conn);
    if (mode !== undefined) {
      savedSqlModes.delete(conn);
      try {
        await restoreSqlMode(conn, mode, this.options.queryTimeoutMs);
      } catch {
        destroy(conn); // a session left in another mode must not go back to the pool
        return;
      }
    }
    release(conn);
  }

  private async takeConnection(context: { table: string }): Promise<MySqlConnectionLike> {
    try {
      return await retry(
        () => withTimeout(this.options.connectTimeoutMs, 'Taking a MySQL connection', () => this.pool.getConnection()),
        {
          attempts: this.options.attempts,
          baseDelayMs: this.options.baseDelayMs,
          // A refused or reset connection is worth another try; a connect that timed out is not
          // (a black-holed host would multiply the wait).
          shouldRetry: (error) => {
            const e = classifyLoaderMysqlError(error, 'connect');
            return e.isRetryable && e._tag !== 'Timeout' && (error as { code?: unknown }).code !== 'ETIMEDOUT';
          },
        },
      );
    } catch (error) {
      throw classifyLoaderMysqlError(error, `connect (loading ${context.table})`, context);
    }
  }

  private async statementBudget(run: (sql: string) => Promise<unknown>, context: { table: string }): Promise<number> {
    let packet = this.options.maxAllowedPacket;
    if (packet === undefined) {
      const result = (await run('SELECT @@SESSION.max_allowed_packet AS max_allowed_packet')) as { max_allowed_packet?: unknown }[];
      packet = Number(result[0]?.max_allowed_packet);
      if (!Number.isFinite(packet) || packet <= 0) throw new LoadersError('DatabaseFailure', 'Could not read max_allowed_packet from the server', { context });
    }
    return Math.max(1, Math.min(this.options.maxStatementBytes, packet - PACKET_HEADROOM));
  }
}

/** The part of a mysql2 connection `LOAD DATA LOCAL INFILE` needs: `infileStreamFactory`. */
interface LoadDataConnection {
  query(options: { sql: string; timeout?: number; infileStreamFactory: (path: string) => Readable }): Promise<[{ affectedRows?: number; warningStatus?: number }, unknown]>;
}

/**
 * The source as blocks of at most 2,048 converted rows.
 * An Arrow `Table` is read batch by batch.
 */
async function* rowBlocks(source: LoadSource, columns: readonly TableColumn[], target: string): AsyncGenerator<MySqlParam[][]> {
  const items = source instanceof ArrowTable ? (source.batches as Iterable<RecordBatch>) : source;
  let index = 0;
  let block: MySqlParam[][] = [];
  for await (const item of items as AsyncIterable<RecordBatch | LoadRow>) {
    if (item instanceof RecordBatch) {
      if (block.length > 0) {
        yield block;
        block = [];
      }
      const readers = arrowColumnReaders(item, columns, target);
      // Small blocks: converting a whole batch at once would starve the connection meanwhile.
      for (let start = 0; start < item.numRows; start += ROW_BLOCK) {
        const end = Math.min(item.numRows, start + ROW_BLOCK);
        const rows = new Array<MySqlParam[]>(end - start);
        for (let i = start; i < end; i++) rows[i - start] = readRow(readers, i, columns, target, index++);
        yield rows;
      }
    } else {
      block.push(convertRow(item, columns, target, index++));
      if (block.length >= ROW_BLOCK) {
        yield block;
        block = [];
      }
    }
  }
  if (block.length > 0) yield block;
}

/** A block of rows as `LOAD DATA` text. */
interface TsvBlock {
  bytes: Buffer;
  rows: number;
}

/**
 * The source as `LOAD DATA` text, `blockRows` rows a block, written byte by byte from the Arrow
 * buffers by {@link tsvEncoders} (no per-value strings); plain rows go through {@link convertRow}.
 */
async function* tsvBlocks(source: LoadSource, columns: readonly TableColumn[], target: string, blockRows: number, blockBytes: number): AsyncGenerator<TsvBlock> {
  const items = source instanceof ArrowTable ? (source.batches as Iterable<RecordBatch>) : source;
  const notNull = columns.map((c) => !c.nullable);
  // Blocks end just under `blockBytes`, so each buffer is nearly full and is sent as one packet.
  const out = new TsvBuffer(blockBytes);
  const flushAt = Math.max(blockBytes >> 1, blockBytes - 4_096);
  let index = 0;
  let rows = 0;
  for await (const item of items as AsyncIterable<RecordBatch | LoadRow>) {
    if (item instanceof RecordBatch) {
      const encoders = tsvEncoders(item, columns, target);
      for (let i = 0; i < item.numRows; i++) {
        let nullColumn: number;
        try {
          nullColumn = writeTsvRow(encoders, i, out, notNull);
        } catch (error) {
          if (error instanceof TsvCellError) throw badValue(error.cause, columns[error.column] as TableColumn, target, index);
          throw error;
        }
        if (nullColumn >= 0) throw nullValue(columns[nullColumn] as TableColumn, target, index);
        index++;
        if (++rows >= blockRows || out.pos >= flushAt) {
          yield { bytes: out.take(), rows };
          rows = 0;
        }
      }
    } else {
      writeTsvValues(convertRow(item, columns, target, index++), out);
      if (++rows >= blockRows || out.pos >= flushAt) {
        yield { bytes: out.take(), rows };
        rows = 0;
      }
    }
  }
  if (rows > 0) yield { bytes: out.take(), rows };
}

/** `c = VALUES(c)` for every non-key column (the key columns when there are no others). */
function upsertAssignments(columns: readonly TableColumn[]): string {
  const updated = columns.filter((c) => !c.isPrimaryKey);
  return (updated.length > 0 ? updated : columns).map((c) => `${q(c.name)} = VALUES(${q(c.name)})`).join(', ');
}

/**
 * The upsert stage: the table's DDL with its primary key replaced by {@link STAGE_SEQ}, an
 * auto-increment that numbers the rows in load order (repeated keys are kept; the merge decides).
 */
function stageDdl(table: AnyTable, name: string): string {
  if (table.hasColumn(STAGE_SEQ)) throw new LoadersError('InvalidArgument', `Column "${STAGE_SEQ}" of "${table.name}" is reserved for the upsert stage`, { context: { table: name } });
  const sql = ddl(table, name, true);
  const staged = sql.replace(/,\n {2}PRIMARY KEY \([^\n]*\)(?=,\n|\n\))/, `,\n  ${q(STAGE_SEQ)} BIGINT NOT NULL AUTO_INCREMENT,\n  PRIMARY KEY (${q(STAGE_SEQ)})`);
  if (staged === sql) throw new LoadersError('InvalidArgument', `Could not derive the upsert stage table for "${name}"`, { context: { table: name } });
  return staged;
}

function ddl(table: AnyTable, name: string, ifNotExists: boolean): string {
  try {
    return toMySqlCreateTable(table, { tableName: name, ifNotExists });
  } catch (error) {
    if (error instanceof CoreError) throw new LoadersError('InvalidArgument', error.message, { cause: error, context: { table: name } });
    throw error;
  }
}

function readRow(readers: ((i: number) => MySqlParam)[], i: number, columns: readonly TableColumn[], table: string, index: number): MySqlParam[] {
  const values = new Array<MySqlParam>(readers.length);
  for (let c = 0; c < readers.length; c++) {
    let v: MySqlParam;
    try {
      v = (readers[c] as (i: number) => MySqlParam)(i);
    } catch (error) {
      throw badValue(error, columns[c] as TableColumn, table, index);
    }
    if (v === null && !(columns[c] as TableColumn).nullable) throw nullValue(columns[c] as TableColumn, table, index);
    values[c] = v;
  }
  return values;
}

function convertRow(row: LoadRow, columns: readonly TableColumn[], table: string, index: number): MySqlParam[] {
  if (typeof row !== 'object' || row === null) throw new LoadersError('InvalidArgument', `Row ${index} for table "${table}" is not an object or an Arrow RecordBatch`, { context: { table } });
  return columns.map((column) => {
    let v: MySqlParam;
    try {
      v = toMySqlParam(column.type, row[column.name]);
    } catch (error) {
      throw badValue(error, column, table, index);
    }
    if (v === null && !column.nullable) throw nullValue(column, table, index);
    return v;
  });
}

function badValue(error: unknown, column: TableColumn, table: string, index: number): LoadersError {
  const why = error instanceof Error ? error.message : String(error);
  return new LoadersError('InvalidArgument', `Row ${index} for table "${table}", column "${column.name}": ${why}`, { context: { table }, cause: error });
}

function nullValue(column: TableColumn, table: string, index: number): LoadersError {
  return new LoadersError('InvalidArgument', `Row ${index} for table "${table}": column "${column.name}" is NOT NULL but the value is null`, { context: { table } });
}

function rowTooLarge(table: string, index: number, writer: StatementWriter): LoadersError {
  return new LoadersError(
    'PacketTooLarge',
    `Row ${index} for table "${table}" needs about ${writer.lastRowBytes} bytes, more than one statement may carry (${writer.budget} bytes, from max_allowed_packet): raise max_allowed_packet on the server (SET GLOBAL max_allowed_packet = …)`,
    { context: { table } },
  );
}

function destroy(conn: MySqlConnectionLike): void {
  try {
    if (conn.destroy) conn.destroy();
    else conn.release();
  } catch {
    // already gone
  }
}

/** sql_mode of connections whose NO_BACKSLASH_ESCAPES the loader switched off, to restore on release. */
const savedSqlModes = new WeakMap<MySqlConnectionLike, string>();

function release(conn: MySqlConnectionLike): void {
  try {
    conn.release();
  } catch {
    // already gone
  }
}

/** One multi-row INSERT, ready to send. */
interface Statement {
  sql: string;
  values: MySqlParam[];
  rows: number;
  bytes: number;
}

/**
 * Accumulates rows into one multi-row INSERT until the next row would cross the byte budget or
 * the placeholder cap.
 */
class StatementWriter {
  budget = 1;
  lastRowBytes = 0;
  private maxRows = 1;
  private readonly prefix: string;
  private readonly suffix: string;
  private readonly rowSql: string;
  private readonly fixedBytes: number;
  private values: MySqlParam[] = [];
  private rows = 0;
  private bytes = 0;

  constructor(table: string, columns: readonly TableColumn[], upsert: boolean) {
    const names = columns.map((c) => q(c.name));
    this.prefix = `INSERT INTO ${q(table)} (${names.join(', ')}) VALUES `;
    this.suffix = upsert ? ` ON DUPLICATE KEY UPDATE ${upsertAssignments(columns)}` : '';
    this.rowSql = `(${names.map(() => '?').join(', ')})`;
    this.fixedBytes = Buffer.byteLength(this.prefix) + Buffer.byteLength(this.suffix);
    this.columns = columns.length;
  }

  private readonly columns: number;

  setBudget(bytes: number, maxRows: number): void {
    this.budget = bytes;
    this.maxRows = Math.max(1, Math.min(maxRows, Math.floor(MYSQL_MAX_PLACEHOLDERS / Math.max(1, this.columns))));
  }

  /** Adds a row; `false` when it does not fit (the statement is unchanged). */
  add(values: MySqlParam[]): boolean {
    let rowBytes = 4;
    for (const v of values) rowBytes += paramBytes(v);
    this.lastRowBytes = rowBytes + this.fixedBytes;
    if (this.rows >= this.maxRows || this.fixedBytes + this.bytes + rowBytes > this.budget) return false;
    for (const v of values) this.values.push(v);
    this.rows++;
    this.bytes += rowBytes;
    return true;
  }

  take(): Statement | undefined {
    if (this.rows === 0) return undefined;
    const out = this.build(this.values, this.rows, this.fixedBytes + this.bytes);
    this.values = [];
    this.rows = 0;
    this.bytes = 0;
    return out;
  }

  /** Lowers the byte budget (never below one row's worth: `add` then reports rows that cannot fit). */
  shrink(bytes: number): void {
    this.budget = Math.max(1, Math.min(this.budget, bytes));
  }

  /** The statement's rows as two statements of half the rows each. */
  split(statement: Statement): [Statement, Statement] {
    const half = Math.floor(statement.rows / 2);
    const cut = half * this.columns;
    const bytes = Math.ceil(statement.bytes / 2);
    return [
      this.build(statement.values.slice(0, cut), half, bytes),
      this.build(statement.values.slice(cut), statement.rows - half, bytes),
    ];
  }

  private build(values: MySqlParam[], rows: number, bytes: number): Statement {
    const sql = `${this.prefix}${new Array<string>(rows).fill(this.rowSql).join(', ')}${this.suffix}`;
    return { sql, values, rows, bytes };
  }
}
