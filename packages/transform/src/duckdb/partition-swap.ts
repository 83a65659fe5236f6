/**
 * Committing a staged write into the local lake by directory renames. A partition directory (or, for
 * an unpartitioned table, the table directory) appears whole: the new directory is renamed into
 * place after the old one is renamed away, both within one file system; readers never see a
 * half-written partition, only — for the instant between the two renames — an absent one.
 *
 * Before moving anything, the plan (partitions written and to remove) is journaled next to the
 * staged data; {@link recoverStagedCommits} finishes a commit a crash interrupted, so the next run
 * leaves the lake as the interrupted one would have.
 *
 * @module
 */
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TransformError } from '../errors/transform-error.js';

/**
 * Relative paths (`year=2025/month=1`) of the partition directories `depth` levels under `root`
 * (`key=value` directories only; hidden and `_` names are skipped). `[]` when `root` is absent.
 *
 * @example
 * ```ts
 * await listPartitionDirs('/lake/curated/fact_orders_enriched', 2); // ['year=2025/month=1', …]
 * ```
 */
export async function listPartitionDirs(root: string, depth: number): Promise<string[]> {
  if (depth === 0) return (await exists(root)) ? [''] : [];
  const out: string[] = [];
  const walk = async (rel: string, level: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(root, rel), { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith('.') || e.name.startsWith('_') || !e.name.includes('=')) continue;
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (level + 1 === depth) out.push(child);
      else await walk(child, level + 1);
    }
  };
  await walk('', 0);
  return out.sort();
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * What {@link commitPartitions} moves and removes.
 *
 * @example
 * ```ts
 * const plan: CommitPlan = { stagingDir: '/lake/_state/…/data', targetDir: '/lake/curated/t', trashDir: '/lake/_state/…/old', depth: 2, remove: ['year=2024/month=12'] };
 * ```
 */
export interface CommitPlan {
  /** Where the engine wrote the new partitions. */
  stagingDir: string;
  /** The table's directory in the lake. */
  targetDir: string;
  /** Where replaced partitions go before deletion (same file system). */
  trashDir: string;
  /** Number of partition keys (0: the table directory itself is swapped). */
  depth: number;
  /** Existing partitions to remove when the staged output does not contain them. */
  remove: readonly string[];
  /** Where to journal the plan before moving (a crash after this point is rolled forward). */
  journalFile?: string;
  /** The partitions staged (default: listed from `stagingDir`); given when resuming from a journal. */
  written?: readonly string[];
}

interface Journal {
  version: 1;
  written: string[];
  remove: string[];
}

/**
 * Moves every staged partition into the table by rename (replacing the old one), removes the
 * partitions listed in `remove` that were not rebuilt, prunes emptied parent directories, and
 * returns which partitions were written and removed.
 *
 * @example
 * ```ts
 * const { written, removed } = await commitPartitions(plan);
 * ```
 */
export async function commitPartitions(plan: CommitPlan): Promise<{ written: string[]; removed: string[] }> {
  const written = plan.written !== undefined ? [...plan.written] : await listPartitionDirs(plan.stagingDir, plan.depth);
  const removed: string[] = [];
  try {
    if (plan.journalFile !== undefined) {
      const journal: Journal = { version: 1, written, remove: [...plan.remove] };
      // Durable before the first move: a journal lost in a power cut would leave moved partitions unaccounted for.
      const file = await open(`${plan.journalFile}.tmp`, 'w');
      try {
        await file.writeFile(JSON.stringify(journal));
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(`${plan.journalFile}.tmp`, plan.journalFile);
    }
    for (const rel of written) {
      const source = rel === '' ? plan.stagingDir : join(plan.stagingDir, rel);
      const target = rel === '' ? plan.targetDir : join(plan.targetDir, rel);
      if (!(await exists(source))) continue; // moved before a crash (resuming from the journal)
      await moveAway(target, join(plan.trashDir, rel === '' ? 'table' : rel));
      await mkdir(dirname(target), { recursive: true });
      await rename(source, target);
    }
    for (const rel of plan.remove) {
      if (written.includes(rel)) continue;
      const target = rel === '' ? plan.targetDir : join(plan.targetDir, rel);
      if (await moveAway(target, join(plan.trashDir, rel === '' ? 'table' : rel))) {
        removed.push(rel);
        await pruneEmptyParents(dirname(target), plan.targetDir);
      }
    }
  } catch (error) {
    throw new TransformError('WriteFailed', `Could not move partitions into ${plan.targetDir}: ${(error as Error).message}`, {
      cause: error,
      isRetryable: true,
      context: { table: plan.targetDir },
    });
  }
  await rm(plan.trashDir, { recursive: true, force: true });
  return { written, removed };
}

/**
 * Finishes or discards the staged runs a crash left under `runsDir` (one directory per run, each
 * holding `data/`, `old/` and, once its commit started, `commit.json`): a run whose commit started
 * is rolled forward (remaining partitions moved in, planned removals done); a run that crashed
 * while still writing is discarded (the table was not touched). Returns the run directories handled.
 * Only one run per model may be active at a time.
 *
 * @example
 * ```ts
 * await recoverStagedCommits('/lake/_state/transform/staging/kpi_monthly', '/lake/curated/kpi_monthly', 0);
 * ```
 */
export async function recoverStagedCommits(runsDir: string, targetDir: string, depth: number): Promise<string[]> {
  let runs: string[];
  try {
    runs = (await readdir(runsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  for (const run of runs.sort()) {
    const runDir = join(runsDir, run);
    const journalFile = join(runDir, 'commit.json');
    let journal: Journal | undefined;
    try {
      const parsed = JSON.parse(await readFile(journalFile, 'utf8')) as Partial<Journal>;
      if (parsed.version === 1 && Array.isArray(parsed.written) && Array.isArray(parsed.remove)) journal = parsed as Journal;
    } catch {
      journal = undefined; // no journal: the run never started committing (or its journal is torn)
    }
    if (journal !== undefined) {
      await commitPartitions({ stagingDir: join(runDir, 'data'), targetDir, trashDir: join(runDir, 'old'), depth, remove: journal.remove, written: journal.written });
    } else {
      // Without a readable journal nothing should have moved; if something did (a torn journal), put
      // back every moved-away partition whose place is empty before discarding the run.
      await restoreMovedAway(join(runDir, 'old'), targetDir, depth);
    }
    await rm(runDir, { recursive: true, force: true });
  }
  return runs;
}

async function restoreMovedAway(trashDir: string, targetDir: string, depth: number): Promise<void> {
  const moved = depth === 0 ? ((await exists(join(trashDir, 'table'))) ? [''] : []) : await listPartitionDirs(trashDir, depth);
  for (const rel of moved) {
    const source = join(trashDir, rel === '' ? 'table' : rel);
    const target = rel === '' ? targetDir : join(targetDir, rel);
    if (await exists(target)) continue;
    await mkdir(dirname(target), { recursive: true });
    await rename(source, target);
  }
}

async function moveAway(path: string, trash: string): Promise<boolean> {
  if (!(await exists(path))) return false;
  await mkdir(dirname(trash), { recursive: true });
  await rename(path, trash);
  return true;
}

async function pruneEmptyParents(dir: string, stop: string): Promise<void> {
  let current = dir;
  while (current.length > stop.length && current.startsWith(stop)) {
    try {
      await rmdir(current);
    } catch {
      return; // not empty (or gone): stop
    }
    current = dirname(current);
  }
}
