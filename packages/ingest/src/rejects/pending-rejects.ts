/**
 * Exactly-once rejects across crashes. A run publishes `rejects/<table>/<run-id>.csv` before it
 * commits its bookmark (data and rejects are durable first). A run killed between the two leaves a
 * rejects file whose inputs the bookmark never recorded: the rerun reads the same inputs and
 * rejects the same rows again, under its own run id, and every such row would be reported twice.
 *
 * So before publishing, the run records the rejects key and the raw objects its commit will consume
 * in `_state/ingest/<job>/pending-rejects/<run-id>.json`; after the commit it removes the record. The
 * next run of the job settles every record left behind: if the bookmark holds all of those objects
 * (the commit happened), the file stays; otherwise it is deleted — those objects are read again and
 * their rows rejected again. Judging by the objects rather than a version number keeps this right
 * across a bookmark rewind or reset, or a change of bookmark store. A run whose commit fails with
 * `LeaseLost` (another run took the job) deletes its own file and record at once. Until a record is
 * settled, a reader of `rejects/` may see the killed run's file beside nothing else: the duplicate
 * appears only once the rerun publishes, which settles first.
 *
 * @module
 */
import { CoreError, type BookmarkObject, type BookmarkRun, type Storage } from '@lakeblocks/core';

/** Where a job records the rejects files it is about to publish, one record per run. */
function pendingPrefix(job: string): string {
  return `_state/ingest/${job}/pending-rejects/`;
}

interface PendingRejects {
  version: 2;
  /** The rejects file published before the commit. */
  key: string;
  /** The raw objects the commit consumes. */
  objects: { key: string; size: number; etag?: string; lastModified: string }[];
}

/**
 * Records, before publishing `rejectsKey`, that it belongs to the commit of `objects` by run `runId`.
 *
 * @example
 * ```ts
 * await markPendingRejects(storage, 'raw-to-processed/orders', runId, rejects.key, todo);
 * ```
 */
export async function markPendingRejects(storage: Storage, job: string, runId: string, rejectsKey: string, objects: readonly BookmarkObject[]): Promise<void> {
  const record: PendingRejects = {
    version: 2,
    key: rejectsKey,
    objects: objects.map((o) => ({ key: o.key, size: o.size, ...(o.etag === undefined ? {} : { etag: o.etag }), lastModified: o.lastModified.toISOString() })),
  };
  await storage.put(`${pendingPrefix(job)}${runId}.json`, JSON.stringify(record), { contentType: 'application/json' });
}

/**
 * Removes run `runId`'s record once its bookmark committed, and with `alsoRejects` its rejects
 * file too (a commit that definitely did not happen: `LeaseLost`).
 *
 * @example
 * ```ts
 * await clearPendingRejects(storage, 'raw-to-processed/orders', runId);
 * ```
 */
export async function clearPendingRejects(storage: Storage, job: string, runId: string, alsoRejects?: string): Promise<void> {
  if (alsoRejects !== undefined) await storage.delete(alsoRejects);
  await storage.delete(`${pendingPrefix(job)}${runId}.json`);
}

/**
 * Settles the records left by runs that died between publishing their rejects and removing the
 * record: a rejects file whose objects `run` (the bookmark now) has not all consumed is deleted,
 * one whose objects it has is kept; then the record is removed. Returns the deleted keys. A record
 * that is not valid JSON is removed; a storage error propagates (the next run settles it).
 *
 * @example
 * ```ts
 * const run = await bookmarks.begin(job);
 * const removed = await settlePendingRejects(storage, job, run);
 * ```
 */
export async function settlePendingRejects(storage: Storage, job: string, run: Pick<BookmarkRun, 'filterNew'>): Promise<string[]> {
  const removed: string[] = [];
  for await (const entry of storage.listAll(pendingPrefix(job))) {
    if (!entry.key.endsWith('.json')) continue;
    const text = Buffer.from(await storage.get(entry.key)).toString('utf8');
    let record: Partial<PendingRejects> | undefined;
    try {
      record = JSON.parse(text) as Partial<PendingRejects>;
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
    }
    if (record?.version === 2 && typeof record.key === 'string' && Array.isArray(record.objects)) {
      const objects = record.objects.map((o) => ({ key: o.key, size: o.size, etag: o.etag, lastModified: new Date(o.lastModified) }));
      if (run.filterNew(objects).length > 0) {
        await storage.delete(record.key);
        removed.push(record.key);
      }
    }
    await storage.delete(entry.key);
  }
  return removed;
}

/**
 * Whether an error means the bookmark commit certainly did not happen because another run holds
 * the job (`LeaseLost`).
 *
 * @example
 * ```ts
 * if (commitCertainlyLost(error)) await clearPendingRejects(storage, job, runId, rejectsKey);
 * ```
 */
export function commitCertainlyLost(error: unknown): boolean {
  return error instanceof CoreError && error._tag === 'LeaseLost';
}
