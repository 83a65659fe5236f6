import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, futimesSync, mkdirSync, openSync, renameSync, rmSync, writeSync, type BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { link, lstat, mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { addAbortSignal, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as timers from 'node:timers';
import { CoreError } from '../errors/core-error.js';
import { isDeadLocalProcess, isProcessAlive } from '../process/local-process.js';
import { sleep } from '../retry/retry.js';
import { compareKeys } from './key-order.js';
import { assertValidKey } from './keys.js';
import type { ListOptions, ListPage, ObjectInfo, PutOptions, Storage, StreamBody } from './storage.js';
import { listAllPages, pageOptions } from './list-all.js';

/**
 * Options of {@link LocalStorage}.
 *
 * @example
 * ```ts
 * const scratch = new LocalStorage('/tmp/lake', { durable: false, lockTimeoutMs: 5_000 });
 * ```
 */
export interface LocalStorageOptions {
  /**
   * `fsync` each file before its rename and the directory after it, so a write that returned
   * survives a power cut (default `true`). Turn off only for throwaway data.
   */
  durable?: boolean;
  /**
   * A per-key lock file older than this is taken to be left by a crashed writer and removed
   * (default 10 000 ms), unless its owner is a live process of this host (then only after ten
   * times this). A lock of a dead process of this host is removed at once.
   */
  staleLockMs?: number;
  /** How long a write waits for a per-key lock before failing with a retryable `Timeout` (default 30 000 ms). */
  lockTimeoutMs?: number;
  /**
   * Without `durable`, an unconditional `put` of at most this many bytes is written with synchronous
   * system calls, saving the thread pool's round trips, about 0.1 ms of CPU per put (default 1 MiB).
   * `0` always uses the thread pool: for a network file system, where one call can block for long.
   */
  syncPutMaxBytes?: number;
}

/**
 * Temp files: `.<name>.<12 hex>.<8 hex host tag>-<pid>.tmp`, in the directory of the final file
 * (`.<name>.<12 hex>.tmp` from versions before the owner was recorded).
 */
const TEMP_RE = /^\..*\.[0-9a-f]{12}(?:\.[0-9a-f]{8}-[0-9]+)?\.tmp$/;
/** A temp file naming its writer: host tag and pid. */
const OWNED_TEMP_RE = /^\..*\.[0-9a-f]{12}\.([0-9a-f]{8})-([0-9]+)\.tmp$/;
/** This host in temp-file names: 8 hex digits of the SHA-1 of `os.hostname()`. */
const HOST_TAG = createHash('sha1').update(hostname()).digest('hex').slice(0, 8);
/** Per-key lock files: `.<name>.lakeblocks.lock`. */
const LOCK_SUFFIX = '.lakeblocks.lock';
const LOCK_RE = /^\..*\.lakeblocks\.lock$/;
/** `link()` not supported by the file system: fall back to the lock. */
const NO_LINK_CODES = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

const DEFAULT_PAGE_SIZE = 1000;
const KNOWN_DIRS_MAX = 10_000;
/** File-system calls a listing or a temp sweep keeps in flight (libuv's pool runs 4 by default). */
const STAT_CONCURRENCY = 16;
/** Sibling directories whose entries a listing reads ahead of the one it walks. */
const READDIR_LOOKAHEAD = 8;
/**
 * Default largest body a non-durable unconditional `put` writes with synchronous system calls
 * ({@link LocalStorageOptions.syncPutMaxBytes}). Such a put (mkdir when new, open, write, futimes,
 * fstat, close, rename) blocks the event loop for about 0.05 ms at 9 KB and 0.3 ms at 1 MiB into the
 * page cache (up to about 1.5 ms on a busy ext4 disk when it also creates the directory); through
 * the thread pool, round trips and promises cost three times the calls themselves on tmpfs. Bigger
 * bodies take the asynchronous path, so that a single call never holds the event loop for long.
 */
const SYNC_PUT_MAX_BYTES = 1024 * 1024;
/** A run of synchronous puts yields one turn of the event loop (timers, I/O) after this long. */
const SYNC_RUN_MAX_MS = 10;

let lastMtime = 0;
/**
 * The real `setImmediate`, taken when this module loads: fake timers (vitest's, sinon's) replace the
 * global one and patch the `timers` module object later, which would freeze a run of puts.
 */
const realSetImmediate = timers.setImmediate;
/** When the current run of synchronous puts began, until the event loop next turns. */
let syncRunStart: number | undefined;

/**
 * A {@link Storage} on a local directory: the embedded default of lakeblocks, and what tests run on.
 *
 * - **Atomic writes.** Every write goes to a temp file in the target's directory
 *   (`.<name>.<random>.<host>-<pid>.tmp`), is `fsync`ed, then renamed over the key. Readers see the old file or the
 *   new one, never a partial one; a failed or aborted write removes its temp file. Temp and lock files
 *   are never listed, and keys with a segment shaped like them are refused. A temp file's name
 *   records its writer (host tag and pid), so {@link LocalStorage.sweepTempFiles} can remove those
 *   of killed writers without ever touching a live writer's.
 * - **Conditional writes** hold against concurrent writers in this and other processes:
 *   `ifNoneMatch: '*'` publishes with `link()`, which fails atomically if the key exists;
 *   `ifMatch` writes and deletes take a short per-key lock file (`O_EXCL`), so `ifMatch` compares and
 *   renames with nobody in between. A lock left by a crashed process is broken once its owner is
 *   gone (same host) or it is older than `staleLockMs` (a live owner on this host: ten times that).
 * - **Unconditional writes** take no lock: publishing is one atomic `rename`, so they cost about half
 *   the file-system operations (what writing thousands of partition files is made of). They are
 *   ordered against conditional writers only by that rename: a plain `put` landing between an
 *   `ifMatch` writer's compare and its rename is overwritten by it. Keys written with preconditions
 *   (bookmarks, leases) should only be written with preconditions — as lakeblocks does.
 * - **Small scratch writes are synchronous.** With `durable: false`, an unconditional `put` of at most
 *   `syncPutMaxBytes` (1 MiB) makes the same calls synchronously, typically a fraction of a millisecond
 *   in all: through the thread pool, round trips and promises cost about 0.1 ms of CPU per put, three
 *   times the calls themselves on tmpfs. A run of such puts still lets the event loop turn every
 *   10 ms. Durable, conditional and streamed writes and larger bodies go through the thread pool.
 * - **ETag** is a digest of the file's inode, size and nanosecond mtime, so listing needs no reads.
 *   Each write creates a new inode and stamps a microsecond mtime, so replacing an object always
 *   changes its etag; a file rewritten in place by another tool within the file system's timestamp
 *   granularity, keeping its size, would not.
 * - **Listing** walks directories in key order (UTF-8 byte order, as S3), one directory at a time,
 *   skipping whole subtrees before the continuation token; the token is the last key of the page.
 * - A key cannot be both an object and a "directory" (`a/b` and `a/b/c`), as it can on S3; such a
 *   write fails with a non-retryable `StorageFailure`. `delete` removes parent directories it empties.
 *
 * @example
 * ```ts
 * const storage = new LocalStorage('./.lake');
 * const info = await storage.put('_state/bookmarks/orders.json', '{"version":1}', { ifNoneMatch: '*' });
 * await storage.put('_state/bookmarks/orders.json', '{"version":2}', { ifMatch: info.etag });
 * console.log(storage.uri('_state/bookmarks/orders.json')); // /abs/path/.lake/_state/bookmarks/orders.json
 * ```
 */
export class LocalStorage implements Storage {
  /** The absolute directory holding the objects. */
  readonly root: string;
  private readonly durable: boolean;
  private readonly staleLockMs: number;
  private readonly lockTimeoutMs: number;
  /** Largest body `put` writes synchronously; -1 when none is (durable, or turned off). */
  private readonly syncPutMaxBytes: number;
  /** Directories this instance created or found, so a write skips `mkdir` (bounded; dropped on ENOENT). */
  private readonly knownDirs = new Set<string>();

  /**
   * @param root The lake directory; relative paths resolve against the working directory. It is
   *   created on first write.
   */
  constructor(root: string, options: LocalStorageOptions = {}) {
    this.root = resolve(root);
    this.durable = options.durable ?? true;
    this.staleLockMs = options.staleLockMs ?? 10_000;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
    const syncMax = options.syncPutMaxBytes ?? SYNC_PUT_MAX_BYTES;
    this.syncPutMaxBytes = this.durable || !(syncMax > 0) ? -1 : syncMax;
  }

  uri(key: string): string {
    this.checkKey(key);
    return this.pathOf(key);
  }

  async get(key: string, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    this.checkKey(key);
    const path = this.pathOf(key);
    try {
      const buffer = options.signal ? await readFile(path, { signal: options.signal }) : await readFile(path);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      throw abortReason(options.signal) ?? fsError(error, 'get', key, path);
    }
  }

  async getStream(key: string, options: { signal?: AbortSignal } = {}): Promise<Readable> {
    this.checkKey(key);
    options.signal?.throwIfAborted();
    const path = this.pathOf(key);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw fsError(error, 'getStream', key, path);
    }
    try {
      const st = await handle.stat();
      if (!st.isFile()) throw notFound(key, path);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw fsError(error, 'getStream', key, path);
    }
    const stream = handle.createReadStream({ autoClose: true });
    return options.signal ? addAbortSignal(options.signal, stream) : stream;
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<ObjectInfo> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    if (bytes.byteLength <= this.syncPutMaxBytes && options.ifMatch === undefined && options.ifNoneMatch === undefined) {
      this.checkKey(key);
      // Checked right before writing, with no await in between: puts started together
      // (Promise.all) stop writing once the run is long, and go on after the event loop turned.
      while (syncRunTooLong()) await nextTurn();
      options.signal?.throwIfAborted(); // nothing to interrupt once started: the write is one short synchronous step
      noteSyncRun();
      const info = this.putSync(key, bytes);
      return info;
    }
    return this.write(key, options, (handle) => writeAll(handle, bytes));
  }

  async putStream(key: string, body: StreamBody, options: PutOptions = {}): Promise<ObjectInfo> {
    return this.write(key, options, async (handle) => {
      // Not handle.createWriteStream(): with autoClose off, the handle could never be closed.
      const sink = new Writable({
        highWaterMark: 1024 * 1024,
        write(chunk: Buffer, _encoding, callback) {
          writeAll(handle, chunk).then(() => callback(), callback);
        },
      });
      await (options.signal ? pipeline(body, sink, { signal: options.signal }) : pipeline(body, sink));
    });
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    assertValidKey(prefix, { allowTrailingSlash: true, allowEmpty: true });
    const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      throw new CoreError('InvalidArgument', `pageSize must be a positive integer, got ${pageSize}`, {
        context: { key: prefix },
      });
    }
    const startAfter = options.continuationToken ?? '';
    const objects: ObjectInfo[] = [];
    // Keys come from the walk in key order; their stats run STAT_CONCURRENCY at a time (one
    // round trip to the thread pool per file was most of a large listing's time). A key deleted
    // while listing is skipped and the page filled from the keys after it, as before.
    const walk = this.walk(prefix, startAfter)[Symbol.asyncIterator]();
    let more = false;
    try {
      for (;;) {
        const want = pageSize - objects.length;
        const keys: string[] = [];
        let next = await walk.next();
        while (!next.done && keys.length < want) {
          keys.push(next.value);
          if (keys.length < want) next = await walk.next();
        }
        if (keys.length === 0) break;
        const infos = await mapLimit(keys, STAT_CONCURRENCY, async (key) => {
          const path = this.pathOf(key);
          let st: BigIntStats;
          try {
            st = await stat(path, { bigint: true });
          } catch (error) {
            if (isCode(error, 'ENOENT', 'ENOTDIR')) return undefined; // deleted while listing
            throw fsError(error, 'list', key, path);
          }
          return st.isFile() ? toInfo(key, st) : undefined;
        });
        for (const info of infos) if (info) objects.push(info);
        if (keys.length < want) break; // the walk ended
        if (objects.length === pageSize) {
          more = !(await walk.next()).done;
          break;
        }
      }
    } finally {
      await walk.return?.(undefined);
    }
    const last = objects.at(-1);
    return more && last ? { objects, nextToken: last.key } : { objects };
  }

  listAll(prefix: string, options: Omit<ListOptions, 'continuationToken'> = {}): AsyncIterable<ObjectInfo> {
    return listAllPages((token) => this.list(prefix, pageOptions(options, token)));
  }

  async delete(key: string): Promise<void> {
    this.checkKey(key);
    const path = this.pathOf(key);
    try {
      await lstat(path);
    } catch (error) {
      if (isCode(error, 'ENOENT', 'ENOTDIR')) return;
      throw fsError(error, 'delete', key, path);
    }
    const removed = await this.withLock(path, key, undefined, false, async () => {
      try {
        await unlink(path);
        return true;
      } catch (error) {
        // Absent, or a directory (EISDIR on Linux, EPERM on macOS): no object at this key.
        if (isCode(error, 'ENOENT', 'ENOTDIR', 'EISDIR')) return false;
        if (isCode(error, 'EPERM') && (await lstat(path).then((st) => st.isDirectory(), () => false))) return false;
        throw fsError(error, 'delete', key, path);
      }
    });
    if (removed) await this.pruneEmptyDirs(dirname(path));
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== undefined;
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    this.checkKey(key);
    const path = this.pathOf(key);
    try {
      const st = await stat(path, { bigint: true });
      return st.isFile() ? toInfo(key, st) : undefined;
    } catch (error) {
      if (isCode(error, 'ENOENT', 'ENOTDIR')) return undefined;
      throw fsError(error, 'stat', key, path);
    }
  }

  /**
   * Removes the temp files that writers killed mid-write (SIGKILL, OOM, power cut) left under the
   * folder `prefix` (`''`: the whole lake), recursively. Readers never see them — they are never
   * listed — but they take disk space. Only temp files whose name records a writer of *this* host
   * whose process is gone (`process.kill(pid, 0)` fails with `ESRCH`) are removed, so a live
   * writer's temp file, in this process or another, is never touched; temp files of other hosts
   * and of older versions (no owner in the name) are left and counted in `kept`. Safe to run while
   * other processes write; call it at the start of a pipeline run, or from a maintenance job.
   *
   * @example
   * ```ts
   * const { removed, kept } = await storage.sweepTempFiles('processed/');
   * console.log(`removed ${removed.length} orphaned temp files, ${kept} still owned`);
   * ```
   */
  async sweepTempFiles(prefix = ''): Promise<{ removed: string[]; kept: number }> {
    assertValidKey(prefix, { allowTrailingSlash: true, allowEmpty: true });
    const folder = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    const removed: string[] = [];
    let kept = 0;
    // Level by level, STAT_CONCURRENCY directories at a time: a day-partitioned table is thousands
    // of small directories, and reading them one after the other cost a second per table.
    const visit = async (dir: string): Promise<string[]> => {
      let dirents;
      try {
        dirents = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (isCode(error, 'ENOENT', 'ENOTDIR')) return [];
        throw fsError(error, 'sweepTempFiles', folder, dir);
      }
      const subdirs: string[] = [];
      for (const dirent of dirents) {
        const path = join(dir, dirent.name);
        if (dirent.isDirectory()) {
          subdirs.push(path);
          continue;
        }
        if (!dirent.isFile() || !TEMP_RE.test(dirent.name)) continue;
        const owner = OWNED_TEMP_RE.exec(dirent.name);
        if (owner?.[1] === HOST_TAG && isDeadLocalProcess(hostname(), Number(owner[2]))) {
          try {
            await unlink(path);
            removed.push(path);
          } catch (error) {
            if (!isCode(error, 'ENOENT')) throw fsError(error, 'sweepTempFiles', folder, path);
          }
        } else {
          kept++;
        }
      }
      return subdirs;
    };
    for (let level = [folder === '' ? this.root : this.pathOf(folder.slice(0, -1))]; level.length > 0; ) {
      level = (await mapLimit(level, STAT_CONCURRENCY, visit)).flat();
    }
    return { removed, kept };
  }

  // ---------------------------------------------------------------------------------------------

  private checkKey(key: string): void {
    assertValidKey(key);
    for (const segment of key.split('/')) {
      if (TEMP_RE.test(segment) || LOCK_RE.test(segment)) {
        throw new CoreError(
          'InvalidArgument',
          `Invalid storage key ${JSON.stringify(key)}: segment ${JSON.stringify(segment)} is reserved for LocalStorage temp and lock files`,
          { context: { key } },
        );
      }
    }
  }

  private pathOf(key: string): string {
    return this.root + sep + key.split('/').join(sep);
  }

  /** Writes through a temp file, then publishes it under `key` according to the preconditions. */
  private async write(key: string, options: PutOptions, fill: (handle: FileHandle) => Promise<void>): Promise<ObjectInfo> {
    this.checkKey(key);
    const { ifNoneMatch, ifMatch, signal } = options;
    if (ifNoneMatch !== undefined && ifNoneMatch !== '*') {
      throw new CoreError('InvalidArgument', `ifNoneMatch only accepts '*', got ${JSON.stringify(ifNoneMatch)}`, {
        context: { key },
      });
    }
    if (ifNoneMatch !== undefined && ifMatch !== undefined) {
      throw new CoreError('InvalidArgument', 'ifNoneMatch and ifMatch cannot be combined', { context: { key } });
    }
    signal?.throwIfAborted();
    const path = this.pathOf(key);
    const { handle, tempPath } = await this.openTemp(path, key);
    let st: BigIntStats;
    try {
      await fill(handle);
      signal?.throwIfAborted();
      const now = nextMtime(); // a microsecond mtime, so the etag changes on every write
      await handle.utimes(now, now).catch(() => undefined);
      if (this.durable) await handle.sync();
      st = await handle.stat({ bigint: true });
      await handle.close();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(tempPath, { force: true }).catch(() => undefined);
      throw abortReason(signal) ?? fsError(error, 'put', key, path, true);
    }
    try {
      if (ifNoneMatch === '*') {
        await this.publishIfAbsent(tempPath, path, key, signal);
      } else if (ifMatch === undefined) {
        // Unconditional: a single atomic rename, no lock (see the class description).
        try {
          await rename(tempPath, path);
        } catch (error) {
          throw fsError(error, 'put', key, path, true);
        }
      } else {
        await this.withLock(path, key, signal, true, async () => {
          if (ifMatch !== undefined) {
            const current = await this.stat(key);
            if (current?.etag !== ifMatch) {
              throw new CoreError(
                'PreconditionFailed',
                current
                  ? `Object changed since it was read: etag is ${current.etag}, expected ${ifMatch}`
                  : `Object does not exist, expected etag ${ifMatch}`,
                { context: { key } },
              );
            }
          }
          try {
            await rename(tempPath, path);
          } catch (error) {
            throw fsError(error, 'put', key, path, true);
          }
        });
      }
    } catch (error) {
      await rm(tempPath, { force: true }).catch(() => undefined);
      throw error;
    }
    if (this.durable) await fsyncDir(dirname(path));
    return toInfo(key, st);
  }

  /**
   * The fast path of `put` (small, unconditional, not durable): the steps of {@link write} and
   * {@link openTemp} as synchronous calls, which cost a third of the same calls through the thread pool.
   */
  private putSync(key: string, bytes: Uint8Array): ObjectInfo {
    const path = this.pathOf(key);
    const dir = dirname(path);
    let fd: number | undefined;
    let tempPath = '';
    for (let attempt = 1; fd === undefined; attempt++) {
      tempPath = tempPathOf(path);
      try {
        if (!this.knownDirs.has(dir)) {
          mkdirSync(dir, { recursive: true });
          this.rememberDir(dir);
        }
        fd = openSync(tempPath, 'wx');
      } catch (error) {
        this.retryOpenTemp(error, attempt, key, path);
      }
    }
    let st: BigIntStats;
    try {
      try {
        writeAllSync(fd, bytes);
        const now = nextMtime(); // a microsecond mtime, so the etag changes on every write
        try {
          futimesSync(fd, now, now);
        } catch {
          // as on the async path: the etag still changes with the new inode
        }
        st = fstatSync(fd, { bigint: true });
      } finally {
        closeSync(fd);
      }
      renameSync(tempPath, path);
    } catch (error) {
      try {
        rmSync(tempPath, { force: true });
      } catch {
        // left for sweepTempFiles
      }
      throw fsError(error, 'put', key, path, true);
    }
    return toInfo(key, st);
  }

  /** Creates the parent directories and an exclusive temp file beside `path`. */
  private async openTemp(path: string, key: string): Promise<{ handle: FileHandle; tempPath: string }> {
    const dir = dirname(path);
    for (let attempt = 1; ; attempt++) {
      const tempPath = tempPathOf(path);
      try {
        if (!this.knownDirs.has(dir)) {
          await mkdir(dir, { recursive: true });
          this.rememberDir(dir);
        }
        return { handle: await open(tempPath, 'wx'), tempPath };
      } catch (error) {
        this.retryOpenTemp(error, attempt, key, path);
      }
    }
  }

  /** Records a directory a write created or found, so later writes skip its `mkdir`. */
  private rememberDir(dir: string): void {
    if (this.knownDirs.size >= KNOWN_DIRS_MAX) this.knownDirs.clear();
    this.knownDirs.add(dir);
  }

  /** After creating the temp file of `path` failed: returns to try again, or throws the mapped error. */
  private retryOpenTemp(error: unknown, attempt: number, key: string, path: string): void {
    // ENOENT: a concurrent delete pruned the directory between mkdir and open; EEXIST: name clash.
    this.knownDirs.delete(dirname(path));
    if (attempt < 5 && isCode(error, 'ENOENT', 'EEXIST')) return;
    throw fsError(error, 'put', key, path, true);
  }

  /** `link()` the temp file to its final name: atomic create-if-absent, across processes. */
  private async publishIfAbsent(tempPath: string, path: string, key: string, signal: AbortSignal | undefined): Promise<void> {
    const exists = () =>
      new CoreError('PreconditionFailed', 'Object already exists (ifNoneMatch: "*")', { context: { key } });
    try {
      await link(tempPath, path);
    } catch (error) {
      if (isCode(error, 'EEXIST')) {
        const st = await lstat(path).catch(() => undefined);
        if (st?.isDirectory()) throw conflictWithDirectory(key, path, error);
        throw exists();
      }
      if (!isCode(error, ...NO_LINK_CODES)) throw fsError(error, 'put', key, path, true);
      // No hard links on this file system: check and rename under the key's lock instead.
      await this.withLock(path, key, signal, true, async () => {
        if (await lstat(path).then(() => true, () => false)) throw exists();
        try {
          await rename(tempPath, path);
        } catch (renameError) {
          throw fsError(renameError, 'put', key, path, true);
        }
      });
      return;
    }
    await rm(tempPath, { force: true });
  }

  /**
   * Runs `fn` holding the per-key lock file of `path`. When the directory is missing it is created
   * with `create`; without, there is nothing to lock and `false` is returned without running `fn`.
   */
  private async withLock<T>(
    path: string,
    key: string,
    signal: AbortSignal | undefined,
    create: boolean,
    fn: () => Promise<T>,
  ): Promise<T | false> {
    const dir = dirname(path);
    const lockPath = join(dir, `.${shortName(basename(path))}${LOCK_SUFFIX}`);
    const deadline = Date.now() + this.lockTimeoutMs;
    let ino: bigint | undefined;
    for (let wait = 2; ino === undefined; ) {
      signal?.throwIfAborted();
      try {
        const handle = await open(lockPath, 'wx');
        try {
          ino = (await handle.stat({ bigint: true })).ino;
          await handle.writeFile(`${process.pid} ${hostname()} ${new Date().toISOString()}\n`);
        } finally {
          await handle.close();
        }
      } catch (error) {
        if (isCode(error, 'ENOENT')) {
          if (!create) return false;
          try {
            await mkdir(dir, { recursive: true });
          } catch (mkdirError) {
            throw fsError(mkdirError, 'lock', key, lockPath, true);
          }
          continue;
        }
        if (!isCode(error, 'EEXIST')) throw fsError(error, 'lock', key, lockPath, true);
        if (await this.breakStaleLock(lockPath)) continue;
        if (Date.now() > deadline) {
          throw new CoreError('Timeout', `Timed out after ${this.lockTimeoutMs} ms waiting for the write lock`, {
            isRetryable: true,
            context: { key, file: lockPath },
          });
        }
        await sleep(1 + Math.random() * wait, signal);
        wait = Math.min(wait * 2, 50);
      }
    }
    try {
      return await fn();
    } finally {
      // Remove the lock only if it is still ours (it could have been broken as stale meanwhile).
      const current = await lstat(lockPath, { bigint: true }).catch(() => undefined);
      if (current?.ino === ino) await rm(lockPath, { force: true }).catch(() => undefined);
    }
  }

  /** Removes a lock whose owner died (same host) or that is older than `staleLockMs`; `true` to retry at once. */
  private async breakStaleLock(lockPath: string): Promise<boolean> {
    let st: BigIntStats;
    try {
      st = await lstat(lockPath, { bigint: true });
    } catch {
      return true; // released meanwhile
    }
    const age = Date.now() - Number(st.mtimeMs);
    const [pidText, host] = (await readFile(lockPath, 'utf8').catch(() => '')).split(' ');
    const pid = Number(pidText);
    // A live writer of this host keeps its lock however long it pauses (GC, SIGSTOP): breaking it
    // would let two conditional writers win. Only ten times the stale age overrules that (a pid
    // reused by an unrelated process). Other hosts' locks (a shared file system) go by age alone.
    const liveHere = host === hostname() && Number.isSafeInteger(pid) && pid > 0 && isProcessAlive(pid);
    const stale = isDeadLocalProcess(host, pid) || (age > this.staleLockMs && !liveHere) || age > this.staleLockMs * 10;
    if (!stale) return false;
    // Move it aside, then check we moved the lock we judged, not a fresh one taken meanwhile.
    const grave = join(dirname(lockPath), `.stale-lock.${randomBytes(6).toString('hex')}.${HOST_TAG}-${process.pid}.tmp`);
    try {
      await rename(lockPath, grave);
    } catch {
      return true;
    }
    const moved = await lstat(grave, { bigint: true }).catch(() => undefined);
    if (moved && moved.ino !== st.ino) await link(grave, lockPath).catch(() => undefined);
    await rm(grave, { force: true }).catch(() => undefined);
    return true;
  }

  /** Removes now-empty directories from `dir` up to (not including) the root. */
  private async pruneEmptyDirs(dir: string): Promise<void> {
    while (dir.length > this.root.length && dir.startsWith(this.root + sep)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty, already gone, or not ours to remove
      }
      dir = dirname(dir);
    }
  }

  /** Keys under `prefix` after `startAfter`, in key order, reading one directory at a time. */
  private async *walk(prefix: string, startAfter: string): AsyncGenerator<string> {
    const cut = prefix.lastIndexOf('/') + 1;
    yield* this.walkDir(prefix.slice(0, cut), prefix.slice(cut), startAfter);
  }

  private async *walkDir(dirKey: string, namePrefix: string, startAfter: string, read?: Promise<WalkEntry[]>): AsyncGenerator<string> {
    const entries = await (read ?? this.readEntries(dirKey, namePrefix));
    // A directory before the token is skipped whole, unless the token lies inside it.
    const todo = entries.filter(({ key, isDir }) => compareKeys(key, startAfter) > 0 || (isDir && startAfter.startsWith(key)));
    // The next sibling directories are read while this one is walked: a day-partitioned table is
    // thousands of one-file directories, and reading them one after the other was a listing's cost.
    const ahead = new Map<number, Promise<WalkEntry[]>>();
    for (let i = 0; i < todo.length; i++) {
      const { key, isDir } = todo[i] as WalkEntry;
      if (!isDir) {
        yield key;
        continue;
      }
      for (let j = i; j < todo.length && j < i + READDIR_LOOKAHEAD; j++) {
        const entry = todo[j] as WalkEntry;
        if (!entry.isDir || ahead.has(j)) continue;
        const pending = this.readEntries(entry.key, '');
        pending.catch(() => undefined); // awaited when walked; not unhandled if the walk stops first
        ahead.set(j, pending);
      }
      const pending = ahead.get(i);
      ahead.delete(i);
      yield* this.walkDir(key, '', startAfter, pending);
    }
  }

  /** The listable entries of a directory (`name/` for a directory), in key order; none when it is missing. */
  private async readEntries(dirKey: string, namePrefix: string): Promise<WalkEntry[]> {
    const dirPath = dirKey === '' ? this.root : this.pathOf(dirKey.slice(0, -1));
    let dirents;
    try {
      dirents = await readdir(dirPath, { withFileTypes: true });
    } catch (error) {
      if (isCode(error, 'ENOENT', 'ENOTDIR')) return [];
      throw fsError(error, 'list', dirKey, dirPath);
    }
    const entries: WalkEntry[] = [];
    for (const dirent of dirents) {
      const name = dirent.name;
      if (!name.startsWith(namePrefix) || TEMP_RE.test(name) || LOCK_RE.test(name)) continue;
      let isDir = dirent.isDirectory();
      let isFile = dirent.isFile();
      if (dirent.isSymbolicLink()) {
        const target = await stat(join(dirPath, name)).catch(() => undefined);
        isDir = target?.isDirectory() ?? false;
        isFile = target?.isFile() ?? false;
      }
      // A directory sorts as `name/`, so `a/b-c` < `a/b/x` < `a/bc`, as in S3.
      if (isDir) entries.push({ key: `${dirKey}${name}/`, isDir });
      else if (isFile) entries.push({ key: `${dirKey}${name}`, isDir });
    }
    return entries.sort((a, b) => compareKeys(a.key, b.key));
  }
}

