import { CoreError } from '../errors/core-error.js';

/**
 * What a bookmark records about one consumed raw object; {@link ObjectInfo} from a storage listing
 * fits as is.
 *
 * @example
 * ```ts
 * const obj: BookmarkObject = { key: 'raw/orders/b1/orders.csv', size: 1024, etag: '9b2cf5', lastModified: new Date() };
 * ```
 */
export interface BookmarkObject {
  /** Storage key of the object. */
  key: string;
  /** Size in bytes. */
  size: number;
  /** Version tag (S3 ETag, or the local size+mtime digest); compared when both sides have one. */
  etag?: string | undefined;
  /** Last modification time; drives the high-water mark and the compaction window. */
  lastModified: Date;
}

/**
 * Which operation wrote a bookmark version.
 *
 * @example
 * ```ts
 * if (state.operation === 'reset') console.log('the next run reprocesses everything');
 * ```
 */
export type BookmarkOperation = 'commit' | 'rewind' | 'reset';

/**
 * One version of a job's bookmark: the objects the job consumed, and watermarks.
 *
 * An object counts as consumed when its `lastModified` is before {@link compactedBefore} (the
 * watermark alone decides, as in Glue), or when {@link objects} records its key with the same size
 * and etag. Version 0 is the empty bookmark of a job that never committed.
 *
 * @example
 * ```ts
 * const state = emptyBookmark('raw-to-processed/orders');
 * state.version; // 0
 * newObjects(state, listing).length === listing.length; // true: everything is new
 * ```
 */
export interface BookmarkState {
  /** The job this bookmark belongs to (`raw-to-processed/orders`). */
  job: string;
  /** Commit counter: 0 before the first commit, then +1 per commit, rewind or reset; never goes back. */
  version: number;
  /** When this version was written. */
  committedAt?: Date | undefined;
  /** Who wrote it (the lease owner). */
  owner?: string | undefined;
  /** What wrote it. */
  operation?: BookmarkOperation | undefined;
  /** For a rewind: the version whose state this one restores. */
  rewoundTo?: number | undefined;
  /** The latest `lastModified` among consumed objects. */
  highWater?: Date | undefined;
  /** Objects modified strictly before this instant count as consumed without an entry in {@link objects}. */
  compactedBefore?: Date | undefined;
  /** Consumed objects at or after {@link compactedBefore}, sorted by `lastModified` then key; one per key. */
  objects: BookmarkObject[];
}

/**
 * How large a bookmark may grow. See {@link applyCommit} for the exact rule.
 *
 * @example
 * ```ts
 * const policy: BookmarkPolicy = { retainMs: 3 * 24 * 3600_000, maxEntries: 5_000 };
 * ```
 */
export interface BookmarkPolicy {
  /**
   * How far behind the high-water mark object entries are kept (default 7 days). Older objects
   * are consumed by the watermark alone.
   */
  retainMs?: number;
  /** Hard cap on object entries (default 10,000); the oldest are folded into the watermark first. */
  maxEntries?: number;
}

/**
 * Default {@link BookmarkPolicy.retainMs}: 7 days.
 *
 * @example
 * ```ts
 * new JobBookmarks(store, { retainMs: 2 * DEFAULT_RETAIN_MS });
 * ```
 */
export const DEFAULT_RETAIN_MS = 7 * 24 * 60 * 60 * 1000;
/**
 * Default {@link BookmarkPolicy.maxEntries}: 10,000 entries (about 1.5 MB of JSON).
 *
 * @example
 * ```ts
 * new JobBookmarks(store, { maxEntries: DEFAULT_MAX_ENTRIES / 2 });
 * ```
 */
export const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * The bookmark of a job that never committed: version 0, nothing consumed.
 *
 * @example
 * ```ts
 * emptyBookmark('raw-to-processed/orders').objects; // []
 * ```
 */
export function emptyBookmark(job: string): BookmarkState {
  return { job, version: 0, objects: [] };
}

