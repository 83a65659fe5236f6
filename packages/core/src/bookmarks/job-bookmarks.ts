import { CoreError } from '../errors/core-error.js';
import { localOwner } from '../process/local-process.js';
import { sleep } from '../retry/retry.js';
import {
  applyCommit,
  indexBookmark,
  isConsumed,
  newObjects,
  type BookmarkIndex,
  type BookmarkObject,
  type BookmarkPolicy,
  type BookmarkState,
} from './bookmark.js';
import type { BookmarkStore, Lease } from './bookmark-store.js';
import { assertValidJobName } from './job-name.js';
import { leaseLostError } from './lease-errors.js';

/**
 * Options of {@link JobBookmarks}; the lease settings are defaults that {@link BeginOptions} override.
 *
 * @example
 * ```ts
 * new JobBookmarks(store, { ttlMs: 30 * 60_000, retainMs: 3 * 86_400_000, maxEntries: 5_000 });
 * ```
 */
export interface JobBookmarksOptions extends BookmarkPolicy {
  /**
   * Lease duration of a run in ms (default 15 minutes); call {@link BookmarkRun.renew} in longer runs.
   * A run killed without releasing its lease blocks the job until this lapses — except when its
   * owner is the default `<hostname>:<pid>` of this host and that process is gone: then the next
   * run takes the lease over at once (both stores). Across hosts only the TTL frees the job, so
   * to bound that wait use a short TTL with {@link heartbeatMs}.
   */
  ttlMs?: number;
  /**
   * Renew the lease of every run automatically this often, in ms, until it is released (default:
   * off — renew yourself). Must be below the TTL (a third of it is a good value). With a heartbeat
   * a short TTL (say 2 minutes) is safe for long runs, and a run that dies on another host blocks
   * the job for at most that TTL. The timer does not keep the process alive; a renewal that fails
   * stops it, and the run's next `commit` then fails with `LeaseLost`. Mind that a run whose event
   * loop is blocked for longer than the TTL (long synchronous work) misses its heartbeats.
   */
  heartbeatMs?: number;
  /**
   * Who runs (default `<hostname>:<pid>`), shown to a second run refused with `LeaseHeld`. Keep the
   * default (or that form) for crash recovery on one host; see {@link ttlMs}.
   */
  owner?: string;
  /** How long `begin`, `rewind` and `reset` wait for a held lease before failing with `LeaseHeld` (default 0: fail at once). */
  waitMs?: number;
  /** Poll interval while waiting for a lease, in ms (default 500, jittered). */
  pollMs?: number;
  /** Clock for commit timestamps and compaction (default `() => new Date()`). */
  now?: () => Date;
}

/**
 * Per-call lease options of {@link JobBookmarks.begin}, {@link JobBookmarks.rewind} and {@link JobBookmarks.reset}.
 *
 * @example
 * ```ts
 * await bookmarks.begin('raw-to-processed/orders', { owner: `run-${runId}`, waitMs: 60_000 });
 * ```
 */
export interface BeginOptions {
  /** Lease duration in ms. */
  ttlMs?: number;
  /** Who runs. */
  owner?: string;
  /** Automatic lease renewal interval in ms (see {@link JobBookmarksOptions.heartbeatMs}). */
  heartbeatMs?: number;
  /** How long to wait for a held lease, in ms. */
  waitMs?: number;
  /** Stops waiting for the lease. */
  signal?: AbortSignal;
}

const DEFAULT_TTL_MS = 15 * 60 * 1000;
const ADMIN_TTL_MS = 60 * 1000;

/**
 * Job bookmarks like Glue's, without its traps: each run of a job takes an exclusive lease, reads
 * which raw objects the job already consumed, processes only the new ones and commits them — so
 * later runs read only new files, a replaced file (changed etag or size) is read again, and two
 * concurrent runs of one job cannot both commit. Bookmarks are versioned and bounded in size
 * (see {@link applyCommit}); {@link rewind} and {@link reset} reprocess on demand.
 *
 * Commit the bookmark last, after the data files and the catalog (DESIGN decision 5): a crash
 * before the commit leaves the objects unconsumed, and the rerun overwrites the same outputs.
 *
 * @example
 * ```ts
 * import { JobBookmarks, LocalStorage, StorageBookmarkStore } from '@lakeblocks/core';
 * const storage = new LocalStorage('./.lake');
 * const bookmarks = new JobBookmarks(new StorageBookmarkStore(storage));
 * const run = await bookmarks.begin('raw-to-processed/orders');
 * try {
 *   const listing = [];
 *   for await (const o of storage.listAll('raw/orders/')) listing.push(o);
 *   const todo = run.filterNew(listing);
 *   // … write data files, update the catalog …
 *   await run.commit(todo);
 * } finally {
 *   await run.release();
 * }
 * ```
 */
