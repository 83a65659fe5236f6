/**
 * Exactly-once rejects across crashes. A run publishes `rejects/<table>/<run-id>.csv` before it
 * commits its bookmark (data and rejects are durable first). A run killed between the two leaves a
 * rejects file whose inputs the bookmark never recorded: the rerun reads the same inputs and
 * rejects the same rows again, under its own run id, and every such row would be reported twice.
 *
 * So before publishing, the run records the rejects key and the bookmark version its commit will
 * create in `_state/ingest/<job>.pending-rejects.json`; after the commit it removes the record. The
 * next run of the job settles a record left behind: if the bookmark reached that version, the commit
 * happened and the file stays; otherwise the file is deleted (its rows will be rejected again).
 *
 * @module
 */
import type { Storage } from '@lakeblocks/core';

/** Where a job records the rejects file it is about to publish. */
function pendingKey(job: string): string {
  return `_state/ingest/${job}.pending-rejects.json`;
}

interface PendingRejects {
  version: 1;
  /** The rejects file published before the commit. */
  key: string;
  /** The bookmark version the commit creates. */
  commitsVersion: number;
}

/**
 * Records, before publishing `rejectsKey`, that it belongs to the bookmark commit creating
 * version `commitsVersion`.
 *
 * @example
 * ```ts
 * await markPendingRejects(storage, 'raw-to-processed/orders', 'rejects/orders/run-7.csv', run.version + 1);
 * ```
 */
export async function markPendingRejects(storage: Storage, job: string, rejectsKey: string, commitsVersion: number): Promise<void> {
  const record: PendingRejects = { version: 1, key: rejectsKey, commitsVersion };
  await storage.put(pendingKey(job), JSON.stringify(record), { contentType: 'application/json' });
}

/**
 * Removes the record once the bookmark committed (a crash before this is settled by the next run).
 *
 * @example
 * ```ts
 * await clearPendingRejects(storage, 'raw-to-processed/orders');
 * ```
 */
export async function clearPendingRejects(storage: Storage, job: string): Promise<void> {
  await storage.delete(pendingKey(job));
}

/**
 * Settles a record left by a run that died between publishing its rejects and removing the record:
 * deletes the rejects file when the bookmark (now at `bookmarkVersion`) never reached the version
 * that run was committing, keeps it otherwise; then removes the record. Returns the deleted key.
 *
 * @example
 * ```ts
 * const run = await bookmarks.begin(job);
 * const removed = await settlePendingRejects(storage, job, run.version);
 * ```
 */
export async function settlePendingRejects(storage: Storage, job: string, bookmarkVersion: number): Promise<string | undefined> {
  const key = pendingKey(job);
  if ((await storage.stat(key)) === undefined) return undefined;
  let record: Partial<PendingRejects> | undefined;
  try {
    record = JSON.parse(Buffer.from(await storage.get(key)).toString('utf8')) as Partial<PendingRejects>;
  } catch {
    record = undefined; // unreadable: nothing to settle but the record itself
  }
  let removed: string | undefined;
  if (record?.version === 1 && typeof record.key === 'string' && typeof record.commitsVersion === 'number' && bookmarkVersion < record.commitsVersion) {
    await storage.delete(record.key);
    removed = record.key;
  }
  await storage.delete(key);
  return removed;
}
