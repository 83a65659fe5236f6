import { randomUUID } from 'node:crypto';
import { CoreError } from '../errors/core-error.js';
import { isDeadLocalOwner } from '../process/local-process.js';
import { sleep } from '../retry/retry.js';
import type { Storage } from '../storage/storage.js';
import { emptyBookmark, type BookmarkState } from './bookmark.js';
import { decodeBookmark, encodeBookmark } from './bookmark-format.js';
import type { BookmarkHead, BookmarkStore, Lease, LeaseRequest, StoredBookmark } from './bookmark-store.js';
import { assertValidJobName } from './job-name.js';
import { assertLeaseCovers, leaseHeldError, leaseLostError } from './lease-errors.js';

/**
 * Options of {@link StorageBookmarkStore}.
 *
 * @example
 * ```ts
 * new StorageBookmarkStore(storage, { prefix: '_state/bookmarks/', historyLimit: 20 });
 * ```
 */
export interface StorageBookmarkStoreOptions {
  /** Folder of bookmarks and leases (default `_state/bookmarks/`). */
  prefix?: string;
  /** Folder of superseded versions (default `_state/bookmark-history/`). */
  historyPrefix?: string;
  /** Versions kept, the current one included (default 10). */
  historyLimit?: number;
  /** Clock for lease expiry (default `() => new Date()`); tests may inject one. */
  now?: () => Date;
}

interface LeaseDocument {
  formatVersion: 1;
  job: string;
  owner: string;
  token: string;
  acquiredAt: string;
  expiresAt: string;
  released?: boolean;
}

interface ReadLease {
  doc?: LeaseDocument;
  etag?: string;
}

const HISTORY_FILE = /^v(\d{12})\.json$/;

/**
 * Bookmarks as JSON objects in any {@link Storage}: a local directory (`LocalStorage`) or an S3
 * bucket (`S3Storage`). For job `raw-to-processed/orders`:
 *
 * - `_state/bookmarks/raw-to-processed/orders.json`: the current version;
 * - `_state/bookmarks/raw-to-processed/orders.lease.json`: the lease (owner, token, expiry);
 * - `_state/bookmark-history/raw-to-processed/orders/v000000000007.json`: superseded versions.
 *
 * Mutual exclusion comes from conditional puts: a lease is created with `ifNoneMatch: '*'` and
 * taken over, renewed or released with `ifMatch: <etag>`, and a commit replaces the bookmark with
 * `ifMatch` on the etag read when the run began — so of two racing runs exactly one wins, and a run
 * whose lease was taken over cannot overwrite its successor's commit. This needs a store that
 * enforces conditional writes: local disk and S3 (since November 2024) do; s3rver does not.
 * Lease expiry is judged by the clock of the process acquiring it; keep hosts' clocks in sync
 * (NTP) and TTLs well above any skew.
 *
 * A run killed without releasing its lease (SIGKILL, OOM) does not block the job until the TTL
 * runs out when its owner is `<hostname>:<pid>` (the default owner) of *this* host and that pid no
 * longer exists (`process.kill(pid, 0)` fails with `ESRCH`): the next run takes the lease over
 * at once, by the same etag-conditional write. Leases of other hosts, or with other owner names,
 * are only taken over once expired.
 *
 * @example
 * ```ts
 * import { JobBookmarks, LocalStorage, StorageBookmarkStore } from '@lakeblocks/core';
 * const bookmarks = new JobBookmarks(new StorageBookmarkStore(new LocalStorage('./.lake')));
 * const run = await bookmarks.begin('raw-to-processed/orders');
 * ```
 */
export class StorageBookmarkStore implements BookmarkStore {
  readonly location: string;
  readonly historyLimit: number;
  readonly #storage: Storage;
  readonly #prefix: string;
  readonly #historyPrefix: string;
  readonly #now: () => Date;

