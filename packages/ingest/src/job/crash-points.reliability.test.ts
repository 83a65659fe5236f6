/**
 * Crash points of the raw → processed job: a child process runs the job and SIGKILLs itself right
 * before its N-th storage write, for N = 1 … (every write of a clean run); a rerun then finishes the
 * job. Whatever N, the lake must end equal to a clean run's: the same processed files byte for byte,
 * every rejected row reported exactly once over all rejects files (a rejects file of a killed run
 * whose bookmark never moved must not stay beside its rerun's), and a third run with nothing new.
 * CI runs a sample of the points; `LAKEBLOCKS_CRASH_POINTS=all` runs all of them.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHILD = join(import.meta.dirname, '../testing/crash-at-write.ts');
const TSX = createRequire(import.meta.url).resolve('tsx');
const ALL_POINTS = process.env.LAKEBLOCKS_CRASH_POINTS === 'all';

const ORDERS_HEADER = 'order_id,customer_id,order_time,payment_method,discount_pct,subtotal_usd,total_usd,country,device,source\n';
const order = (id: number | string, day: number, total = '45.00') => `${id},1,2025-12-${String(day).padStart(2, '0')}T09:25:00,card,10,50.00,${total},US,mobile,organic\n`;
const CUSTOMERS_HEADER = 'customer_id,name,email,country,age,signup_date,marketing_opt_in\n';
const customer = (id: number | string, age: number | string, day: number) => `${id},Ana Diaz,ana${id}@example.org,CO,${age},2024-03-${String(day).padStart(2, '0')},True\n`;

/** The raw files: two orders batches (a bad total, a duplicate key across batches) and one customers file (a bad age). */
const RAW: Record<string, string> = {
  'raw/orders/b1/orders.csv': ORDERS_HEADER + order(1, 1) + order(2, 2) + order(3, 2, 'abc') + order(4, 3),
  'raw/orders/b2/orders_next.csv': ORDERS_HEADER + order(5, 3) + order(2, 4) + order(6, 5),
  'raw/customers/b1/customers.csv': CUSTOMERS_HEADER + customer(1, 30, 1) + customer(2, 'old', 2) + customer(3, 41, 2),
};

let work: string;

async function freshLake(name: string): Promise<string> {
  const lake = join(work, name);
  for (const [key, text] of Object.entries(RAW)) {
    await mkdir(dirname(join(lake, key)), { recursive: true });
    await writeFile(join(lake, key), text);
  }
  return lake;
}

function runChild(lake: string, killAt: number, runId: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; writes?: number; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, '--conditions=@lakeblocks/source', CHILD, lake, String(killAt), runId], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').at(-1);
      resolveRun({ code, signal, stderr, ...(last ? { writes: (JSON.parse(last) as { writes: number }).writes } : {}) });
    });
  });
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (at: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(at, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) await walk(join(at, e.name));
      else out.push(relative(dir, join(at, e.name)));
    }
  };
  await walk(dir);
  return out.sort();
}

/** What must not depend on where a run was killed. */
async function outcome(lake: string): Promise<{ processed: Record<string, string>; rejected: string[] }> {
  const processed: Record<string, string> = {};
  for (const f of await files(join(lake, 'processed'))) processed[f] = createHash('sha256').update(await readFile(join(lake, 'processed', f))).digest('hex').slice(0, 16);
  const rejected: string[] = [];
  for (const f of await files(join(lake, 'rejects'))) {
    const lines = (await readFile(join(lake, 'rejects', f), 'utf8')).split('\n').slice(1).filter((l) => l !== '');
    for (const l of lines) rejected.push(`${dirname(f)} | ${l}`);
  }
  return { processed, rejected: rejected.sort() };
}

let clean: { writes: number; outcome: Awaited<ReturnType<typeof outcome>> };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ingest-crash-points-'));
  const lake = await freshLake('clean');
  const run = await runChild(lake, 0, 'clean');
  expect(run.code, run.stderr).toBe(0);
  clean = { writes: run.writes ?? 0, outcome: await outcome(lake) };
  expect(clean.writes).toBeGreaterThan(10);
  expect(clean.outcome.rejected).toHaveLength(3); // bad total, repeated order 2, bad age
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('raw → processed killed before any one of its storage writes', () => {
  it('ends, after a rerun, exactly as a clean run: processed files, each rejected row once, then nothing new', async () => {
    const all = Array.from({ length: clean.writes }, (_, i) => i + 1);
    // CI: the first write, one in the middle, and the last three (rejects, bookmark, release).
    const points = ALL_POINTS ? all : [...new Set([1, Math.ceil(clean.writes / 2), clean.writes - 2, clean.writes - 1, clean.writes])];
    const failures: string[] = [];
    for (const point of points) {
      const lake = await freshLake(`kill-${point}`);
      const killed = await runChild(lake, point, `killed-${point}`);
      expect(killed.signal, `point ${point}: ${killed.stderr}`).toBe('SIGKILL');
      const rerun = await runChild(lake, 0, `rerun-${point}`);
      expect(rerun.code, `point ${point}: ${rerun.stderr}`).toBe(0);
      const got = await outcome(lake);
      if (JSON.stringify(got) !== JSON.stringify(clean.outcome)) {
        failures.push(`kill before write ${point}/${clean.writes}: ${JSON.stringify({ processedAsClean: JSON.stringify(got.processed) === JSON.stringify(clean.outcome.processed), rejected: got.rejected })}`);
        continue;
      }
      const third = await runChild(lake, 0, `third-${point}`);
      expect(third.code, third.stderr).toBe(0);
      if (JSON.stringify(await outcome(lake)) !== JSON.stringify(clean.outcome)) failures.push(`point ${point}: a run with nothing new changed the lake`);
    }
    expect(failures).toEqual([]);
  }, 600_000);
});