/**
 * A lookup of a bookmark's entries by key; build once with {@link indexBookmark} for many checks.
 *
 * @example
 * ```ts
 * const index: BookmarkIndex = indexBookmark(state);
 * index.byKey.get('raw/orders/b1/orders.csv');
 * ```
 */
export interface BookmarkIndex {
  readonly state: BookmarkState;
  readonly byKey: ReadonlyMap<string, BookmarkObject>;
}

/**
 * Indexes a bookmark's entries by key, for repeated {@link isConsumed} checks.
 *
 * @example
 * ```ts
 * const index = indexBookmark(state);
 * const fresh = listing.filter((o) => !isConsumed(index, o));
 * ```
 */
export function indexBookmark(state: BookmarkState): BookmarkIndex {
  return { state, byKey: new Map(state.objects.map((o) => [o.key, o])) };
}

/**
 * Whether a listed object was already consumed: modified before the compacted watermark, or recorded
 * under the same key with the same size and the same etag (the same `lastModified` when either side
 * has no etag). A replaced file, whose etag or size changed, is new again — Glue's bookmarks miss that.
 *
 * @example
 * ```ts
 * isConsumed(indexBookmark(state), { key: 'raw/orders/b1/orders.csv', size: 10, etag: 'a', lastModified: new Date() });
 * ```
 */
export function isConsumed(index: BookmarkIndex, object: BookmarkObject): boolean {
  const { compactedBefore } = index.state;
  if (compactedBefore !== undefined && object.lastModified.getTime() < compactedBefore.getTime()) return true;
  const entry = index.byKey.get(object.key);
  if (entry === undefined || entry.size !== object.size) return false;
  if (entry.etag !== undefined && object.etag !== undefined) return entry.etag === object.etag;
  return entry.lastModified.getTime() === object.lastModified.getTime();
}

/**
 * The objects of `listing` that `bookmark` has not consumed yet, oldest first (by `lastModified`,
 * then key). Process them in this order when a run takes only part of a backlog: the compaction
 * window assumes older objects were handled first.
 *
 * @example
 * ```ts
 * const listing = [];
 * for await (const o of storage.listAll('raw/orders/')) listing.push(o);
 * const todo = newObjects(bookmark, listing);
 * ```
 */
export function newObjects<T extends BookmarkObject>(bookmark: BookmarkState | BookmarkIndex, listing: Iterable<T>): T[] {
  const index = 'byKey' in bookmark ? bookmark : indexBookmark(bookmark);
  const fresh: T[] = [];
  for (const object of listing) if (!isConsumed(index, object)) fresh.push(object);
  return fresh.sort(compareObjects);
}

