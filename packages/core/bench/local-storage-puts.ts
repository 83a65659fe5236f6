/**
 * `LocalStorage.put` of many small files (`durable: false`), as a day-partitioned Parquet dataset
 * is published: the thread-pool path (`syncPutMaxBytes: 0`, what every put took before) against the
 * synchronous fast path (the default), alternated, fresh directories each rep. Prints, per path and
 * phase, the median wall time, process CPU time (main thread and thread pool) and longest
 * event-loop stall; `create` writes into new directories, `replace` writes the same keys again.
 *
 * Run: `pnpm exec tsx --conditions=@lakeblocks/source bench/local-storage-puts.ts [files=2131] [bytes=9216] [reps=5] [concurrency=8] [dir=<tmp>]`
 * (a `dir` on tmpfs, e.g. `/dev/shm`, leaves out the disk's own cost of creating files and directories).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LocalStorage } from '../src/storage/local-storage.js';

const files = Number(process.argv[2] ?? 2131);
const bytes = Number(process.argv[3] ?? 9216);
const reps = Number(process.argv[4] ?? 5);
const concurrency = Number(process.argv[5] ?? 8);
const parent = process.argv[6] ?? tmpdir();

const body = randomBytes(bytes);
/** One file per day partition, as the TechStore events dataset. */
const keys = Array.from({ length: files }, (_, i) => {
  const day = new Date(Date.UTC(2015, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
  return `processed/events/event_date=${day}/part-0a1b2c3d4e5f-00000.parquet`;
});

const paths = {
  'thread pool (before)': { durable: false, syncPutMaxBytes: 0 },
  'sync fast path (now)': { durable: false },
} as const;
type Path = keyof typeof paths;
type Phase = 'create' | 'replace';
interface Sample {
  wall: number;
  cpu: number;
  stall: number;
}

async function putAll(storage: LocalStorage): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keys.length) await storage.put(keys[next++] as string, body);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function measure(fn: () => Promise<void>): Promise<Sample> {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const cpu1 = process.cpuUsage(cpu0);
  loop.disable();
  return { wall, cpu: (cpu1.user + cpu1.system) / 1000, stall: loop.max / 1e6 };
}

const samples = new Map<string, Sample[]>();
for (let rep = 0; rep < reps; rep++) {
  // Alternate which path goes first, so drift on a shared machine hits both alike.
  const order = (Object.keys(paths) as Path[])[rep % 2 === 0 ? 'slice' : 'reverse']();
  for (const path of order) {
    const dir = await mkdtemp(join(parent, 'lakeblocks-bench-puts-'));
    try {
      const storage = new LocalStorage(dir, paths[path]);
      for (const phase of ['create', 'replace'] as Phase[]) {
        const sample = await measure(() => putAll(storage));
        const id = `${path} ${phase}`;
        samples.set(id, [...(samples.get(id) ?? []), sample]);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
console.log(`${files} puts of ${bytes} B under ${parent}, ${concurrency} at a time, median of ${reps} alternated reps`);
for (const [id, xs] of samples) {
  const wall = median(xs.map((x) => x.wall));
  const cpu = median(xs.map((x) => x.cpu));
  const stall = median(xs.map((x) => x.stall));
  console.log(
    `${id.padEnd(30)} wall ${wall.toFixed(0).padStart(5)} ms  cpu ${cpu.toFixed(0).padStart(5)} ms  ` +
      `${((wall * 1000) / files).toFixed(0).padStart(4)} µs/put  longest loop stall ${stall.toFixed(1)} ms`,
  );
}
