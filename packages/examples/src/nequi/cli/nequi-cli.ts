/**
 * `pnpm nequi generate|run`: the Nequi example's command line.
 *
 * - `generate --out DIR [--rows N] [--dirty-share P] [--seed S]`: the synthetic source files.
 * - `run [--lake DIR] [--data DIR] [--deadline 5m] [--threads T] [--memory-limit 384MB] [--mysql URL] [--no-upload]`:
 *   upload → raw → processed (cleaning, rejects) → curated models → (MySQL) → reports, with
 *   TechStore's progress bars on stderr and a run log in `<lake>/_state/runs/`. `--deadline` is the
 *   daily window: past it the run fails at once, naming the step that overran.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { PipelineError, runLogKey, type RunLog } from '@lakeblocks/core';
import { generateNequi } from '../generate/generate-nequi.js';
import { parseMySqlUrl } from '../pipeline/mysql-load.js';
import { nequiPipeline } from '../pipeline/nequi-pipeline.js';
import { userPath } from '../../techstore/cli/args.js';
import { progressReporter } from '../../techstore/cli/progress.js';

/**
 * Where the CLI writes: human output and progress (both default to the process streams).
 *
 * @example
 * ```ts
 * const io: CliIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };
 * ```
 */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether `err` is a terminal (progress bars are redrawn in place; plain lines otherwise). */
  isTTY?: boolean;
}

const USAGE = `Usage:
  pnpm nequi generate --out DIR [--rows N] [--dirty-share P] [--seed S]
  pnpm nequi run [--lake DIR] [--data DIR] [--deadline 90s|5m|2h] [--threads T] [--memory-limit 384MB]
                 [--mysql mysql://user[:password]@host[:port]/database] [--no-upload]
`;

const processIo: CliIo = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s), isTTY: process.stderr.isTTY === true };

/**
 * Parses a duration: `90s`, `5m`, `2h`, `1h30m`, `250ms`; a bare number is minutes.
 *
 * @example
 * ```ts
 * parseDuration('5m'); // 300000
 * ```
 */
export function parseDuration(text: string): number {
  const bare = /^\d+(?:\.\d+)?$/.test(text);
  const parts = bare ? [['', text, 'm'] as const] : [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)].map((m) => [m[0], m[1] ?? '', m[2] ?? ''] as const);
  const unit: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  const ms = parts.reduce((sum, [, n, u]) => sum + Number(n) * (unit[u] ?? Number.NaN), 0);
  if (!bare && parts.map((p) => p[0]).join('') !== text) throw new Error(`--deadline: invalid duration ${JSON.stringify(text)} (e.g. 90s, 5m, 2h, 1h30m)`);
  if (!Number.isFinite(ms) || ms <= 0) throw new Error(`--deadline: invalid duration ${JSON.stringify(text)} (e.g. 90s, 5m, 2h, 1h30m)`);
  return Math.round(ms);
}

/** The summary of a finished run. */
function formatRun(log: RunLog, lakeDir: string): string {
  const step = (name: string) => log.steps.find((s) => s.name === name);
  const ingest = step('raw-to-processed');
  const curated = step('curated')?.output as { mode?: string; months?: number } | undefined;
  const mysql = step('mysql-load')?.output as { database?: string; tables?: { table: string; rows: number }[] } | undefined;
  const lines = [
    `run ${log.runId}: ${log.status} in ${((log.durationMs ?? 0) / 1000).toFixed(1)} s`,
    `raw → processed: rows in ${ingest?.rowsIn ?? 0} = processed ${ingest?.rowsOut ?? 0} + rejected ${ingest?.rowsRejected ?? 0}`,
    `curated: ${curated?.mode ?? '?'}${curated?.mode === 'incremental' ? ` (${curated.months ?? 0} month(s) rebuilt)` : ''}`,
  ];
  if (mysql?.tables) lines.push(`mysql-load: ${mysql.tables.map((t) => `${t.table} ${t.rows}`).join(', ')} into database ${mysql.database ?? '?'} (replace)`);
  lines.push(`reports: ${lakeDir}/reports/nequi-report.html, ${lakeDir}/reports/data-dictionary.md`);
  lines.push(`run log: ${lakeDir}/${runLogKey(log.runId)}`);
  return `${lines.join('\n')}\n`;
}