export class JobBookmarks {
  /** The store the bookmarks live in. */
  readonly store: BookmarkStore;
  readonly #options: JobBookmarksOptions;
  readonly #now: () => Date;

  constructor(store: BookmarkStore, options: JobBookmarksOptions = {}) {
    this.store = store;
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * Starts a run: takes the job's lease (failing with `LeaseHeld` naming the holder and its expiry
   * when another run holds it, after waiting up to `waitMs`), then reads the bookmark (failing with
   * `BookmarkCorrupt`, lease released, if it is unreadable).
   *
   * @example
   * ```ts
   * const run = await bookmarks.begin('raw-to-processed/orders', { ttlMs: 30 * 60_000, waitMs: 10_000 });
   * ```
   */
  async begin(job: string, options: BeginOptions = {}): Promise<BookmarkRun> {
    const heartbeatMs = options.heartbeatMs ?? this.#options.heartbeatMs;
    const ttlMs = options.ttlMs ?? this.#options.ttlMs ?? DEFAULT_TTL_MS;
    if (heartbeatMs !== undefined && !(Number.isFinite(heartbeatMs) && heartbeatMs >= 1 && heartbeatMs < ttlMs)) {
      throw new CoreError('InvalidArgument', `heartbeatMs must be a positive number of ms below ttlMs (${ttlMs}), got ${heartbeatMs}`, {
        context: { job },
      });
    }
    const lease = await this.#acquire(job, options, this.#options.ttlMs ?? DEFAULT_TTL_MS);
    try {
      const stored = await this.store.read(job);
      return new BookmarkRun(this.store, lease, stored.state, stored.revision, {
        policy: { retainMs: this.#options.retainMs, maxEntries: this.#options.maxEntries },
        now: this.#now,
        defaultTtlMs: options.ttlMs ?? this.#options.ttlMs ?? DEFAULT_TTL_MS,
        heartbeatMs: options.heartbeatMs ?? this.#options.heartbeatMs,
      });
    } catch (error) {
      await this.store.releaseLease(lease).catch(() => undefined);
      throw error;
    }
  }

  /**
   * The job's current bookmark, read without a lease (version 0 if it never committed).
   *
   * @example
   * ```ts
   * const { version, highWater } = await bookmarks.read('raw-to-processed/orders');
   * ```
   */
  async read(job: string): Promise<BookmarkState> {
    assertValidJobName(job);
    return (await this.store.read(job)).state;
  }

  /**
   * The retained versions of the job's bookmark, newest first (at most the store's `historyLimit`).
   *
   * @example
   * ```ts
   * for (const v of await bookmarks.history('raw-to-processed/orders')) console.log(v.version, v.operation, v.committedAt);
   * ```
   */
  async history(job: string): Promise<BookmarkState[]> {
    assertValidJobName(job);
    return this.store.history(job);
  }

  /**
   * Who holds the job's lease and until when, or `undefined` when nobody does.
   *
   * @example
   * ```ts
   * const lease = await bookmarks.currentLease('raw-to-processed/orders');
   * if (lease && lease.expiresAt > new Date()) console.log(`running on ${lease.owner}`);
   * ```
   */
  async currentLease(job: string): Promise<Lease | undefined> {
    assertValidJobName(job);
    return this.store.currentLease(job);
  }

  /**
   * Restores the state of an earlier retained version as a new version (the version counter never
   * goes back), so the next run reprocesses every object consumed after `toVersion`. `toVersion`
   * 0 is a {@link reset}. Takes the lease for the duration: fails with `LeaseHeld` while a run is
   * active. Fails with `NotFound` when the version is no longer retained. Works on a corrupt
   * bookmark, replacing it.
   *
   * @example
   * ```ts
   * const [, previous] = await bookmarks.history('raw-to-processed/orders');
   * if (previous) await bookmarks.rewind('raw-to-processed/orders', previous.version);
   * ```
   */
  async rewind(job: string, toVersion: number, options: BeginOptions = {}): Promise<BookmarkState> {
    if (!Number.isInteger(toVersion) || toVersion < 0) {
      throw new CoreError('InvalidArgument', `rewind needs a version >= 0, got ${toVersion}`, { context: { job } });
    }
    if (toVersion === 0) return this.reset(job, options);
    return this.#administer(job, options, async (base, lease) => {
      if (base.state !== undefined && base.state.version === toVersion) return undefined;
      const target = await this.store.readVersion(job, toVersion);
      if (target === undefined) {
        const retained = await this.store.history(job).then(
          (h) => h.map((v) => v.version).join(', ') || 'none',
          () => 'unknown',
        );
        throw new CoreError('NotFound', `Version ${toVersion} of the bookmark of job ${JSON.stringify(job)} is not retained (retained: ${retained})`, {
          context: { job, location: this.store.location },
        });
      }
      return {
        ...target,
        version: base.version + 1,
        committedAt: this.#now(),
        owner: lease.owner,
        operation: 'rewind',
        rewoundTo: toVersion,
      };
    });
  }

  /**
   * Forgets everything the job consumed, as a new version (which {@link rewind} can undo while it
   * is retained): the next run reprocesses all objects. Takes the lease for the duration: fails
   * with `LeaseHeld` while a run is active. Works on a corrupt bookmark, replacing it.
   *
   * @example
   * ```ts
   * await bookmarks.reset('raw-to-processed/orders');
   * ```
   */
  async reset(job: string, options: BeginOptions = {}): Promise<BookmarkState> {
    return this.#administer(job, options, async (base, lease) => ({
      job,
      version: base.version + 1,
      committedAt: this.#now(),
      owner: lease.owner,
      operation: 'reset',
      objects: [],
    }));
  }

  async #administer(
    job: string,
    options: BeginOptions,
    build: (
      base: { state: BookmarkState | undefined; version: number },
      lease: Lease,
    ) => Promise<BookmarkState | undefined>,
  ): Promise<BookmarkState> {
    const lease = await this.#acquire(job, options, ADMIN_TTL_MS);
    try {
      let state: BookmarkState | undefined;
      let revision: string | null;
      let version: number;
      try {
        const stored = await this.store.read(job);
        state = stored.state;
        revision = stored.revision;
        version = stored.state.version;
      } catch (error) {
        if (!(error instanceof CoreError && error._tag === 'BookmarkCorrupt')) throw error;
        const head = await this.store.head(job);
        revision = head.revision;
        version = head.version;
      }
      const next = await build({ state, version }, lease);
      if (next === undefined) return state as BookmarkState;
      return (await this.store.write(lease, revision, next)).state;
    } finally {
      await this.store.releaseLease(lease).catch(() => undefined);
    }
  }

  async #acquire(job: string, options: BeginOptions, defaultTtlMs: number): Promise<Lease> {
    assertValidJobName(job);
    const request = {
      owner: options.owner ?? this.#options.owner ?? defaultOwner(),
      ttlMs: options.ttlMs ?? this.#options.ttlMs ?? defaultTtlMs,
    };
    const waitMs = options.waitMs ?? this.#options.waitMs ?? 0;
    const pollMs = this.#options.pollMs ?? 500;
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        return await this.store.acquireLease(job, request);
      } catch (error) {
        const remaining = deadline - Date.now();
        if (!(error instanceof CoreError && error._tag === 'LeaseHeld') || remaining <= 0 || options.signal?.aborted) {
          throw error;
        }
        await sleep(Math.min(remaining, Math.round(pollMs * (0.5 + Math.random()))), options.signal);
      }
    }
  }
}

