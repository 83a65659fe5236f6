/**
 * The Nequi work done by a plain DuckDB script, without lakeblocks: read the four source files,
 * apply the design's cleaning steps in SQL (strip `$`, reject non-numeric money, `MM/YYYY` → date,
 * float ZIP → 5 digits, `desconocido` for missing categoricals, total_debt missing → 0, the age
 * check, keep the first of duplicated ids, mask card numbers), write the processed Parquet
 * (transactions partitioned by year/month), then compute the curated models with their SQL and
 * write them as Parquet.
 *
 * Two uses: the other side of the benchmark (`bench/nequi-vs-duckdb.ts`: same work, side by side),
 * and an independent recomputation of the pipeline's results — the cleaning here is written from
 * the design's rules, not from ingest, and {@link fingerprintLake} compares both lakes table by table.
 *
 * @module
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { toDuckDbType, type AnyTable } from '@lakeblocks/core';
import { nequiModels, transactionsEnriched } from '../models/index.js';
import { nequiTables, UNKNOWN } from '../tables.js';

/**
 * What {@link runDuckDbBaseline} did.
 *
 * @example
 * ```ts
 * const r: DuckDbBaselineResult = { rowsIn: 1_008_310, processed: { transactions: 1_001_907 }, rejected: 6_403, models: { client_segments: 2_000 }, ms: 9_000 };
 * ```
 */
export interface DuckDbBaselineResult {
  /** Data rows read from the sources (mcc codes included). */
  rowsIn: number;
  /** Rows kept per processed table. */
  processed: Record<string, number>;
  /** Rows rejected in all. */
  rejected: number;
  /** Rows written per model. */
  models: Record<string, number>;
  ms: number;
}

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
const MONEY = `'^-?[0-9]+(\\.[0-9]{1,2})?$'`;
/** `$`-money text → its digits, or NULL when empty. */
const money = (c: string) => `nullif(regexp_replace(${c}, '^\\$', ''), '')`;
const isMoney = (c: string) => `regexp_full_match(regexp_replace(${c}, '^\\$', ''), ${MONEY})`;
const monthYear = (c: string) => `make_date(CAST(split_part(${c}, '/', 2) AS INTEGER), CAST(split_part(${c}, '/', 1) AS INTEGER), 1)`;

async function count(con: DuckDBConnection, sql: string): Promise<number> {
  const rows = (await con.runAndReadAll(sql)).getRows();
  return Number(rows[0]?.[0] ?? 0);
}

/**
 * Runs the whole job in one in-memory DuckDB: sources in `dataDir`, output lake in `outDir`
 * (`processed/<table>/`, `curated/<model>/`, replaced if present).
 *
 * @example
 * ```ts
 * const r = await runDuckDbBaseline({ dataDir: '/tmp/nequi-1m', outDir: '/tmp/nequi-1m-duckdb', threads: 2, memoryLimit: '512MB' });
 * console.log(r.processed, r.models);
 * ```
 */