/** An entry of a listed directory: a file key, or a directory as `name/`. */
interface WalkEntry {
  key: string;
  isDir: boolean;
}

/** `fn` over `items`, at most `limit` at a time; results in the order of `items`. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Writes all of `bytes` synchronously (a write may be partial). */
function writeAllSync(fd: number, bytes: Uint8Array): void {
  for (let offset = 0; offset < bytes.byteLength; ) offset += writeSync(fd, bytes, offset, bytes.byteLength - offset);
}

/**
 * Has the current run of synchronous puts (nothing but promises between them) held the event loop
 * for {@link SYNC_RUN_MAX_MS}? Then the next put waits for {@link nextTurn}: a loop publishing
 * thousands of files must not starve a lease heartbeat or a stream.
 */
function syncRunTooLong(): boolean {
  return syncRunStart !== undefined && performance.now() - syncRunStart >= SYNC_RUN_MAX_MS;
}

/** Starts the run clock at a run's first synchronous put; the run ends when the event loop next turns. */
function noteSyncRun(): void {
  if (syncRunStart !== undefined) return;
  syncRunStart = performance.now();
  realSetImmediate(() => {
    syncRunStart = undefined;
  });
}

/** Resolves once the event loop has turned (timers and I/O had their chance). */
function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => realSetImmediate(resolve));
}

