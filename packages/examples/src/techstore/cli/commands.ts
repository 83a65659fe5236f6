/**
 * The TechStore CLI commands: `generate`, `upload`, `run`, `query`. Each returns its exit code;
 * results go to stdout, progress to stderr.
 *
 * @module
 */
import { stat } from 'node:fs/promises';
import { LocalStorage, type Storage } from '@lakeblocks/core';
import { IngestError } from '@lakeblocks/ingest';
import { DuckDbEngine } from '@lakeblocks/transform/duckdb';
import { generateTechstore } from '../generate/generate.js';
import { techstoreModels } from '../models/index.js';
import { formatAnswers, type LakeQueries } from '../pipeline/answers.js';
import { openAwsLake, type AwsLake } from '../pipeline/aws/aws-lake.js';
import { AwsOptionsError, isS3Lake, resolveAws, type AwsNeed, type ResolvedAws, type TechstoreAwsOptions } from '../pipeline/aws/aws-options.js';
import { parseMySqlUrl } from '../pipeline/mysql-load.js';
import { runTechstore, type RunTechstoreResult } from '../pipeline/run-techstore.js';
import { watchTechstore } from '../pipeline/watch.js';
import { uploadTechstoreFile } from '../pipeline/upload-data.js';
import { techstoreTables } from '../tables.js';
import { parseCommand, positiveNumber, str, UsageError, userPath, type ParsedValues } from './args.js';
import { COMMAND_HELP } from './help.js';
import { formatTable } from './print-table.js';
import { progressReporter } from './progress.js';

/** Where a command writes. */
export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { isTTY?: boolean; write(text: string): unknown };
}

const DEFAULT_LAKE = './.lake';

/** The AWS flags of `run`, `upload` and `query` (an `s3://` --lake). */
const AWS_FLAGS = {
  endpoint: { type: 'string' },
  region: { type: 'string' },
  'glue-database': { type: 'string' },
  'athena-workgroup': { type: 'string' },
  'athena-output': { type: 'string' },
} as const;

/** The AWS flags given, as options. */
function awsFlags(values: ParsedValues): TechstoreAwsOptions {
  const options: TechstoreAwsOptions = {};
  const set = (key: keyof TechstoreAwsOptions, flag: string) => {
    const v = str(values[flag]);
    if (v !== undefined) options[key] = v;
  };
  set('endpoint', 'endpoint');
  set('region', 'region');
  set('glueDatabase', 'glue-database');
  set('athenaWorkgroup', 'athena-workgroup');
  set('athenaOutput', 'athena-output');
  return options;
}

/**
 * The lake of a command: a local path resolved against where pnpm ran, or an `s3://` URI checked
 * with its AWS flags (a bad combination is a usage error saying what to pass).
 */
function lakeOf(command: string, values: ParsedValues, need: AwsNeed): { lake: string; aws: TechstoreAwsOptions; resolved: ResolvedAws | undefined } {
  const given = str(values['lake']) ?? DEFAULT_LAKE;
  const lake = isS3Lake(given) ? given : userPath(given);
  const aws = awsFlags(values);
  try {
    return { lake, aws, resolved: resolveAws(lake, aws, need, process.env) };
  } catch (error) {
    if (error instanceof AwsOptionsError) throw new UsageError(`${command}: ${error.message}`);
    throw error;
  }
}

async function openLake(resolved: ResolvedAws): Promise<AwsLake> {
  return openAwsLake(resolved, { tables: techstoreTables, models: techstoreModels });
}
const n = (x: number) => x.toLocaleString('en-US');