export async function runDuckDbBaseline(options: { dataDir: string; outDir: string; threads?: number; memoryLimit?: string }): Promise<DuckDbBaselineResult> {
  const started = performance.now();
  await rm(options.outDir, { recursive: true, force: true });
  for (const t of nequiTables) await mkdir(join(options.outDir, 'processed', t.name), { recursive: true });
  for (const m of nequiModels) await mkdir(join(options.outDir, 'curated', m.name), { recursive: true });
  const config: Record<string, string> = { threads: String(options.threads ?? 2) };
  if (options.memoryLimit !== undefined) config['memory_limit'] = options.memoryLimit;
  // Its own spill directory (the default `./.tmp` is shared by every process started in one directory).
  config['temp_directory'] = join(options.outDir, '_duckdb_tmp');
  const instance = await DuckDBInstance.create(':memory:', config);
  const con = await instance.connect();
  const src = (name: string) => `read_csv(${q(join(options.dataDir, name))}, header = true, all_varchar = true, quote = '"', escape = '"')`;
  const out = (table: string) => q(join(options.outDir, 'processed', table, 'part-0.parquet'));
  try {
    await con.run("SET TimeZone = 'UTC'");
    // --- users: money, total_debt missing → 0, the age check, first of duplicated ids.
    await con.run(`CREATE TEMP TABLE users_raw AS SELECT row_number() OVER () AS line, * FROM ${src('users_data.csv')}`);
    await con.run(`CREATE TEMP TABLE users_ok AS
      SELECT * FROM users_raw
      WHERE ${isMoney('per_capita_income')} AND ${isMoney('yearly_income')} AND (coalesce(total_debt, '') = '' OR ${isMoney('total_debt')})
        AND TRY_CAST(current_age AS INTEGER) <= TRY_CAST(retirement_age AS INTEGER)
      QUALIFY row_number() OVER (PARTITION BY id ORDER BY line) = 1`);
    await con.run(`COPY (SELECT CAST(id AS INTEGER) AS user_id, CAST(current_age AS INTEGER) AS current_age, CAST(retirement_age AS INTEGER) AS retirement_age,
        CAST(birth_year AS INTEGER) AS birth_year, CAST(birth_month AS INTEGER) AS birth_month, gender, address,
        CAST(latitude AS DOUBLE) AS latitude, CAST(longitude AS DOUBLE) AS longitude,
        CAST(${money('per_capita_income')} AS DECIMAL(12,2)) AS per_capita_income, CAST(${money('yearly_income')} AS DECIMAL(12,2)) AS yearly_income,
        CAST(coalesce(${money('total_debt')}, '0') AS DECIMAL(12,2)) AS total_debt,
        CAST(credit_score AS INTEGER) AS credit_score, CAST(num_credit_cards AS INTEGER) AS num_credit_cards
      FROM users_ok ORDER BY line) TO ${out('users')} (FORMAT parquet)`);
    // --- cards: CVV never selected, card number masked, MM/YYYY → first day, YES/NO → boolean.
    await con.run(`CREATE TEMP TABLE cards_raw AS SELECT row_number() OVER () AS line, * FROM ${src('cards_data.csv')}`);
    await con.run(`CREATE TEMP TABLE cards_ok AS
      SELECT * FROM cards_raw WHERE ${isMoney('credit_limit')}
      QUALIFY row_number() OVER (PARTITION BY id ORDER BY line) = 1`);
    await con.run(`COPY (SELECT CAST(id AS INTEGER) AS card_id, CAST(client_id AS INTEGER) AS client_id, card_brand,
        coalesce(nullif(card_type, ''), ${q(UNKNOWN)}) AS card_type,
        repeat('*', length(card_number) - 4) || right(card_number, 4) AS card_number,
        ${monthYear('expires')} AS expires, upper(has_chip) = 'YES' AS has_chip, CAST(num_cards_issued AS INTEGER) AS num_cards_issued,
        CAST(${money('credit_limit')} AS DECIMAL(12,2)) AS credit_limit, ${monthYear('acct_open_date')} AS acct_open_date,
        CAST(year_pin_last_changed AS INTEGER) AS year_pin_last_changed, upper(card_on_dark_web) = 'YES' AS card_on_dark_web
      FROM cards_ok ORDER BY line) TO ${out('cards')} (FORMAT parquet)`);
    // --- mcc_codes.json → table.
    const codes = JSON.parse(await readFile(join(options.dataDir, 'mcc_codes.json'), 'utf8')) as Record<string, string>;
    await con.run(`CREATE TEMP TABLE mcc_codes AS SELECT * FROM (VALUES ${Object.entries(codes).map(([k, v]) => `(${Number(k)}, ${q(v)})`).join(', ')}) AS m(mcc, description)`);
    await con.run(`COPY (SELECT CAST(mcc AS INTEGER) AS mcc, description FROM mcc_codes ORDER BY mcc) TO ${out('mcc_codes')} (FORMAT parquet)`);
    // --- transactions: money, float ZIP → 5 digits, merchant_state missing → desconocido, errors '' → NULL, first of duplicated ids.
    await con.run(`CREATE TEMP TABLE tx_raw AS SELECT row_number() OVER () AS line, * FROM ${src('transactions_data.csv')}`);
    const txIn = await count(con, 'SELECT count(*) FROM tx_raw');
    await con.run(`COPY (
      SELECT CAST(id AS INTEGER) AS transaction_id, CAST(date AS TIMESTAMP) AS transaction_time, CAST(client_id AS INTEGER) AS client_id,
        CAST(card_id AS INTEGER) AS card_id, CAST(${money('amount')} AS DECIMAL(12,2)) AS amount, use_chip, CAST(merchant_id AS INTEGER) AS merchant_id,
        merchant_city, coalesce(nullif(merchant_state, ''), ${q(UNKNOWN)}) AS merchant_state,
        CASE WHEN coalesce(zip, '') = '' THEN NULL ELSE lpad(split_part(zip, '.', 1), 5, '0') END AS zip,
        CAST(mcc AS INTEGER) AS mcc, nullif(errors, '') AS errors,
        year(CAST(date AS TIMESTAMP)) AS year, month(CAST(date AS TIMESTAMP)) AS month
      FROM tx_raw WHERE ${isMoney('amount')}
      QUALIFY row_number() OVER (PARTITION BY id ORDER BY line) = 1
    ) TO ${q(join(options.outDir, 'processed', 'transactions'))} (FORMAT parquet, PARTITION_BY (year, month), OVERWRITE_OR_IGNORE)`);
    await con.run('DROP TABLE tx_raw');

    const processed: Record<string, number> = {};
    for (const t of nequiTables) {
      await con.run(`CREATE VIEW ${t.name} AS SELECT * FROM read_parquet(${q(join(options.outDir, 'processed', t.name, '**', '*.parquet'))}, hive_partitioning = ${t.partitionKeys.length > 0})`);
      processed[t.name] = await count(con, `SELECT count(*) FROM ${t.name}`);
    }
    const rowsIn = (await count(con, 'SELECT count(*) FROM users_raw')) + (await count(con, 'SELECT count(*) FROM cards_raw')) + txIn + Object.keys(codes).length;
    const rejected = rowsIn - Object.values(processed).reduce((a, b) => a + b, 0);

    // --- the curated models: their SQL, refs as plain view names.
    const models: Record<string, number> = {};
    for (const m of nequiModels) {
      let select = m.sql.replace(/\{\{\s*ref\('([a-z_]+)'\)\s*\}\}/g, '$1');
      if (m.name === transactionsEnriched.name) select = `SELECT *, year(transaction_time) AS year, month(transaction_time) AS month FROM (${select})`;
      const keys = m.output.partitionKeys.map((k) => k.name);
      const dir = join(options.outDir, 'curated', m.name);
      const target = keys.length > 0 ? `${q(dir)} (FORMAT parquet, PARTITION_BY (${keys.join(', ')}), OVERWRITE_OR_IGNORE)` : `${q(join(dir, 'part-0.parquet'))} (FORMAT parquet)`;
      const result = await con.run(`COPY (${select}) TO ${target}`);
      models[m.name] = Number(result.rowsChanged);
      await con.run(`CREATE VIEW ${m.name} AS SELECT * FROM read_parquet(${q(join(dir, '**', '*.parquet'))}, hive_partitioning = ${keys.length > 0})`);
    }
    return { rowsIn, processed, rejected, models, ms: performance.now() - started };
  } finally {
    con.closeSync();
    instance.closeSync();
    await rm(join(options.outDir, '_duckdb_tmp'), { recursive: true, force: true });
  }
}