/** Internal settings of a {@link BookmarkRun}. */
interface RunSettings {
  policy: BookmarkPolicy;
  now: () => Date;
  defaultTtlMs: number;
  heartbeatMs?: number | undefined;
}

/**
 * One run of a job, holding its lease: decides which objects are new, commits what it consumed,
 * renews and releases the lease. Made by {@link JobBookmarks.begin}; always `release()` it in a
 * `finally`. Calls on one run are serialised.
 *
 * @example
 * ```ts
 * const run = await bookmarks.begin('raw-to-processed/orders');
 * try {
 *   const todo = run.filterNew(listing);
 *   await run.commit(todo);
 * } finally {
 *   await run.release();
 * }
 * ```
 */
export class BookmarkRun {
  /** The job this run belongs to. */
  readonly job: string;
  readonly #store: BookmarkStore;
  readonly #settings: RunSettings;
  #lease: Lease;
  #state: BookmarkState;
  #index: BookmarkIndex;
  #revision: string | null;
  #released = false;
  #queue: Promise<unknown> = Promise.resolve();
  #heartbeat: NodeJS.Timeout | undefined;

  /** @internal Use {@link JobBookmarks.begin}. */
  constructor(store: BookmarkStore, lease: Lease, state: BookmarkState, revision: string | null, settings: RunSettings) {
    this.job = lease.job;
    this.#store = store;
    this.#lease = lease;
    this.#state = state;
    this.#index = indexBookmark(state);
    this.#revision = revision;
    this.#settings = settings;
    if (settings.heartbeatMs !== undefined) {
      this.#heartbeat = setInterval(() => {
        if (this.#released) return this.#stopHeartbeat();
        // A lost lease stops the heartbeat (the next commit fails with LeaseLost); a transient store
        // error does not: the next tick tries again before the lease expires.
        this.renew().catch((error: unknown) => {
          if ((error as { _tag?: unknown })._tag === 'LeaseLost') this.#stopHeartbeat();
        });
      }, settings.heartbeatMs);
      this.#heartbeat.unref();
    }
  }

  /** The lease this run holds (owner, token, expiry). */
  get lease(): Lease {
    return this.#lease;
  }

  /** The bookmark as read at `begin`, or as written by this run's last commit. */
  get bookmark(): BookmarkState {
    return this.#state;
  }

  /** The bookmark version this run builds on. */
  get version(): number {
    return this.#state.version;
  }

  /** Whether {@link release} was called. */
  get released(): boolean {
    return this.#released;
  }

  /**
   * Whether `object` has not been consumed yet (see {@link isConsumed}).
   *
   * @example
   * ```ts
   * if (run.isNew(info)) await ingest(info.key);
   * ```
   */
  isNew(object: BookmarkObject): boolean {
    return !isConsumed(this.#index, object);
  }

  /**
   * The objects of `listing` not consumed yet, oldest first.
   *
   * @example
   * ```ts
   * const todo = run.filterNew(listing);
   * ```
   */
  filterNew<T extends BookmarkObject>(listing: Iterable<T>): T[] {
    return newObjects(this.#index, listing);
  }

  /**
   * Records `consumed` as a new bookmark version — atomically, and only if this run still holds
   * its lease; otherwise fails with `LeaseLost` and writes nothing. May be called more than once
   * (checkpoints). Committing nothing writes nothing. Call it after the data and the catalog.
   *
   * @example
   * ```ts
   * const next = await run.commit(todo);
   * console.log(`bookmark version ${next.version}`);
   * ```
   */
  commit(consumed: Iterable<BookmarkObject>): Promise<BookmarkState> {
    return this.#serial(async () => {
      if (this.#released) throw leaseLostError(this.job, 'it was released', this.#store.location);
      const objects = [...consumed];
      if (objects.length === 0) return this.#state;
      const next = applyCommit(this.#state, objects, {
        policy: this.#settings.policy,
        owner: this.#lease.owner,
        now: this.#settings.now(),
      });
      const written = await this.#store.write(this.#lease, this.#revision, next);
      this.#state = written.state;
      this.#revision = written.revision;
      this.#index = indexBookmark(written.state);
      return written.state;
    });
  }

  /**
   * Extends the lease to `ttlMs` (default: the run's TTL) from now; fails with `LeaseLost` if it
   * already expired or was taken over. Call it periodically in runs longer than the TTL.
   *
   * @example
   * ```ts
   * const timer = setInterval(() => void run.renew().catch(console.error), 5 * 60_000);
   * ```
   */
  renew(ttlMs?: number): Promise<Lease> {
    return this.#serial(async () => {
      if (this.#released) throw leaseLostError(this.job, 'it was released', this.#store.location);
      this.#lease = await this.#store.renewLease(this.#lease, ttlMs ?? this.#settings.defaultTtlMs);
      return this.#lease;
    });
  }

  /**
   * Gives the lease back so the next run can start at once. Idempotent; a lease already lost is
   * left alone.
   *
   * @example
   * ```ts
   * try { … } finally { await run.release(); }
   * ```
   */
  release(): Promise<void> {
    return this.#serial(async () => {
      this.#stopHeartbeat();
      if (this.#released) return;
      this.#released = true;
      await this.#store.releaseLease(this.#lease);
    });
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(fn, fn);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}

function defaultOwner(): string {
  return localOwner();
}