/** `generate --out DIR [--scale N] [--seed S] [--from DIR]`. */
export async function generateCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommand('generate', argv, { out: { type: 'string' }, scale: { type: 'string' }, seed: { type: 'string' }, from: { type: 'string' } });
  if (values.help) return help(io, 'generate');
  const out = str(values.out);
  if (out === undefined) throw new UsageError('generate: --out DIR is required');
  const scale = positiveNumber('generate', 'scale', values.scale);
  const from = str(values.from);
  const started = Date.now();
  const result = await generateTechstore({
    out: userPath(out),
    ...(scale === undefined ? {} : { scale }),
    ...(str(values.seed) === undefined ? {} : { seed: str(values.seed) as string }),
    ...(from === undefined ? {} : { from: userPath(from) }),
  });
  const rows = result.tables.map((t) => ({ table: t.table, rows: t.generated ? n(t.rows) : 'given', file: t.generated ? t.file : `(from ${t.file})` }));
  io.stdout.write(formatTable(['table', 'rows', 'file'], rows));
  if (result.eventTypes) io.stdout.write(`events by type: ${Object.entries(result.eventTypes).map(([k, v]) => `${k} ${n(v)}`).join(', ')}\n`);
  io.stdout.write(`generated in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return 0;
}

/** `upload [--lake DIR] [--batch NAME] FILE...`. */
export async function uploadCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand('upload', argv, { lake: { type: 'string' }, batch: { type: 'string' }, ...AWS_FLAGS }, true);
  if (values.help) return help(io, 'upload');
  if (positionals.length === 0) throw new UsageError('upload: give at least one FILE');
  const { lake, resolved } = lakeOf('upload', values, 'storage');
  const aws = resolved ? await openLake(resolved) : undefined;
  try {
    return await uploadFiles(aws ? aws.storage : new LocalStorage(lake), positionals, str(values.batch), io);
  } finally {
    aws?.close();
  }
}

async function uploadFiles(storage: Storage, positionals: readonly string[], batch: string | undefined, io: Io): Promise<number> {
  let refused = 0;
  for (const file of positionals) {
    try {
      const r = await uploadTechstoreFile(storage, userPath(file), batch === undefined ? {} : { batch });
      io.stdout.write(r.status === 'uploaded' ? `uploaded ${file} → ${r.key} (${n(r.rows)} rows, ${n(r.bytes)} bytes)\n` : `already in the lake: ${file} → ${r.key}\n`);
    } catch (error) {
      if (!(error instanceof IngestError)) throw error;
      refused++;
      io.stderr.write(`refused ${file}: ${error.message}\n`);
    }
  }
  if (refused > 0) io.stderr.write(`${refused} of ${positionals.length} file(s) refused\n`);
  return refused > 0 ? 1 : 0;
}

/** `query [--lake DIR] [--max-rows N] "SQL"`. */
export async function queryCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand('query', argv, { lake: { type: 'string' }, 'max-rows': { type: 'string' }, ...AWS_FLAGS }, true);
  if (values.help) return help(io, 'query');
  if (positionals.length !== 1) throw new UsageError(`query: give exactly one SQL statement (quoted), got ${positionals.length}`);
  const maxRows = positiveNumber('query', 'max-rows', values['max-rows']) ?? 200;
  const { lake, resolved } = lakeOf('query', values, 'athena');
  const aws = resolved ? await openLake(resolved) : undefined;
  const engine = aws ? undefined : await DuckDbEngine.create({ lakeDir: lake, tables: techstoreTables, models: techstoreModels, threads: 2 });
  try {
    const rows: Record<string, unknown>[] = [];
    let total = 0;
    const chunks = engine ? engine.query(positionals[0] as string) : athenaChunks(aws?.queries, positionals[0] as string);
    for await (const chunk of chunks) {
      for (const row of chunk) if (rows.length < maxRows) rows.push(row);
      total += chunk.length;
    }
    const columns = rows[0] ? Object.keys(rows[0]) : [];
    if (columns.length > 0) io.stdout.write(formatTable(columns, rows));
    io.stdout.write(`(${n(total)} row${total === 1 ? '' : 's'}${total > rows.length ? `, first ${n(rows.length)} shown` : ''})\n`);
    return 0;
  } finally {
    engine?.close();
    aws?.close();
  }
}

async function* athenaChunks(queries: LakeQueries | undefined, sql: string): AsyncGenerator<Record<string, unknown>[]> {
  if (queries) yield await queries.queryAll(sql);
}

/** `run [--lake DIR] [--data DIR] [--scale N] [--seed S] [--mysql URL] [--no-fsync]`. */
export async function runCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommand('run', argv, {
    lake: { type: 'string' },
    data: { type: 'string' },
    scale: { type: 'string' },
    seed: { type: 'string' },
    mysql: { type: 'string' },
    'no-fsync': { type: 'boolean' },
    ...AWS_FLAGS,
  });
  if (values.help) return help(io, 'run');
  const { lake: lakeDir, aws, resolved } = lakeOf('run', values, 'athena');
  const mysql = str(values.mysql);
  if (mysql !== undefined) {
    try {
      parseMySqlUrl(mysql);
    } catch (error) {
      throw new UsageError(`run: mysql-load: ${(error as Error).message}`);
    }
  }
  const data = str(values.data);
  if (data !== undefined && !(await isDirectory(userPath(data)))) throw new UsageError(`run: --data ${data} is not a directory`);
  const scale = positiveNumber('run', 'scale', values.scale);
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted (Ctrl-C)'));
  process.once('SIGINT', onSigint);
  const started = Date.now();
  try {
    const result = await runTechstore({
      lakeDir,
      ...(resolved ? { aws } : {}),
      ...(data === undefined ? {} : { dataDir: userPath(data) }),
      ...(scale === undefined ? {} : { scale }),
      ...(str(values.seed) === undefined ? {} : { seed: str(values.seed) as string }),
      durable: values['no-fsync'] !== true,
      ...(mysql === undefined ? {} : { mysql: { url: mysql } }),
      onEvent: progressReporter(io.stderr),
      signal: controller.signal,
    });
    io.stdout.write(formatRun(result, lakeDir, Date.now() - started, scale));
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** The summary of a run, then the answers. */
function formatRun(result: RunTechstoreResult, lakeDir: string, elapsedMs: number, scale: number | undefined): string {
  const log = result.runLog;
  const step = (name: string) => log.steps.find((s) => s.name === name);
  const ingest = step('raw-to-processed');
  const lines: string[] = [];
  lines.push(`lake ${lakeDir} · run ${log.runId} · ${(elapsedMs / 1000).toFixed(1)} s`);
  if (result.generated === 'demo') lines.push(`generated the demo dataset (scale ${scale ?? 1}) into the empty lake`);
  if (result.generated === 'funnel') lines.push('generated sessions and events consistent with the given orders');
  const uploaded = result.uploads.filter((u) => u.status === 'uploaded');
  lines.push(`upload: ${uploaded.length} file(s) uploaded${result.uploads.length > uploaded.length ? `, ${result.uploads.length - uploaded.length} already in the lake` : ''}`);
  lines.push(
    ingest && ingest.rowsIn > 0
      ? `raw → processed: ${n(ingest.rowsIn)} rows in, ${n(ingest.rowsOut)} out, ${n(ingest.rowsRejected)} rejected, ${n(ingest.files)} Parquet files`
      : 'raw → processed: no new raw files, nothing written',
  );
  const catalog = step('catalog')?.output as { database?: string; partitionsAdded?: number; partitionsRemoved?: number } | null | undefined;
  if (catalog) lines.push(`catalog: Glue database ${catalog.database ?? '?'}, ${n(catalog.partitionsAdded ?? 0)} partition(s) added, ${n(catalog.partitionsRemoved ?? 0)} removed`);
  const c = result.curated;
  const curatedRows = c.models.reduce((s, m) => s + m.rows, 0);
  if (c.mode === 'nothing-new') lines.push('curated: no new processed files, nothing written');
  else if (c.mode === 'full') lines.push(`curated: full build of ${c.models.length} models (first build)${curatedRows > 0 ? `, ${n(curatedRows)} rows` : ' on Athena'}`);
  else {
    const scope = (m: (typeof c.models)[number]) => (m.scope === 'all' ? 'all' : `${m.scope.length} partition${m.scope.length === 1 ? '' : 's'}`);
    lines.push(`curated: incremental, ${c.models.map((m) => `${m.model} (${scope(m)}, ${n(m.rows)} rows)`).join(', ')}`);
  }
  if (result.mysql) {
    const where = step('mysql-load')?.output as { database?: string } | null | undefined;
    lines.push(`mysql-load: ${result.mysql.length} curated tables, ${n(result.mysql.reduce((s, l) => s + l.rows, 0))} rows into database ${where?.database ?? '?'} (replace)`);
  }
  lines.push(`dashboard: ${result.dashboard.path}${result.dashboard.written ? '' : ' (unchanged)'}`);
  const cost = log.costEstimate;
  lines.push(`run log: _state/runs/${log.runId}.json${cost ? ` · AWS estimate USD ${cost.total.toFixed(4)} this run, USD ${(cost.monthlyProjection ?? 0).toFixed(2)}/month at one run a day` : ''}`);
  return `\n${lines.join('\n')}\n\n${formatAnswers(result.answers)}`;
}

/** `watch [--lake DIR|s3://bucket/prefix] [--interval SECONDS] [--list-timeout SECONDS] [--no-fsync]` (+ the AWS flags). */
export async function watchCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommand('watch', argv, {
    lake: { type: 'string' },
    interval: { type: 'string' },
    'list-timeout': { type: 'string' },
    'no-fsync': { type: 'boolean' },
    ...AWS_FLAGS,
  });
  if (values.help) return help(io, 'watch');
  const { lake: lakeDir, aws, resolved } = lakeOf('watch', values, 'athena');
  const interval = positiveNumber('watch', 'interval', values.interval) ?? 5;
  const listTimeout = positiveNumber('watch', 'list-timeout', values['list-timeout']) ?? 30;
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted (Ctrl-C)'));
  process.once('SIGINT', onSigint);
  io.stderr.write(`watching ${resolved ? `${lakeDir.replace(/\/+$/, '')}/raw/` : `${lakeDir}/raw`} every ${interval} s (Ctrl-C to stop)\n`);
  let started = Date.now();
  const report = progressReporter(io.stderr);
  try {
    const runs = await watchTechstore({
      lakeDir,
      ...(resolved ? { aws } : {}),
      intervalMs: interval * 1000,
      listTimeoutMs: listTimeout * 1000,
      signal: controller.signal,
      durable: values['no-fsync'] !== true,
      onEvent: (event) => {
        if (event.type === 'run-start') started = Date.now();
        report(event);
      },
      onRun: (result) => io.stdout.write(formatRun(result, lakeDir, Date.now() - started, undefined)),
      onError: (error) => io.stderr.write(`techstore watch: run failed: ${(error as Error).message.split('\n')[0]}; waiting for new files\n`),
      onListError: (error) => io.stderr.write(`techstore watch: listing raw/ failed: ${(error as Error).message.split('\n')[0]}; trying again in ${interval} s\n`),
    });
    io.stderr.write(`stopped after ${runs} run(s)\n`);
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() === true;
}

function help(io: Io, command: string): number {
  io.stdout.write(COMMAND_HELP[command] ?? '');
  return 0;
}