/**
 * An order-independent fingerprint of each processed table and curated model of a lake: row count
 * and the sum of a hash of every row's declared columns as text (NULLs marked). Two lakes with the
 * same rows have the same fingerprints, whatever their file layout or row order.
 *
 * @example
 * ```ts
 * const a = await fingerprintLake('/tmp/lake');
 * const b = await fingerprintLake('/tmp/duckdb-lake');
 * a.transactions_enriched === b.transactions_enriched;
 * ```
 */
export async function fingerprintLake(lakeDir: string, tables: readonly AnyTable[] = [...nequiTables, ...nequiModels.map((m) => m.output as AnyTable)]): Promise<Record<string, string>> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const con = await instance.connect();
  try {
    await con.run("SET TimeZone = 'UTC'");
    const out: Record<string, string> = {};
    for (const t of tables) {
      const layer = nequiTables.some((p) => p.name === t.name) ? 'processed' : 'curated';
      // As the declared type first: a count may be BIGINT on one side and INTEGER on the other.
      const text = (c: AnyTable['columns'][number]) => `CAST(CAST("${c.name}" AS ${toDuckDbType(c.type)}) AS VARCHAR)`;
      const cols = t.columns.map((c) => `coalesce(${text(c)}, '<null>')`).join(", '|', ");
      const rows = (
        await con.runAndReadAll(
          `SELECT count(*)::VARCHAR || ':' || coalesce(sum(hash(concat(${cols}))::HUGEINT), 0)::VARCHAR FROM read_parquet(${q(join(lakeDir, layer, t.name, '**', '*.parquet'))}, hive_partitioning = ${t.partitionKeys.length > 0})`,
        )
      ).getRows();
      out[t.name] = String(rows[0]?.[0]);
    }
    return out;
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