/** Writes all of `bytes` (a write may be partial). */
async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.byteLength; ) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset);
    offset += bytesWritten;
  }
}

function toInfo(key: string, st: BigIntStats): ObjectInfo {
  const etag = createHash('sha1').update(`${st.ino}:${st.size}:${st.mtimeNs}`).digest('hex').slice(0, 32);
  return { key, size: Number(st.size), etag, lastModified: new Date(Number(st.mtimeNs / 1_000_000n)) };
}

/** A fresh temp file name beside `path`: `.<name>.<12 hex>.<host tag>-<pid>.tmp` (see TEMP_RE). */
function tempPathOf(path: string): string {
  return join(dirname(path), `.${shortName(basename(path))}.${randomBytes(6).toString('hex')}.${HOST_TAG}-${process.pid}.tmp`);
}

/** A strictly increasing wall-clock time in seconds, with microsecond resolution. */
function nextMtime(): number {
  const now = Math.floor((performance.timeOrigin + performance.now()) * 1000) / 1e6;
  lastMtime = now > lastMtime ? now : lastMtime + 1e-6;
  return lastMtime;
}

/** File name part used in temp and lock names; long names are hashed to stay under NAME_MAX. */
function shortName(name: string): string {
  return Buffer.byteLength(name) <= 200 ? name : createHash('sha1').update(name).digest('hex');
}

