import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CoreError } from '../errors/core-error.js';
import { sleep } from '../retry/retry.js';
import { applyCommit, type BookmarkObject } from './bookmark.js';
import type { BookmarkStore } from './bookmark-store.js';
import { JobBookmarks, type JobBookmarksOptions } from './job-bookmarks.js';

/**
 * A store under test, a way to damage what it stores, and how to dispose of it.
 *
 * @example
 * ```ts
 * const fixture: BookmarkStoreFixture = { store, corrupt: (job, text) => put(job, text), cleanup: async () => {} };
 * ```
 */
export interface BookmarkStoreFixture {
  store: BookmarkStore;
  /** Replaces the stored bookmark body of `job` with `text` (creating it if needed). */
  corrupt(job: string, text: string): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * Options of {@link describeBookmarkStoreSuite}.
 *
 * @example
 * ```ts
 * describeBookmarkStoreSuite('s3rver', makeStore, { enforcesConditionalWrites: false });
 * ```
 */
export interface BookmarkStoreSuiteOptions {
  /**
   * Whether the backend makes racing writers exclusive (conditional writes, transactions). When
   * false (s3rver ignores `If-None-Match` / `If-Match`), the truly concurrent race tests are
   * skipped with that reason in their names; sequential lease checks still run.
   */
  enforcesConditionalWrites: boolean;
}

/**
 * The one behavioural suite every {@link BookmarkStore} must pass, run once per backend (local
 * directory, S3 on s3rver, MySQL), in the drizzle style. `makeStore` runs before each test; jobs
 * get unique names, so a fixture may share tables or buckets between tests. Test-only: imports
 * vitest, never export it from a package entry.
 *
 * @example
 * ```ts
 * describeBookmarkStoreSuite('StorageBookmarkStore on LocalStorage', async () => {
 *   const dir = await mkdtemp(join(tmpdir(), 'bm-'));
 *   const storage = new LocalStorage(dir);
 *   return {
 *     store: new StorageBookmarkStore(storage),
 *     corrupt: async (job, text) => void (await storage.put(`_state/bookmarks/${job}.json`, text)),
 *     cleanup: () => rm(dir, { recursive: true, force: true }),
 *   };
 * }, { enforcesConditionalWrites: true });
 * ```
 */
export function describeBookmarkStoreSuite(
  name: string,
  makeStore: () => Promise<BookmarkStoreFixture>,
  options: BookmarkStoreSuiteOptions,
): void {
  describe(`BookmarkStore suite: ${name}`, () => {
    let fixture: BookmarkStoreFixture;
    let store: BookmarkStore;
    const base = Date.now() - 60 * 60 * 1000;

    const obj = (key: string, minute: number, etag = `e-${key}`, size = 100): BookmarkObject => ({
      key,
      size,
      etag,
      lastModified: new Date(base + minute * 60_000),
    });
    const bookmarks = (opts: JobBookmarksOptions = {}) => new JobBookmarks(store, { owner: 'suite', ...opts });
    const job = (label: string) => `suite/${label}-${randomBytes(4).toString('hex')}`;
    const keysOf = (objects: BookmarkObject[]) => objects.map((o) => o.key);
    const tagOf = async (promise: Promise<unknown>): Promise<string> => {
      try {
        await promise;
        return 'ok';
      } catch (error) {
        if (error instanceof CoreError) return error._tag;
        throw error;
      }
    };

    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture?.cleanup();
    });

    it('an empty bookmark has version 0 and everything is new', async () => {
      const b = bookmarks();
      const j = job('empty');
      const run = await b.begin(j);
      try {
        expect(run.version).toBe(0);
        expect(run.bookmark.objects).toEqual([]);
        const listing = [obj('raw/b.csv', 2), obj('raw/a.csv', 1)];
        expect(keysOf(run.filterNew(listing))).toEqual(['raw/a.csv', 'raw/b.csv']); // oldest first
      } finally {
        await run.release();
      }
      expect((await b.read(j)).version).toBe(0);
      expect(await b.history(j)).toEqual([]);
    });

    it('after a commit those objects are no longer new, others are', async () => {
      const b = bookmarks();
      const j = job('commit');
      const run = await b.begin(j);
      try {
        const committed = await run.commit([obj('raw/a.csv', 1), obj('raw/b.csv', 2)]);
        expect(committed.version).toBe(1);
        expect(committed.highWater?.getTime()).toBe(obj('raw/b.csv', 2).lastModified.getTime());
        // The run itself sees its commit.
        expect(run.isNew(obj('raw/a.csv', 1))).toBe(false);
      } finally {
        await run.release();
      }
      const next = await b.begin(j);
      try {
        expect(next.version).toBe(1);
        expect(next.bookmark.owner).toBe('suite');
        const listing = [obj('raw/a.csv', 1), obj('raw/b.csv', 2), obj('raw/c.csv', 3)];
        expect(keysOf(next.filterNew(listing))).toEqual(['raw/c.csv']);
      } finally {
        await next.release();
      }
    });

    it('a replaced object (changed etag or size) is new again; same etag with a new mtime is not', async () => {
      const b = bookmarks();
      const j = job('etag');
      const run = await b.begin(j);
      await run.commit([obj('raw/a.csv', 1, 'v1'), obj('raw/b.csv', 2, 'v1', 10)]);
      await run.release();
      const next = await b.begin(j);
      try {
        expect(next.isNew(obj('raw/a.csv', 1, 'v2'))).toBe(true);
        expect(next.isNew(obj('raw/b.csv', 2, 'v1', 11))).toBe(true);
        expect(next.isNew(obj('raw/a.csv', 5, 'v1'))).toBe(false);
        expect(next.isNew({ key: 'raw/b.csv', size: 10, lastModified: obj('x', 2).lastModified })).toBe(false);
      } finally {
        await next.release();
      }
    });

    it('versions increment with every commit and history lists them newest first', async () => {
      const b = bookmarks();
      const j = job('versions');
      for (let i = 1; i <= 3; i++) {
        const run = await b.begin(j);
        expect(run.version).toBe(i - 1);
        expect((await run.commit([obj(`raw/${i}.csv`, i)])).version).toBe(i);
        await run.release();
      }
      expect((await b.read(j)).version).toBe(3);
      expect((await b.history(j)).map((v) => v.version)).toEqual([3, 2, 1]);
      // Committing nothing writes nothing.
      const run = await b.begin(j);
      expect((await run.commit([])).version).toBe(3);
      await run.release();
      expect((await b.read(j)).version).toBe(3);
    });

    it('a second concurrent begin fails with LeaseHeld naming the holder and expiry', async () => {
      const j = job('held');
      const first = await bookmarks({ owner: 'worker-1' }).begin(j, { ttlMs: 60_000 });
      try {
        const error = await bookmarks({ owner: 'worker-2' })
          .begin(j)
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(error).toBeInstanceOf(CoreError);
        const e = error as CoreError;
        expect(e._tag).toBe('LeaseHeld');
        expect(e.isRetryable).toBe(true);
        expect(e.message).toContain('worker-1');
        expect(e.message).toContain(j);
        expect(e.context.owner).toBe('worker-1');
        expect(Date.parse(String(e.context.expiresAt))).toBeGreaterThan(Date.now());
        expect((await store.currentLease(j))?.owner).toBe('worker-1');
      } finally {
        await first.release();
      }
      expect(await store.currentLease(j)).toBeUndefined();
      const again = await bookmarks({ owner: 'worker-2' }).begin(j);
      await again.release();
    });

    it('begin with waitMs waits for the holder to release', async () => {
      const j = job('wait');
      const b = bookmarks({ pollMs: 50 });
      const first = await b.begin(j);
      setTimeout(() => void first.release(), 300);
      const started = Date.now();
      const second = await b.begin(j, { waitMs: 5_000 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      await second.release();
    });

    it('an expired lease is taken over', async () => {
      const j = job('expired');
      const first = await bookmarks({ owner: 'slow' }).begin(j, { ttlMs: 200 });
      await sleep(400);
      const second = await bookmarks({ owner: 'fast' }).begin(j);
      expect(second.lease.owner).toBe('fast');
      await second.release();
      await first.release(); // no longer its lease: a no-op
    });

    it('a commit after the lease was lost fails with LeaseLost and writes nothing', async () => {
      const j = job('lost');
      const b = bookmarks();
      // Taken over by another run.
      const slow = await bookmarks({ owner: 'slow' }).begin(j, { ttlMs: 200 });
      await sleep(400);
      const fast = await bookmarks({ owner: 'fast' }).begin(j);
      const error = await slow.commit([obj('raw/a.csv', 1)]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CoreError);
      expect((error as CoreError)._tag).toBe('LeaseLost');
      expect((error as CoreError).message).toContain('fast');
      expect((await b.read(j)).version).toBe(0);
      expect((await fast.commit([obj('raw/b.csv', 2)])).version).toBe(1);
      await fast.release();
      await slow.release();

      // Merely expired, nobody took over: still refused.
      const late = await b.begin(j, { ttlMs: 200 });
      await sleep(400);
      expect(await tagOf(late.commit([obj('raw/c.csv', 3)]))).toBe('LeaseLost');
      expect(await tagOf(late.renew())).toBe('LeaseLost');
      await late.release();
      // Released: refused.
      const done = await b.begin(j);
      await done.release();
      expect(await tagOf(done.commit([obj('raw/c.csv', 3)]))).toBe('LeaseLost');
      const after = await b.read(j);
      expect(after.version).toBe(1);
      expect(keysOf(after.objects)).toEqual(['raw/b.csv']);
    });

    it('renew keeps a long run exclusive', async () => {
      const j = job('renew');
      const run = await bookmarks().begin(j, { ttlMs: 300 });
      await sleep(150);
      const renewed = await run.renew(10_000);
      expect(renewed.expiresAt.getTime()).toBeGreaterThan(Date.now() + 5_000);
      await sleep(300);
      expect(await tagOf(bookmarks().begin(j))).toBe('LeaseHeld');
      expect((await run.commit([obj('raw/a.csv', 1)])).version).toBe(1);
      await run.release();
    });

    it('rewind restores an earlier version as a new one; reset forgets everything', async () => {
      const b = bookmarks();
      const j = job('rewind');
      const all = [obj('raw/a.csv', 1), obj('raw/b.csv', 2), obj('raw/c.csv', 3)];
      for (const o of all) {
        const run = await b.begin(j);
        await run.commit([o]);
        await run.release();
      }
      const rewound = await b.rewind(j, 1);
      expect(rewound.version).toBe(4);
      expect(rewound.operation).toBe('rewind');
      expect(rewound.rewoundTo).toBe(1);
      let run = await b.begin(j);
      expect(keysOf(run.filterNew(all))).toEqual(['raw/b.csv', 'raw/c.csv']);
      await run.release();

      const reset = await b.reset(j);
      expect(reset.version).toBe(5);
      expect(reset.operation).toBe('reset');
      run = await b.begin(j);
      expect(keysOf(run.filterNew(all))).toEqual(['raw/a.csv', 'raw/b.csv', 'raw/c.csv']);
      await run.release();

      // A reset can be undone while the earlier version is retained.
      const undone = await b.rewind(j, 3);
      expect(undone.version).toBe(6);
      run = await b.begin(j);
      expect(run.filterNew(all)).toEqual([]);
      await run.release();
      expect((await b.history(j)).map((v) => v.version)).toEqual([6, 5, 4, 3, 2, 1]);

      // Not while a run holds the lease; not to a version that is not retained.
      const holder = await b.begin(j);
      expect(await tagOf(b.rewind(j, 2))).toBe('LeaseHeld');
      expect(await tagOf(b.reset(j))).toBe('LeaseHeld');
      await holder.release();
      expect(await tagOf(b.rewind(j, 42))).toBe('NotFound');
      expect((await b.read(j)).version).toBe(6);
    });

    it(`history is bounded to the store's historyLimit`, async () => {
      const b = bookmarks();
      const j = job('history');
      const limit = store.historyLimit;
      const commits = limit + 3;
      for (let i = 1; i <= commits; i++) {
        const run = await b.begin(j);
        await run.commit([obj(`raw/${i}.csv`, i)]);
        await run.release();
      }
      const history = await b.history(j);
      expect(history.map((v) => v.version)).toEqual(Array.from({ length: limit }, (_, i) => commits - i));
      expect(await tagOf(b.rewind(j, commits - limit))).toBe('NotFound');
      expect((await b.rewind(j, commits - limit + 1)).version).toBe(commits + 1);
    });

    it('stays bounded: 1,000 objects with maxEntries 100 keep at most 100 entries, the rest by watermark', async () => {
      const b = bookmarks({ maxEntries: 100 });
      const j = job('bounded');
      const listing = Array.from({ length: 1000 }, (_, i) => ({
        key: `raw/part-${String(i).padStart(4, '0')}.csv`,
        size: 10 + i,
        etag: `e${i}`,
        lastModified: new Date(base + i * 1000),
      }));
      const run = await b.begin(j);
      const written = await run.commit(listing);
      await run.release();
      const stored = await b.read(j);
      expect(stored.objects.length).toBeLessThanOrEqual(100);
      expect(stored.objects.length).toBeGreaterThan(0);
      expect(stored.compactedBefore).toBeDefined();
      expect(stored).toEqual(written);

      const next = await b.begin(j);
      try {
        // Every one of the 1,000 is consumed: 900 by the watermark, 100 by their entries.
        expect(next.filterNew(listing)).toEqual([]);
        const oldest = stored.objects[0] as BookmarkObject;
        expect(oldest.lastModified.getTime()).toBeGreaterThanOrEqual(stored.compactedBefore!.getTime());
        // Inside the tracked window a replaced file is new again …
        expect(next.isNew({ ...(listing[999] as BookmarkObject), etag: 'changed' })).toBe(true);
        // … and a newer file is new.
        expect(next.isNew({ key: 'raw/new.csv', size: 1, etag: 'n', lastModified: new Date(base + 2_000_000) })).toBe(true);
        // Behind the watermark, only time counts (documented trade-off, same as Glue).
        expect(next.isNew({ ...(listing[0] as BookmarkObject), etag: 'changed' })).toBe(false);
      } finally {
        await next.release();
      }
    });

    it('a corrupt bookmark fails with BookmarkCorrupt naming the job and location; reset recovers', async () => {
      const b = bookmarks();
      const j = job('corrupt');
      const run = await b.begin(j);
      await run.commit([obj('raw/a.csv', 1)]);
      await run.release();

      await fixture.corrupt(j, '{"formatVersion": 1, "job": ');
      const error = await b.begin(j).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CoreError);
      expect((error as CoreError)._tag).toBe('BookmarkCorrupt');
      expect((error as CoreError).message).toContain(j);
      expect((error as CoreError).message).toContain(store.location.split(' ').pop() as string);
      expect((error as CoreError).context.job).toBe(j);
      // The failed begin gave its lease back.
      expect(await store.currentLease(j)).toBeUndefined();

      await fixture.corrupt(j, JSON.stringify({ formatVersion: 99, job: j, version: 1, objects: [] }));
      const future = await b.read(j).catch((e: unknown) => e);
      expect((future as CoreError)._tag).toBe('BookmarkCorrupt');
      expect((future as CoreError).message).toMatch(/formatVersion 99/);

      const recovered = await b.reset(j);
      expect(recovered.version).toBeGreaterThanOrEqual(2);
      const after = await b.begin(j);
      expect(after.filterNew([obj('raw/a.csv', 1)])).toHaveLength(1);
      await after.release();
    });

    it('a run whose lease was taken over loses its commit to the new holder', async () => {
      const j = job('commit-race');
      const slow = await bookmarks({ owner: 'slow' }).begin(j, { ttlMs: 150 });
      await sleep(300);
      const fast = await bookmarks({ owner: 'fast' }).begin(j);
      const results = await Promise.allSettled([
        slow.commit([obj('raw/slow.csv', 1)]),
        fast.commit([obj('raw/fast.csv', 2)]),
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
      const stored = await bookmarks().read(j);
      expect(stored.version).toBe(1);
      expect(keysOf(stored.objects)).toEqual(['raw/fast.csv']);
      await fast.release();
    });

    const heartbeatName = 'a heartbeat keeps a run with a short TTL exclusive until release, then stops';
    // s3rver rewrites an object in place, so a read racing a renewal every 100 ms can see a
    // partial lease file (BookmarkCorrupt); AWS S3, local disk and MySQL replace atomically.
    (options.enforcesConditionalWrites ? it : it.skip)(
      options.enforcesConditionalWrites ? heartbeatName : `${heartbeatName} (skipped: s3rver writes objects in place)`,
      async () => {
        const j = job('heartbeat');
        expect(await tagOf(bookmarks({ heartbeatMs: 500 }).begin(j, { ttlMs: 500 }))).toBe('InvalidArgument');
        const run = await bookmarks({ heartbeatMs: 100 }).begin(j, { ttlMs: 400 });
        const firstExpiry = run.lease.expiresAt.getTime();
        await sleep(900);
        expect(await tagOf(bookmarks({ owner: 'other' }).begin(j))).toBe('LeaseHeld');
        expect(run.lease.expiresAt.getTime()).toBeGreaterThan(firstExpiry);
        expect((await run.commit([obj('raw/a.csv', 1)])).version).toBe(1);
        await run.release();
        await sleep(250); // a heartbeat after release must not bring the lease back
        expect(await store.currentLease(j)).toBeUndefined();
        const next = await bookmarks({ owner: 'other' }).begin(j);
        await next.release();
      },
    );

    it('a live lease of a dead process of this host is taken over at once; of a live one it is not', async () => {
      const j = job('dead-owner');
      const deadPid = await exitedChildPid();
      const dead = `${hostname()}:${deadPid}`;
      await store.acquireLease(j, { owner: dead, ttlMs: 60 * 60_000 });
      expect((await store.currentLease(j))?.owner).toBe(dead);
      const next = await bookmarks({ owner: 'successor' }).begin(j);
      expect(next.lease.owner).toBe('successor');
      expect((await store.currentLease(j))?.token).toBe(next.lease.token);
      expect((await next.commit([obj('raw/a.csv', 1)])).version).toBe(1);
      await next.release();

      // A live process of this host (this one), another host's pid, or a non-pid owner: held.
      for (const owner of [`${hostname()}:${process.pid}`, `not-${hostname()}:${deadPid}`, `${hostname()}:run-${deadPid}`]) {
        const jj = job('live-owner');
        const held = await store.acquireLease(jj, { owner, ttlMs: 60_000 });
        expect(await tagOf(bookmarks({ owner: 'successor' }).begin(jj))).toBe('LeaseHeld');
        await store.releaseLease(held);
      }
    });

    const raceName = '10 parallel begins: exactly one wins, the others get LeaseHeld';
    // The lease check and the bookmark write are two steps: a lease can lapse between them. What
    // then keeps a stale run from overwriting its successor is the compare-and-swap on the revision
    // read at begin. These tests write through the store with the lease still held, so only that
    // compare-and-swap can refuse the stale commit.
    const casName = 'a commit based on a stale version is refused even while the lease is held';
    const casRaceName = 'two commits racing from the same version: exactly one lands';
    if (options.enforcesConditionalWrites) {
      it(casName, async () => {
        const j = job('cas');
        const b = bookmarks();
        for (const [label, warmUp] of [['first commit', 0], ['later commit', 1]] as const) {
          const jj = `${j}-${warmUp}`;
          if (warmUp > 0) {
            const w = await b.begin(jj);
            await w.commit([obj('raw/warm-up.csv', 0)]);
            await w.release();
          }
          const run = await b.begin(jj);
          const before = await store.read(jj);
          // Someone else lands the next version meanwhile (e.g. a run whose lease lapsed just after its check).
          const theirs = applyCommit(before.state, [obj('raw/theirs.csv', 1)], { owner: 'other' });
          await store.write(run.lease, before.revision, theirs);
          const error = await run.commit([obj('raw/mine.csv', 2)]).catch((e: unknown) => e);
          expect((error as CoreError)._tag, label).toBe('LeaseLost');
          const stored = await b.read(jj);
          expect(stored.version, label).toBe(warmUp + 1);
          expect(keysOf(stored.objects), label).toContain('raw/theirs.csv');
          expect(keysOf(stored.objects), label).not.toContain('raw/mine.csv');
          await run.release();
        }
      });

      it(casRaceName, async () => {
        for (let round = 0; round < 5; round++) {
          const j = job(`cas-race-${round}`);
          const run = await bookmarks().begin(j);
          const before = await store.read(j);
          const theirs = applyCommit(before.state, [obj('raw/theirs.csv', 1)], { owner: 'other' });
          const results = await Promise.allSettled([
            run.commit([obj('raw/mine.csv', 2)]),
            store.write(run.lease, before.revision, theirs),
          ]);
          const landed = results.filter((r) => r.status === 'fulfilled');
          expect(landed).toHaveLength(1);
          const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
          expect((lost.reason as CoreError)._tag).toBe('LeaseLost');
          const stored = await bookmarks().read(j);
          expect(stored.version).toBe(1);
          expect(keysOf(stored.objects)).toEqual(results[0]!.status === 'fulfilled' ? ['raw/mine.csv'] : ['raw/theirs.csv']);
          await run.release();
        }
      });

      it('10 parallel successors of a dead process: exactly one takes the lease over', async () => {
        const j = job('dead-race');
        await store.acquireLease(j, { owner: `${hostname()}:${await exitedChildPid()}`, ttlMs: 60 * 60_000 });
        const attempts = Array.from({ length: 10 }, (_, i) => bookmarks({ owner: `successor-${i}` }).begin(j));
        const results = await Promise.allSettled(attempts);
        const winners = results.filter((r) => r.status === 'fulfilled');
        expect(winners).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect((r.reason as CoreError)._tag).toBe('LeaseHeld');
        const winner = (winners[0] as PromiseFulfilledResult<Awaited<(typeof attempts)[number]>>).value;
        expect((await store.currentLease(j))?.token).toBe(winner.lease.token);
        await winner.release();
      });

      it(raceName, async () => {
        const j = job('race');
        const attempts = Array.from({ length: 10 }, (_, i) => bookmarks({ owner: `racer-${i}` }).begin(j));
        const results = await Promise.allSettled(attempts);
        const winners = results.filter((r) => r.status === 'fulfilled');
        const losers = results.filter((r) => r.status === 'rejected');
        expect(winners).toHaveLength(1);
        for (const loser of losers) expect(((loser as PromiseRejectedResult).reason as CoreError)._tag).toBe('LeaseHeld');
        const winner = (winners[0] as PromiseFulfilledResult<Awaited<(typeof attempts)[number]>>).value;
        expect((await store.currentLease(j))?.token).toBe(winner.lease.token);
        await winner.release();
      });

    } else {
      const why = '(skipped: this backend does not enforce conditional writes — s3rver ignores If-None-Match/If-Match; real S3 enforces them)';
      it.skip(`${raceName} ${why}`, () => {});
      it.skip(`10 parallel successors of a dead process: exactly one takes the lease over ${why}`, () => {});
      it.skip(`${casName} ${why}`, () => {});
      it.skip(`${casRaceName} ${why}`, () => {});
    }
  });
}

/** The pid of a child process that has exited (and been reaped), so no process of this host has it. */
async function exitedChildPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const pid = child.pid;
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve());
  });
  if (pid === undefined) throw new Error('could not spawn a child process');
  return pid;
}
