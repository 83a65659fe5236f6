/**
 * Lake state the crash-safety suites look at besides table content: byte digests of every
 * processed file (processed Parquet is deterministic: a clean run's files are byte-identical), and
 * bookmark leases left behind by killed runs. Test-only.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { listFiles } from './lake-inspect.js';

/** Temp files of LocalStorage writers (`.<name>.<12 hex>.tmp`): never read as data by anyone. */
export const isTempFile = (path: string): boolean => /(^|\/)\.[^/]*\.tmp$/.test(path);

/** `path → sha1` of every file under `lakeDir/layer`, temp files excluded (see {@link isTempFile}). */
export async function fileDigests(lakeDir: string, layer: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of await listFiles(join(lakeDir, layer))) {
    if (isTempFile(f)) continue;
    out.set(f, createHash('sha1').update(await readFile(join(lakeDir, layer, f))).digest('hex'));
  }
  return out;
}

/**
 * Compares file digests: `actual` files that are not byte-equal to the same path in `expected`
 * (or absent there), and `expected` files `actual` lacks.
 */
export function digestDiff(expected: Map<string, string>, actual: Map<string, string>): { wrong: string[]; missing: string[] } {
  const wrong = [...actual].filter(([path, sha]) => expected.get(path) !== sha).map(([path]) => path);
  const missing = [...expected.keys()].filter((path) => !actual.has(path));
  return { wrong, missing };
}

/** A bookmark lease as stored by `StorageBookmarkStore` (`_state/bookmarks/…/<job>.lease.json`). */
interface LeaseDoc {
  job?: string;
  owner?: string;
  released?: boolean;
  expiresAt?: string;
}

/** Whether a process of this host is alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Unreleased, unexpired leases whose owner (`<hostname>:<pid>`) is a dead process of this host:
 * what a SIGKILLed run leaves, and what makes the next run fail with `LeaseHeld` until expiry.
 */
export async function deadLocalLeases(lakeDir: string): Promise<Array<{ file: string; job: string; owner: string }>> {
  const out: Array<{ file: string; job: string; owner: string }> = [];
  const root = join(lakeDir, '_state', 'bookmarks');
  for (const f of await listFiles(root)) {
    if (!f.endsWith('.lease.json')) continue;
    let doc: LeaseDoc;
    try {
      doc = JSON.parse(await readFile(join(root, f), 'utf8')) as LeaseDoc;
    } catch {
      continue;
    }
    const [host, pid] = (doc.owner ?? '').split(':');
    if (doc.released === true || host !== hostname() || pid === undefined) continue;
    if (doc.expiresAt !== undefined && Date.parse(doc.expiresAt) <= Date.now()) continue;
    if (!alive(Number(pid))) out.push({ file: join(root, f), job: doc.job ?? f, owner: doc.owner ?? '' });
  }
  return out;
}