async function fsyncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms (Windows) and file systems cannot fsync a directory; the rename is still atomic.
  }
}

function isCode(error: unknown, ...codes: string[]): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && codes.includes(code);
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.aborted ? signal.reason : undefined;
}

function notFound(key: string, path: string): CoreError {
  return new CoreError('NotFound', 'No object at this key', { context: { key, file: path } });
}

function conflictWithDirectory(key: string, path: string, cause: unknown): CoreError {
  return new CoreError('StorageFailure', 'Key conflicts with a directory or file on local disk (cannot be both `a/b` and `a/b/c`)', {
    cause,
    context: { key, file: path },
  });
}

const RETRYABLE_CODES = new Set(['EMFILE', 'ENFILE', 'EBUSY', 'EAGAIN', 'EINTR', 'ETXTBSY']);

/**
 * Maps a Node file-system error to a {@link CoreError}: ENOENT → `NotFound` on reads; EACCES, ENOSPC,
 * EROFS… → non-retryable `StorageFailure`; EMFILE, EBUSY… → retryable `StorageFailure`.
 */
function fsError(error: unknown, op: string, key: string, path: string, writing = false): CoreError {
  if (error instanceof CoreError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const detail = error instanceof Error ? error.message : String(error);
  const context = { key, file: path };
  if (!writing && isCode(error, 'ENOENT', 'ENOTDIR', 'EISDIR')) {
    return new CoreError('NotFound', 'No object at this key', { cause: error, context });
  }
  if (writing && isCode(error, 'EISDIR', 'ENOTDIR', 'EEXIST')) return conflictWithDirectory(key, path, error);
  if (isCode(error, 'ENAMETOOLONG')) {
    return new CoreError('InvalidArgument', `Key too long for the local file system: ${detail}`, { cause: error, context });
  }
  const retryable = typeof code === 'string' && RETRYABLE_CODES.has(code);
  const what = typeof code === 'string' ? `LocalStorage ${op} failed (${code})` : `LocalStorage ${op} failed`;
  return new CoreError('StorageFailure', `${what}: ${detail}`, { cause: error, isRetryable: retryable, context });
}