/** Orders objects by `lastModified`, then key. */
function compareObjects(a: BookmarkObject, b: BookmarkObject): number {
  const dt = a.lastModified.getTime() - b.lastModified.getTime();
  if (dt !== 0) return dt;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * Options of {@link applyCommit}.
 *
 * @example
 * ```ts
 * applyCommit(state, todo, { policy: { maxEntries: 100 }, owner: 'host:42', now: new Date() });
 * ```
 */
export interface ApplyCommitOptions {
  /** Size bounds. */
  policy?: BookmarkPolicy;
  /** Who commits (recorded in the new version). */
  owner?: string;
  /** The commit time (default now). */
  now?: Date;
}

/**
 * Computes the next bookmark version after a run consumed `consumed`: version + 1, entries merged
 * by key (a newer entry for a key replaces the older), the high-water mark moved to the latest
 * `lastModified` seen, then bounded:
 *
 * 1. **Window.** `compactedBefore` moves up to `min(highWater, now) - retainMs`; entries older
 *    than it are dropped. Objects modified before `compactedBefore` count as consumed by the watermark alone.
 * 2. **Cap.** If more than `maxEntries` entries remain, the oldest are dropped and
 *    `compactedBefore` moves just past the newest dropped one (entries sharing that timestamp go
 *    too, so the watermark never splits a timestamp). The cap never moves the watermark past the
 *    high-water mark itself, so entries stamped exactly `highWater` stay — the only case where
 *    more than `maxEntries` entries can remain.
 *
 * Trade-off: an object that appears later with a `lastModified` older than `compactedBefore`
 * (backdated, e.g. copied with its mtime preserved, or left out of an earlier partial commit) is
 * skipped — as in Glue. Anything inside the window is tracked exactly by key, size and etag, so a
 * replaced or late file there is seen. Pick `retainMs` larger than the longest delay between an
 * object's `lastModified` and the run that consumes it.
 *
 * @example
 * ```ts
 * const next = applyCommit(state, todo, { policy: { maxEntries: 100 }, owner: 'host:42' });
 * next.version === state.version + 1; // true
 * ```
 */
export function applyCommit(
  previous: BookmarkState,
  consumed: Iterable<BookmarkObject>,
  options: ApplyCommitOptions = {},
): BookmarkState {
  const retainMs = options.policy?.retainMs ?? DEFAULT_RETAIN_MS;
  const maxEntries = options.policy?.maxEntries ?? DEFAULT_MAX_ENTRIES;
  if (!(retainMs >= 0) || !Number.isFinite(retainMs)) {
    throw new CoreError('InvalidArgument', `retainMs must be a finite number >= 0, got ${retainMs}`, { context: { job: previous.job } });
  }
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new CoreError('InvalidArgument', `maxEntries must be an integer >= 1, got ${maxEntries}`, { context: { job: previous.job } });
  }

  const byKey = new Map(previous.objects.map((o) => [o.key, o]));
  let highWater = previous.highWater?.getTime();
  for (const raw of consumed) {
    const object = normalizeObject(raw, previous.job);
    const existing = byKey.get(object.key);
    if (existing === undefined || existing.lastModified.getTime() <= object.lastModified.getTime()) {
      byKey.set(object.key, object);
    }
    const t = object.lastModified.getTime();
    if (highWater === undefined || t > highWater) highWater = t;
  }

  let compactedBefore = previous.compactedBefore?.getTime();
  const raise = (t: number) => {
    if (compactedBefore === undefined || t > compactedBefore) compactedBefore = t;
  };
  const now = options.now ?? new Date();
  // A future-dated object (clock skew) must not drag the window past the present.
  if (highWater !== undefined) raise(Math.min(highWater, now.getTime()) - retainMs);

  let objects = [...byKey.values()].sort(compareObjects);
  if (compactedBefore !== undefined) {
    const cut = compactedBefore;
    objects = objects.filter((o) => o.lastModified.getTime() >= cut);
  }
  if (objects.length > maxEntries && highWater !== undefined) {
    const newestDropped = objects[objects.length - maxEntries - 1];
    if (newestDropped !== undefined) {
      raise(Math.min(newestDropped.lastModified.getTime() + 1, highWater));
      const cut = compactedBefore as number;
      objects = objects.filter((o) => o.lastModified.getTime() >= cut);
    }
  }

  return {
    job: previous.job,
    version: previous.version + 1,
    committedAt: now,
    owner: options.owner,
    operation: 'commit',
    highWater: highWater === undefined ? undefined : new Date(highWater),
    compactedBefore: compactedBefore === undefined ? undefined : new Date(compactedBefore),
    objects,
  };
}

function normalizeObject(raw: BookmarkObject, job: string): BookmarkObject {
  const lastModified = raw.lastModified instanceof Date ? raw.lastModified : new Date(raw.lastModified as unknown as string);
  if (typeof raw.key !== 'string' || raw.key === '') {
    throw new CoreError('InvalidArgument', 'A consumed object needs a non-empty key', { context: { job } });
  }
  if (!Number.isFinite(raw.size) || raw.size < 0) {
    throw new CoreError('InvalidArgument', `Consumed object has an invalid size ${raw.size}`, { context: { job, key: raw.key } });
  }
  if (Number.isNaN(lastModified.getTime())) {
    throw new CoreError('InvalidArgument', 'Consumed object has an invalid lastModified', { context: { job, key: raw.key } });
  }
  const object: BookmarkObject = { key: raw.key, size: raw.size, lastModified };
  if (raw.etag !== undefined && raw.etag !== '') object.etag = raw.etag;
  return object;
}
