/**
 * Scratch directories that name their owner: `<prefix><host>[.ns<pid namespace>]~<pid>-XXXXXX` under the OS temp
 * directory. A process killed by SIGKILL or the OOM killer never removes its scratch (DuckDB spill
 * files, Parquet staging), so every new one first removes those whose owner provably no longer
 * runs on this host; a live owner's, another host's and unparsable names are left alone.
 *
 * @module
 */
import { readlinkSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from './local-process.js';

/**
 * This process's owner tag: the host name, plus the pid namespace where Linux shows it. Containers
 * that share a host name and a temp directory but not a pid namespace then never take each other's
 * live directories for dead ones (their pids mean different processes).
 */
function hostTag(): string {
  let namespace = '';
  try {
    namespace = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? '';
  } catch {
    // not Linux, or no /proc: the host name alone
  }
  return `${hostname()}${namespace === '' ? '' : `.ns${namespace}`}`.replace(/[^A-Za-z0-9.-]/g, '_');
}

/**
 * Removes the scratch directories `<prefix><host>~<pid>-…` in `parent` whose owner is a process of
 * this host that no longer runs; returns their paths. Best effort: a directory that cannot be
 * removed is skipped.
 *
 * @example
 * ```ts
 * import { sweepDeadOwnerTempDirs } from '@lakeblocks/core';
 * const removed = await sweepDeadOwnerTempDirs('lakeblocks-duckdb-');
 * ```
 */
export async function sweepDeadOwnerTempDirs(prefix: string, parent: string = tmpdir()): Promise<string[]> {
  const host = hostTag();
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(.*)~([1-9][0-9]{0,9})-[^/]*$/.exec(name.slice(prefix.length));
    if (m === null || m[1] !== host) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || isProcessAlive(pid)) continue;
    const path = join(parent, name);
    try {
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // another sweeper got there first, or no permission: leave it
    }
  }
  return removed;
}

/**
 * Creates a fresh scratch directory `<parent>/<prefix><host>~<pid>-XXXXXX`, after sweeping the
 * ones of dead owners with the same prefix ({@link sweepDeadOwnerTempDirs}). The caller removes it
 * when done.
 *
 * @example
 * ```ts
 * import { createOwnedTempDir } from '@lakeblocks/core';
 * const spill = await createOwnedTempDir('lakeblocks-duckdb-');
 * try { … } finally { await rm(spill, { recursive: true, force: true }); }
 * ```
 */
export async function createOwnedTempDir(prefix: string, parent: string = tmpdir()): Promise<string> {
  await sweepDeadOwnerTempDirs(prefix, parent);
  return mkdtemp(join(parent, `${prefix}${hostTag()}~${process.pid}-`));
}