  constructor(storage: Storage, options: StorageBookmarkStoreOptions = {}) {
    this.#storage = storage;
    this.#prefix = normalizePrefix(options.prefix ?? '_state/bookmarks/');
    this.#historyPrefix = normalizePrefix(options.historyPrefix ?? '_state/bookmark-history/');
    if (this.#prefix === this.#historyPrefix) {
      throw new CoreError('InvalidArgument', 'prefix and historyPrefix of a StorageBookmarkStore must differ');
    }
    this.historyLimit = validateHistoryLimit(options.historyLimit ?? 10);
    this.#now = options.now ?? (() => new Date());
    this.location = storage.uri(this.#prefix.slice(0, -1));
  }

  async acquireLease(job: string, request: LeaseRequest): Promise<Lease> {
    assertValidJobName(job);
    validateTtl(request.ttlMs, job);
    const key = this.#leaseKey(job);
    const current = await this.#readLease(job);
    const now = this.#now();
    // A live lease of a process of this host that no longer runs (SIGKILL, OOM kill, power cut of a
    // container) is taken over at once instead of blocking the job until it expires. The write
    // below is conditional on the etag read, so of two successors only one takes it over.
    if (current.doc !== undefined && isLive(current.doc, now) && !isDeadLocalOwner(current.doc.owner)) {
      throw leaseHeldError(job, toLease(current.doc), this.#storage.uri(key));
    }
    const lease: Lease = {
      job,
      owner: request.owner,
      token: randomUUID(),
      acquiredAt: now,
      expiresAt: new Date(now.getTime() + request.ttlMs),
    };
    try {
      await this.#storage.put(key, encodeLease(lease), {
        contentType: 'application/json',
        ...(current.etag === undefined ? { ifNoneMatch: '*' as const } : { ifMatch: current.etag }),
      });
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      // Another run created or took over the lease between our read and our write.
      const winner = await this.#readLease(job).catch(() => ({}) as ReadLease);
      throw leaseHeldError(job, winner.doc ? toLease(winner.doc) : undefined, this.#storage.uri(key), error);
    }
    return lease;
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<Lease> {
    validateTtl(ttlMs, lease.job);
    const current = await this.#assertHeld(lease);
    const now = this.#now();
    const renewed: Lease = { ...lease, acquiredAt: now, expiresAt: new Date(now.getTime() + ttlMs) };
    await this.#replaceLease(lease, current.etag, encodeLease(renewed));
    return renewed;
  }

  async releaseLease(lease: Lease): Promise<void> {
    const current = await this.#readLease(lease.job);
    if (current.doc === undefined || current.etag === undefined) return;
    if (current.doc.token !== lease.token || current.doc.released === true) return;
    const released = { ...current.doc, released: true, expiresAt: this.#now().toISOString() };
    try {
      await this.#storage.put(this.#leaseKey(lease.job), JSON.stringify(released), {
        contentType: 'application/json',
        ifMatch: current.etag,
      });
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      // Someone took the (expired) lease over meanwhile: it is not ours to release any more.
    }
  }

  async currentLease(job: string): Promise<Lease | undefined> {
    assertValidJobName(job);
    const { doc } = await this.#readLease(job);
    return doc === undefined || doc.released === true ? undefined : toLease(doc);
  }

  async read(job: string): Promise<StoredBookmark> {
    assertValidJobName(job);
    const key = this.#bookmarkKey(job);
    const info = await this.#storage.stat(key);
    if (info === undefined) return { state: emptyBookmark(job), revision: null };
    const text = await this.#getText(key);
    if (text === undefined) return { state: emptyBookmark(job), revision: null };
    const state = decodeBookmark(text, { job, location: this.#storage.uri(key) });
    return { state, revision: info.etag };
  }

  async head(job: string): Promise<BookmarkHead> {
    assertValidJobName(job);
    const key = this.#bookmarkKey(job);
    const info = await this.#storage.stat(key);
    let version = 0;
    if (info !== undefined) {
      const text = await this.#getText(key);
      version = text === undefined ? 0 : lenientVersion(text);
    }
    for (const v of await this.#historyVersions(job)) version = Math.max(version, v);
    return { revision: info?.etag ?? null, version };
  }

  async write(lease: Lease, expectedRevision: string | null, next: BookmarkState): Promise<StoredBookmark> {
    const job = assertLeaseCovers(lease, next);
    await this.#assertHeld(lease);
    const key = this.#bookmarkKey(job);

    // Archive the version being superseded. Its content is final, so whoever writes this file
    // writes the same bytes: a run that loses the race below cannot spoil the history.
    if (expectedRevision !== null) {
      const previous = await this.#getText(key);
      const previousVersion = previous === undefined ? 0 : lenientVersion(previous);
      if (previous !== undefined && previousVersion > 0 && decodesAs(previous, job, previousVersion)) {
        await this.#storage.put(this.#historyKey(job, previousVersion), previous, { contentType: 'application/json' });
      }
    }

    let info;
    try {
      info = await this.#storage.put(key, encodeBookmark(next), {
        contentType: 'application/json',
        ...(expectedRevision === null ? { ifNoneMatch: '*' as const } : { ifMatch: expectedRevision }),
      });
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      throw leaseLostError(job, 'the bookmark was changed by another run since this run read it', this.#storage.uri(key), error);
    }
    // The commit has landed: from here on nothing may fail it. Trimming is housekeeping — versions
    // beyond the limit are invisible to history() and readVersion() anyway, and the next commit
    // trims whatever this one could not.
    await this.#trimHistory(job, next.version).catch(() => undefined);
    return { state: next, revision: info.etag };
  }

  async history(job: string): Promise<BookmarkState[]> {
    const { state } = await this.read(job);
    if (state.version === 0) return [];
    const older = (await this.#historyVersions(job))
      .filter((v) => v < state.version && v > state.version - this.historyLimit)
      .sort((a, b) => b - a);
    const out = [state];
    for (const version of older) {
      const archived = await this.#readArchived(job, version);
      if (archived !== undefined) out.push(archived);
    }
    return out;
  }

  async readVersion(job: string, version: number): Promise<BookmarkState | undefined> {
    assertValidJobName(job);
    const key = this.#bookmarkKey(job);
    const text = await this.#getText(key);
    const current = text === undefined ? 0 : lenientVersion(text);
    if (text !== undefined && current > 0) {
      if (version === current) return decodeBookmark(text, { job, location: this.#storage.uri(key) });
      if (version >= current || version <= current - this.historyLimit) return undefined;
    } else {
      // No readable current version (none, or corrupt): the archive alone says what is retained.
      const newest = Math.max(0, ...(await this.#historyVersions(job)));
      if (version > newest || version <= newest - this.historyLimit) return undefined;
    }
    if (version < 1) return undefined;
    return this.#readArchived(job, version);
  }

  // ---- internals ----

  #bookmarkKey(job: string): string {
    return `${this.#prefix}${job}.json`;
  }

  #leaseKey(job: string): string {
    return `${this.#prefix}${job}.lease.json`;
  }

  #historyKey(job: string, version: number): string {
    return `${this.#historyPrefix}${job}/v${String(version).padStart(12, '0')}.json`;
  }

  async #getText(key: string): Promise<string | undefined> {
    try {
      return new TextDecoder().decode(await this.#storage.get(key));
    } catch (error) {
      if (error instanceof CoreError && error._tag === 'NotFound') return undefined;
      throw error;
    }
  }

  async #readArchived(job: string, version: number): Promise<BookmarkState | undefined> {
    const key = this.#historyKey(job, version);
    const text = await this.#getText(key);
    return text === undefined ? undefined : decodeBookmark(text, { job, location: this.#storage.uri(key) });
  }

  async #historyVersions(job: string): Promise<number[]> {
    const prefix = `${this.#historyPrefix}${job}/`;
    const versions: number[] = [];
    for await (const object of this.#storage.listAll(prefix)) {
      const match = HISTORY_FILE.exec(object.key.slice(prefix.length));
      if (match?.[1] !== undefined) versions.push(Number(match[1]));
    }
    return versions;
  }

  async #trimHistory(job: string, currentVersion: number): Promise<void> {
    const keepAbove = currentVersion - this.historyLimit;
    for (const version of await this.#historyVersions(job)) {
      if (version <= keepAbove) await this.#storage.delete(this.#historyKey(job, version));
    }
  }

  async #readLease(job: string, attempt = 1): Promise<ReadLease> {
    const key = this.#leaseKey(job);
    // stat before get: if the lease changes in between, the body is newer than the etag and the
    // conditional write based on that etag fails safely.
    const info = await this.#storage.stat(key);
    if (info === undefined) return {};
    const text = await this.#getText(key);
    if (text === undefined) return {};
    try {
      return { doc: parseLease(text, job, this.#storage.uri(key)), etag: info.etag };
    } catch (error) {
      // A store that writes objects in place (s3rver, some S3-compatible servers, a network file
      // system) can show a body mid-write: read once more before calling the lease corrupt.
      if (attempt > 1) throw error;
      await sleep(100);
      return this.#readLease(job, attempt + 1);
    }
  }

  async #assertHeld(lease: Lease): Promise<{ doc: LeaseDocument; etag: string }> {
    const where = this.#storage.uri(this.#leaseKey(lease.job));
    const current = await this.#readLease(lease.job);
    const doc = current.doc;
    if (doc === undefined || current.etag === undefined) throw leaseLostError(lease.job, 'the lease record is gone', where);
    if (doc.token !== lease.token) {
      throw leaseLostError(lease.job, `it was taken over by ${JSON.stringify(doc.owner)}`, where);
    }
    if (doc.released === true) throw leaseLostError(lease.job, 'it was released', where);
    if (Date.parse(doc.expiresAt) <= this.#now().getTime()) {
      throw leaseLostError(lease.job, `it expired at ${doc.expiresAt}`, where);
    }
    return { doc, etag: current.etag };
  }

  async #replaceLease(lease: Lease, etag: string, body: string): Promise<void> {
    try {
      await this.#storage.put(this.#leaseKey(lease.job), body, { contentType: 'application/json', ifMatch: etag });
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      throw leaseLostError(lease.job, 'it was taken over meanwhile', this.#storage.uri(this.#leaseKey(lease.job)), error);
    }
  }
}

function normalizePrefix(prefix: string): string {
  const p = prefix.endsWith('/') ? prefix : `${prefix}/`;
  if (p === '/' || p.startsWith('/') || p.split('/').slice(0, -1).some((s) => s === '' || s === '.' || s === '..')) {
    throw new CoreError('InvalidArgument', `Invalid bookmark prefix ${JSON.stringify(prefix)}`);
  }
  return p;
}

function validateHistoryLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new CoreError('InvalidArgument', `historyLimit must be an integer from 1 to 1000, got ${limit}`);
  }
  return limit;
}

/** Checks a lease TTL. */
function validateTtl(ttlMs: number, job: string): void {
  if (!Number.isFinite(ttlMs) || ttlMs < 1) {
    throw new CoreError('InvalidArgument', `Lease ttlMs must be a positive number of milliseconds, got ${ttlMs}`, {
      context: { job },
    });
  }
}

function isPreconditionFailed(error: unknown): boolean {
  return error instanceof CoreError && error._tag === 'PreconditionFailed';
}

function isLive(doc: LeaseDocument, now: Date): boolean {
  return doc.released !== true && Date.parse(doc.expiresAt) > now.getTime();
}

function toLease(doc: LeaseDocument): Lease {
  return {
    job: doc.job,
    owner: doc.owner,
    token: doc.token,
    acquiredAt: new Date(doc.acquiredAt),
    expiresAt: new Date(doc.expiresAt),
  };
}

function encodeLease(lease: Lease): string {
  const doc: LeaseDocument = {
    formatVersion: 1,
    job: lease.job,
    owner: lease.owner,
    token: lease.token,
    acquiredAt: lease.acquiredAt.toISOString(),
    expiresAt: lease.expiresAt.toISOString(),
  };
  return JSON.stringify(doc);
}

function parseLease(text: string, job: string, location: string): LeaseDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw corruptLease(job, location, 'not valid JSON', error);
  }
  const d = doc as Partial<LeaseDocument> | null;
  if (
    typeof d !== 'object' ||
    d === null ||
    d.formatVersion !== 1 ||
    typeof d.token !== 'string' ||
    typeof d.owner !== 'string' ||
    typeof d.expiresAt !== 'string' ||
    Number.isNaN(Date.parse(d.expiresAt)) ||
    typeof d.acquiredAt !== 'string'
  ) {
    throw corruptLease(job, location, 'not a lease record of formatVersion 1');
  }
  return { ...(d as LeaseDocument), job };
}

function corruptLease(job: string, location: string, why: string, cause?: unknown): CoreError {
  return new CoreError(
    'BookmarkCorrupt',
    `Bookmark lease of job ${JSON.stringify(job)} at ${location} is unreadable: ${why}. ` +
      'Make sure no run of the job is active, then delete the lease file',
    { context: { job, location }, cause },
  );
}

/** The `version` field of a stored bookmark without full validation; 0 if unreadable. */
function lenientVersion(text: string): number {
  try {
    const v = (JSON.parse(text) as { version?: unknown }).version;
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : 0;
  } catch {
    return 0;
  }
}

/** Whether `text` is a valid bookmark of `job` at `version` (a corrupt one is not archived). */
function decodesAs(text: string, job: string, version: number): boolean {
  try {
    return decodeBookmark(text, { job, location: 'archive check' }).version === version;
  } catch {
    return false;
  }
}