function numberOption(value: string | undefined, name: string, check: (n: number) => boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new Error(`--${name}: invalid value ${JSON.stringify(value)}`);
  return n;
}

/**
 * Runs the CLI with `argv` (without the node and script paths); resolves with the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await nequiCli(['generate', '--out', '/tmp/nequi', '--rows', '100000']);
 * ```
 */
export async function nequiCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'generate') {
      const { values } = parseArgs({
        args: rest,
        options: { out: { type: 'string' }, rows: { type: 'string' }, 'dirty-share': { type: 'string' }, seed: { type: 'string' } },
        strict: true,
      });
      if (values.out === undefined) throw new Error('--out DIR is required');
      const rows = numberOption(values.rows, 'rows', (n) => Number.isInteger(n) && n >= 0);
      const dirtyShare = numberOption(values['dirty-share'], 'dirty-share', (n) => n >= 0 && n <= 1);
      const seed = numberOption(values.seed, 'seed', Number.isInteger);
      const summary = await generateNequi({
        outDir: userPath(values.out),
        ...(rows === undefined ? {} : { rows }),
        ...(dirtyShare === undefined ? {} : { dirtyShare }),
        ...(seed === undefined ? {} : { seed }),
        onProgress: (done, total) => io.err(`\rtransactions ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}`),
      });
      io.err('\n');
      const rate = summary.transactions.rows / summary.seconds;
      io.out(
        `${summary.users.file}: ${summary.users.rows} rows; ${summary.cards.file}: ${summary.cards.rows} rows; ` +
          `${summary.transactions.file}: ${summary.transactions.rows} rows; mcc_codes.json: ${summary.mccCodes.codes} codes\n` +
          `${(summary.bytes / 1e6).toFixed(1)} MB in ${summary.seconds.toFixed(1)} s (${Math.round(rate).toLocaleString('en-US')} transactions/s); ` +
          `dirty rows the cleaning must reject: ${summary.users.expectedRejects + summary.cards.expectedRejects + summary.transactions.expectedRejects}\n`,
      );
      return 0;
    }
    if (command === 'run') {
      const { values } = parseArgs({
        args: rest,
        options: {
          lake: { type: 'string' },
          data: { type: 'string' },
          deadline: { type: 'string' },
          threads: { type: 'string' },
          'memory-limit': { type: 'string' },
          mysql: { type: 'string' },
          'no-upload': { type: 'boolean' },
        },
        strict: true,
      });
      const deadlineMs = values.deadline === undefined ? undefined : parseDuration(values.deadline);
      const threads = numberOption(values.threads, 'threads', (n) => Number.isInteger(n) && n > 0);
      if (values.mysql !== undefined) parseMySqlUrl(values.mysql); // a bad URL fails before anything runs (password redacted)
      const lakeDir = userPath(values.lake ?? '.lake/nequi');
      const pipeline = nequiPipeline({
        lakeDir,
        ...(values['no-upload'] === true ? {} : { dataDir: userPath(values.data ?? 'data/nequi') }),
        ...(deadlineMs === undefined ? {} : { deadlineMs }),
        ...(threads === undefined ? {} : { threads }),
        ...(values['memory-limit'] === undefined ? {} : { memoryLimit: values['memory-limit'] }),
        ...(values.mysql === undefined ? {} : { mysql: { url: values.mysql } }),
        onEvent: progressReporter({ isTTY: io.isTTY === true, write: (text: string) => io.err(text) }),
      });
      let log: RunLog;
      try {
        log = await pipeline.run();
      } catch (error) {
        if (error instanceof PipelineError) {
          const step = error.runLog.steps.find((s) => s.status === 'failed' || s.status === 'cancelled');
          io.err(`nequi run: ${error.message}\n`);
          io.err(`run log: ${lakeDir}/${runLogKey(error.runLog.runId)}${step ? ` (step "${step.name}" ${step.status})` : ''}\n`);
          return 1;
        }
        throw error;
      }
      io.out(formatRun(log, lakeDir));
      return 0;
    }
    io.err(USAGE);
    return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
  } catch (error) {
    io.err(`nequi ${command ?? ''}: ${(error as Error).message}\n`);
    return 1;
  }
}
