/**
 * Shared by the Nequi benchmarks: generated datasets cached by size, and runs in child processes
 * (`nequi-child.ts`) so that each run's peak RSS (`process.resourceUsage().maxRSS`, the kernel's
 * high-water mark) is its own.
 */
import { spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNequi } from '../src/nequi/generate/generate-nequi.js';

/** Where datasets and lakes go (`$LAKEBLOCKS_BENCH_DIR`, default `<tmp>/lakeblocks-bench`). */
export const benchDir = process.env['LAKEBLOCKS_BENCH_DIR'] ?? join(tmpdir(), 'lakeblocks-bench');

/** What a child run reports. */
export interface ChildResult {
  mode: 'pipeline' | 'duckdb';
  ms: number;
  cpuMs: number;
  maxRssMB: number;
  rowsIn: number;
  processed: number;
  rejected: number;
  /** Per step: duration and the process's peak RSS when it ended. */
  steps: { name: string; ms: number; maxRssMB: number }[];
}

/**
 * The generated sources of `rows` transactions (1 % dirty, seed 20260101), generated once into
 * `<benchDir>/nequi-<rows>` (or `dir`) and reused while the marker says they are complete.
 */
export async function nequiDataset(rows: number, dir = join(benchDir, `nequi-${rows}`)): Promise<string> {
  const marker = join(dir, '.generated.json');
  const want = JSON.stringify({ rows, dirtyShare: 0.01, seed: 20260101 });
  if ((await readFile(marker, 'utf8').catch(() => '')) === want) return dir;
  await rm(dir, { recursive: true, force: true });
  const started = performance.now();
  await generateNequi({ outDir: dir, rows, dirtyShare: 0.01, seed: 20260101 });
  process.stderr.write(`generated ${rows.toLocaleString('en-US')} transactions into ${dir} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  await writeFile(marker, want);
  return dir;
}

/** Runs `nequi-child.ts` with `args` in a fresh process and returns its result line. */
export function runChild(args: readonly string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, join(import.meta.dirname, 'nequi-child.ts'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('@@RESULT '));
      if (code !== 0 || line === undefined) reject(new Error(`child ${args.join(' ')} exited with ${code}: ${out.slice(-2000)}`));
      else {
        const result = JSON.parse(line.slice('@@RESULT '.length)) as ChildResult;
        process.stderr.write(`  ${result.mode}: ${(result.ms / 1000).toFixed(1)} s, CPU ${(result.cpuMs / 1000).toFixed(1)} s, peak RSS ${Math.round(result.maxRssMB)} MB\n`);
        resolve(result);
      }
    });
  });
}

/** Numbers for tables. */
export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Least-squares fit y = a + b·x, with R². */
export function leastSquares(points: readonly [number, number][]): { a: number; b: number; r2: number } {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const b = sxx === 0 ? 0 : sxy / sxx;
  const a = my - b * mx;
  const ssTot = points.reduce((s, [, y]) => s + (y - my) ** 2, 0);
  const ssRes = points.reduce((s, [x, y]) => s + (y - (a + b * x)) ** 2, 0);
  return { a, b, r2: ssTot === 0 ? 1 : 1 - ssRes / ssTot };
}
