/**
 * `pnpm nequi generate|run`: the Nequi example's command line.
 *
 * - `generate --out DIR [--rows N] [--dirty-share P] [--seed S]`: the synthetic source files.
 * - `run [--lake DIR] [--data DIR] [--deadline-minutes M] [--threads T]`: upload → raw → processed
 *   (cleaning, rejects) → curated models → `reports/data-dictionary.md`, with a run log in
 *   `<lake>/_state/runs/`. (`--mysql URL` of issue 7 is not wired yet.)
 *
 * @module
 */
import { parseArgs } from 'node:util';
import type { PipelineEvent } from '@lakeblocks/core';
import { generateNequi } from '../generate/generate-nequi.js';
import { nequiPipeline } from '../pipeline/nequi-pipeline.js';
import { userPath } from '../../techstore/cli/args.js';

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
}

const USAGE = `Usage:
  pnpm nequi generate --out DIR [--rows N] [--dirty-share P] [--seed S]
  pnpm nequi run [--lake DIR] [--data DIR] [--deadline-minutes M] [--threads T]
`;

const processIo: CliIo = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s) };

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
        options: { lake: { type: 'string' }, data: { type: 'string' }, 'deadline-minutes': { type: 'string' }, threads: { type: 'string' }, mysql: { type: 'string' } },
        strict: true,
      });
      if (values.mysql !== undefined) throw new Error('--mysql is not supported yet (issue 7)');
      const deadlineMinutes = numberOption(values['deadline-minutes'], 'deadline-minutes', (n) => n > 0);
      const threads = numberOption(values.threads, 'threads', (n) => Number.isInteger(n) && n > 0);
      const lakeDir = userPath(values.lake ?? '.lake/nequi');
      const pipeline = nequiPipeline({
        lakeDir,
        dataDir: userPath(values.data ?? 'data/nequi'),
        ...(deadlineMinutes === undefined ? {} : { deadlineMs: deadlineMinutes * 60_000 }),
        ...(threads === undefined ? {} : { threads }),
        onEvent: (e: PipelineEvent) => {
          if (e.type === 'step-start') io.err(`▶ ${e.step}\n`);
          else if (e.type === 'step-end') io.err(`${e.status === 'succeeded' ? '✔' : '✖'} ${e.step} (${(e.durationMs / 1000).toFixed(1)} s)\n`);
        },
      });
      const log = await pipeline.run();
      const ingest = log.steps.find((s) => s.name === 'raw-to-processed');
      io.out(
        `run ${log.runId}: ${log.status} in ${((log.durationMs ?? 0) / 1000).toFixed(1)} s; ` +
          `rows in ${ingest?.rowsIn ?? 0} = processed ${ingest?.rowsOut ?? 0} + rejected ${ingest?.rowsRejected ?? 0}; ` +
          `data dictionary: ${lakeDir}/reports/data-dictionary.md\n`,
      );
      return 0;
    }
    io.err(USAGE);
    return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
  } catch (error) {
    io.err(`nequi ${command ?? ''}: ${(error as Error).message}\n`);
    return 1;
  }
}
