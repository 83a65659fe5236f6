/**
 * One side of the TechStore benchmark, in its own process so that its peak RSS is its own
 * (`process.resourceUsage().maxRSS`, DuckDB's native memory included). Prints one JSON line.
 *
 *   tsx --conditions=@lakeblocks/source bench/techstore-side.ts lakeblocks DATA_DIR LAKE_DIR
 *   tsx --conditions=@lakeblocks/source bench/techstore-side.ts duckdb DATA_DIR LAKE_DIR
 *
 * `lakeblocks`: `runTechstore` (upload → raw → processed → curated → answers → dashboard), a full
 * run on an empty lake or an incremental one on an existing lake. `duckdb`: the same layout and
 * models with @duckdb/node-api alone — read the CSVs as text, cast each column to its declared type,
 * drop repeated primary keys (keep the first, as the ingest does), `COPY … PARTITION_BY` into the
 * Hive-partitioned processed layout, then each curated model's SQL `COPY`'d to Parquet.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { duckDbDialect, outputColumns, quoteIdentifier, quoteString, renderModelSelect, sortModels } from '@lakeblocks/transform';
import { techstoreModels } from '../src/techstore/models/index.js';
import { runTechstore } from '../src/techstore/pipeline/run-techstore.js';
import { techstoreTables } from '../src/techstore/tables.js';

const [side, dataDir, lakeDir] = process.argv.slice(2);
if ((side !== 'lakeblocks' && side !== 'duckdb') || !dataDir || !lakeDir) {
  process.stderr.write('usage: techstore-side.ts lakeblocks|duckdb DATA_DIR LAKE_DIR\n');
  process.exit(2);
}

/** Rows per curated table, read back with DuckDB. */
async function curatedCounts(db: DuckDBConnection): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const m of techstoreModels) {
    const glob = join(lakeDir as string, 'curated', m.name, '**', '*.parquet');
    const reader = await db.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${quoteString(glob)})`);
    counts[m.name] = Number(reader.getRowObjects()[0]?.['n']);
  }
  return counts;
}

async function runLakeblocks(): Promise<Record<string, unknown>> {
  const started = performance.now();
  const workers = process.env['BENCH_INGEST_WORKERS'];
  const threads = process.env['BENCH_INGEST_THREADS'];
  const result = await runTechstore({ lakeDir: lakeDir as string, dataDir: dataDir as string, durable: false, ...(workers === undefined ? {} : { ingestWorkers: Number(workers) }), ...(threads === undefined ? {} : { ingestThreads: Number(threads) }) });
  const ms = performance.now() - started;
  const steps = Object.fromEntries(result.runLog.steps.map((s) => [s.name, Math.round(s.durationMs ?? 0)]));
  const ingest = result.runLog.steps.find((s) => s.name === 'raw-to-processed');
  return { ms, steps, mode: result.curated.mode, rowsIn: ingest?.rowsIn ?? 0, rejected: ingest?.rowsRejected ?? 0, generated: result.generated ?? null };
}

async function runDuckDb(db: DuckDBConnection): Promise<Record<string, unknown>> {
  const started = performance.now();
  const names = (await readdir(dataDir as string)).filter((n) => n.endsWith('.csv')).sort();
  const steps: Record<string, number> = {};
  let t = performance.now();
  // Longest table name first, as the ingest matches file names (order_items before orders).
  const byName = [...techstoreTables].sort((a, b) => b.name.length - a.name.length);
  const filesOf = new Map<string, string[]>();
  for (const n of names) {
    const table = byName.find((x) => n.startsWith(x.name));
    if (table) filesOf.set(table.name, [...(filesOf.get(table.name) ?? []), join(dataDir as string, n)]);
  }
  for (const table of techstoreTables) {
    const files = filesOf.get(table.name) ?? [];
    if (files.length === 0) continue;
    const columns = outputColumns(table, duckDbDialect);
    const typed = `SELECT ${columns.map((c) => `${c.expression} AS ${quoteIdentifier(c.name)}`).join(', ')}, row_number() OVER () AS "__row"
      FROM read_csv([${files.map(quoteString).join(', ')}], header = true, all_varchar = true)`;
    const pk = table.primaryKey.map(quoteIdentifier);
    const deduped = pk.length > 0 ? `SELECT * EXCLUDE ("__row") FROM (${typed}) QUALIFY row_number() OVER (PARTITION BY ${pk.join(', ')} ORDER BY "__row") = 1` : `SELECT * EXCLUDE ("__row") FROM (${typed})`;
    const keys = table.partitionKeys.map((k) => quoteIdentifier(k.name));
    const dir = join(lakeDir as string, 'processed', table.name);
    const target = keys.length > 0 ? dir : join(dir, 'part-0.parquet');
    await mkdirp(dir);
    await db.run(`COPY (${deduped}) TO ${quoteString(target)} (FORMAT parquet, COMPRESSION snappy${keys.length > 0 ? `, PARTITION_BY (${keys.join(', ')})` : ''})`);
    await db.run(`CREATE OR REPLACE VIEW ${quoteIdentifier(table.name)} AS SELECT * FROM read_parquet(${quoteString(join(dir, '**', '*.parquet'))}, hive_partitioning = ${keys.length > 0})`);
  }
  steps['processed'] = Math.round(performance.now() - t);
  t = performance.now();
  for (const model of sortModels(techstoreModels)) {
    const keys = model.output.partitionKeys.map((k) => quoteIdentifier(k.name));
    const dir = join(lakeDir as string, 'curated', model.name);
    await mkdirp(dir);
    const select = renderModelSelect(model, duckDbDialect, { resolveRef: (n) => quoteIdentifier(n) });
    const target = keys.length > 0 ? dir : join(dir, 'part-0.parquet');
    await db.run(`COPY (${select}) TO ${quoteString(target)} (FORMAT parquet, COMPRESSION snappy${keys.length > 0 ? `, PARTITION_BY (${keys.join(', ')})` : ''})`);
    await db.run(`CREATE OR REPLACE VIEW ${quoteIdentifier(model.name)} AS SELECT * FROM read_parquet(${quoteString(join(dir, '**', '*.parquet'))}, hive_partitioning = ${keys.length > 0})`);
  }
  steps['curated'] = Math.round(performance.now() - t);
  return { ms: performance.now() - started, steps };
}

async function mkdirp(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}

const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const db = await instance.connect();
try {
  const result = side === 'lakeblocks' ? await runLakeblocks() : await runDuckDb(db);
  const counts = await curatedCounts(db);
  process.stdout.write(`${JSON.stringify({ side, ...result, maxRssMB: process.resourceUsage().maxRSS / 1024, counts })}\n`);
} finally {
  db.closeSync();
  instance.closeSync();
}
