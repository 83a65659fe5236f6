import type { BookmarkState } from './bookmark.js';

/**
 * An exclusive, expiring right to run one job: only the holder may commit its bookmark.
 *
 * @example
 * ```ts
 * const lease = await store.acquireLease('raw-to-processed/orders', { owner: 'host:42', ttlMs: 60_000 });
 * console.log(lease.token, lease.expiresAt);
 * ```
 */
export interface Lease {
  /** The job leased. */
  job: string;
  /** Who holds it (free text: host, pid, run id). */
  owner: string;
  /** Random token (`crypto.randomUUID()`) proving possession; compared at every commit. */
  token: string;
  /** When it was acquired or last renewed. */
  acquiredAt: Date;
  /** When it lapses; after that another run may take it over. */
  expiresAt: Date;
}

/**
 * What a lease request asks for.
 *
 * @example
 * ```ts
 * const request: LeaseRequest = { owner: `${hostname()}:${process.pid}`, ttlMs: 15 * 60_000 };
 * ```
 */
export interface LeaseRequest {
  /** Who asks. */
  owner: string;
  /** How long the lease lasts unless renewed, in ms. */
  ttlMs: number;
}

/**
 * A bookmark as read from a store, with the opaque revision a conditional write must match.
 *
 * @example
 * ```ts
 * const { state, revision } = await store.read('raw-to-processed/orders');
 * ```
 */
export interface StoredBookmark {
  /** The decoded bookmark (version 0 and empty when none is stored). */
  state: BookmarkState;
  /** Store-specific revision (an etag, a version number); `null` when nothing is stored. */
  revision: string | null;
}

/**
 * The revision of what is stored, read without decoding it — what a reset or rewind needs to
 * replace a corrupt bookmark.
 *
 * @example
 * ```ts
 * const head = await store.head('raw-to-processed/orders');
 * ```
 */
export interface BookmarkHead {
  /** As in {@link StoredBookmark.revision}. */
  revision: string | null;
  /** The highest version known to have been written (stored or in history); 0 when none. */
  version: number;
}

/**
 * Where bookmarks and their leases live. {@link JobBookmarks} builds runs, commits, rewinds and
 * resets on top of these primitives; implementations only need to make them atomic:
 * `StorageBookmarkStore` (a local directory or S3, by conditional puts) and `MySqlBookmarkStore`
 * (`@lakeblocks/core/mysql`, by transactions). `describeBookmarkStoreSuite` checks an implementation.
 *
 * @example
 * ```ts
 * const store: BookmarkStore = new StorageBookmarkStore(new LocalStorage('./.lake'));
 * const bookmarks = new JobBookmarks(store);
 * ```
 */
export interface BookmarkStore {
  /** Where the bookmarks are (for messages): `/abs/.lake/_state/bookmarks`, `mysql lakeblocks_bookmarks`. */
  readonly location: string;
  /** How many versions {@link history} keeps, the current one included. */
  readonly historyLimit: number;
  /** Takes the job's lease, or fails with `LeaseHeld` naming the holder and its expiry. An expired or released lease is taken over. */
  acquireLease(job: string, request: LeaseRequest): Promise<Lease>;
  /** Extends a lease still held to `ttlMs` from now; fails with `LeaseLost` if it expired or was taken over. */
  renewLease(lease: Lease, ttlMs: number): Promise<Lease>;
  /** Gives a lease back; a lease no longer held is left alone. */
  releaseLease(lease: Lease): Promise<void>;
  /** The lease currently recorded for the job, held or expired; `undefined` when none or released. */
  currentLease(job: string): Promise<Lease | undefined>;
  /** Reads the current bookmark; version 0 when none. Fails with `BookmarkCorrupt`. */
  read(job: string): Promise<StoredBookmark>;
  /** Reads what is stored without decoding it. */
  head(job: string): Promise<BookmarkHead>;
  /**
   * Atomically replaces the bookmark with `next` if `lease` is still held (not expired, not taken
   * over) and the stored revision still equals `expectedRevision`; fails with `LeaseLost` otherwise,
   * writing nothing. Keeps the last {@link historyLimit} versions.
   */
  write(lease: Lease, expectedRevision: string | null, next: BookmarkState): Promise<StoredBookmark>;
  /** The retained versions, newest (the current one) first; empty before the first commit. */
  history(job: string): Promise<BookmarkState[]>;
  /** One retained version (the current one included), or `undefined` when it is not retained. */
  readVersion(job: string, version: number): Promise<BookmarkState | undefined>;
}
