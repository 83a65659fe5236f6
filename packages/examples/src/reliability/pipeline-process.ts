/**
 * Test harness of the crash-safety suites: runs an example pipeline's CLI (`techstore run`,
 * `nequi run`) as a child process — one Node process, no wrapper, so SIGKILL really kills the
 * pipeline — and kills it after a delay or a chosen progress line. Test-only; not exported from
 * the package.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (packages/examples/src/reliability → ../../../..). */
export const REPO_ROOT = resolve(here, '../../../..');
const CLIS = {
  techstore: join(REPO_ROOT, 'packages/examples/src/techstore/cli/main.ts'),
  nequi: join(REPO_ROOT, 'packages/examples/src/nequi/cli/main.ts'),
} as const;
const TSX = createRequire(import.meta.url).resolve('tsx');

/**
 * When to SIGKILL a run: `afterMs` from spawn, or `delayMs` after the first stderr line matching
 * `onLine` (a progress line such as `[3/6] raw-to-processed   started`). Without either, the run
 * is left to finish.
 *
 * @example
 * ```ts
 * const kill: KillPlan = { onLine: /raw-to-processed\s+started/, delayMs: 700 };
 * ```
 */
export interface KillPlan {
  afterMs?: number;
  onLine?: RegExp;
  delayMs?: number;
}

/**
 * How a child run ended.
 *
 * @example
 * ```ts
 * const r: RunOutcome = { code: 0, signal: null, killed: false, stdout: '', stderr: '', ms: 9_000 };
 * ```
 */
export interface RunOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether this harness sent the SIGKILL (a run may finish before its kill point). */
  killed: boolean;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Spawns `techstore run --lake LAKE --data DATA --no-fsync` (SIGKILL loses no page cache, so fsync
 * changes nothing here) and resolves when it exits, killing it per `kill`.
 *
 * @example
 * ```ts
 * const outcome = await runTechstoreProcess('/tmp/lake', '/tmp/data', { afterMs: 2_500 });
 * ```
 */
export function runTechstoreProcess(lake: string, data: string, kill: KillPlan = {}, timeoutMs = 240_000): Promise<RunOutcome> {
  return runCliProcess('techstore', ['run', '--lake', lake, '--data', data, '--no-fsync'], kill, timeoutMs);
}

/**
 * Spawns an example CLI with `args` and resolves when it exits, killing it per `kill`.
 *
 * @example
 * ```ts
 * const outcome = await runCliProcess('nequi', ['run', '--lake', '/tmp/lake', '--data', '/tmp/nequi'], { afterMs: 2_000 });
 * ```
 */
export function runCliProcess(cli: keyof typeof CLIS, args: readonly string[], kill: KillPlan = {}, timeoutMs = 240_000): Promise<RunOutcome> {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    ['--import', TSX, '--conditions=@lakeblocks/source', CLIS[cli], ...args],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } },
  );
  let stdout = '';
  let stderr = '';
  let killed = false;
  const timers: NodeJS.Timeout[] = [];
  const killNow = () => {
    if (child.exitCode === null && child.signalCode === null) {
      killed = true;
      child.kill('SIGKILL');
    }
  };
  if (kill.afterMs !== undefined) timers.push(setTimeout(killNow, kill.afterMs));
  let armed = kill.onLine !== undefined;
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
    if (armed && kill.onLine?.test(stderr)) {
      armed = false;
      timers.push(setTimeout(killNow, kill.delayMs ?? 0));
    }
  });
  timers.push(setTimeout(killNow, timeoutMs)); // never hang a test
  return new Promise((resolveOutcome, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      for (const t of timers) clearTimeout(t);
      resolveOutcome({ code, signal, killed, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** The `[k/6] step …` progress lines of a run's stderr, for reports. */
export function lastProgress(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => /^\[\d+\/\d+\]/.test(l));
  return lines[lines.length - 1]?.replace(/\s+/g, ' ') ?? '(no progress yet)';
}
