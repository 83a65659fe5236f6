import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors/core-error.js';
import { LocalStorage } from '../storage/local-storage.js';
import { describeBookmarkStoreSuite } from './bookmark-store-suite.js';
import { JobBookmarks } from './job-bookmarks.js';
import { StorageBookmarkStore } from './storage-bookmark-store.js';

describeBookmarkStoreSuite(
  'StorageBookmarkStore on LocalStorage (temp dir)',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lakeblocks-bookmarks-'));
    const storage = new LocalStorage(dir, { durable: false });
    return {
      store: new StorageBookmarkStore(storage),
      corrupt: async (job, text) => void (await storage.put(`_state/bookmarks/${job}.json`, text)),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
  { enforcesConditionalWrites: true },
);

describe('StorageBookmarkStore layout', () => {
  it('writes the bookmark, lease and history where documented', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lakeblocks-bookmarks-'));
    try {
      const storage = new LocalStorage(dir, { durable: false });
      const bookmarks = new JobBookmarks(new StorageBookmarkStore(storage, { historyLimit: 2 }), { owner: 'me' });
      for (let i = 1; i <= 3; i++) {
        const run = await bookmarks.begin('raw-to-processed/orders');
        await run.commit([{ key: `raw/orders/${i}.csv`, size: i, etag: `e${i}`, lastModified: new Date() }]);
        await run.release();
      }
      const doc = JSON.parse(await readFile(join(dir, '_state/bookmarks/raw-to-processed/orders.json'), 'utf8'));
      expect(doc).toMatchObject({ formatVersion: 1, job: 'raw-to-processed/orders', version: 3, operation: 'commit', owner: 'me' });
      expect(doc.objects).toHaveLength(3);
      const lease = JSON.parse(await readFile(join(dir, '_state/bookmarks/raw-to-processed/orders.lease.json'), 'utf8'));
      expect(lease).toMatchObject({ formatVersion: 1, owner: 'me', released: true });
      // historyLimit 2: the current version plus version 2 archived; version 1 trimmed.
      const archived = (await readdir(join(dir, '_state/bookmark-history/raw-to-processed/orders'))).filter((f) => f.endsWith('.json'));
      expect(archived).toEqual(['v000000000002.json']);
      expect((await bookmarks.history('raw-to-processed/orders')).map((v) => v.version)).toEqual([3, 2]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses unsafe job names', async () => {
    const store = new StorageBookmarkStore(new LocalStorage(tmpdir()));
    const bookmarks = new JobBookmarks(store);
    for (const bad of ['../x', 'a//b', 'A', 'a/../b', '/a', 'a.json', 'a.lease', '', 'a b']) {
      await expect(bookmarks.begin(bad)).rejects.toMatchObject({ _tag: 'InvalidArgument' });
    }
  });
});

describe('StorageBookmarkStore after the commit landed', () => {
  it('a failure trimming old history does not report a landed commit as failed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lakeblocks-bookmarks-'));
    try {
      class FlakyDeletes extends LocalStorage {
        override async delete(key: string): Promise<void> {
          if (key.includes('bookmark-history')) throw new CoreError('StorageFailure', 'delete refused', { isRetryable: true, context: { key } });
          return super.delete(key);
        }
      }
      const bookmarks = new JobBookmarks(new StorageBookmarkStore(new FlakyDeletes(dir, { durable: false }), { historyLimit: 1 }));
      for (let i = 1; i <= 3; i++) {
        const run = await bookmarks.begin('trim/job');
        // Before: the third commit landed, then trimming v1 failed and commit() rejected — the caller
        // was told its commit failed although the bookmark already said version 3.
        const state = await run.commit([{ key: `raw/${i}.csv`, size: i, etag: `e${i}`, lastModified: new Date() }]);
        expect(state.version).toBe(i);
        expect(run.version).toBe(i);
        await run.release();
      }
      expect((await bookmarks.read('trim/job')).version).toBe(3);
      expect((await bookmarks.history('trim/job')).map((v) => v.version)).toEqual([3]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('JobBookmarks heartbeat', () => {
  it('keeps renewing after a transient store error; the lease does not lapse', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lakeblocks-bookmarks-'));
    try {
      const store = new StorageBookmarkStore(new LocalStorage(dir, { durable: false }));
      let failures = 2;
      const flaky = new Proxy(store, {
        get(target, prop) {
          if (prop === 'renewLease') {
            return async (...args: Parameters<StorageBookmarkStore['renewLease']>) => {
              if (failures-- > 0) throw new CoreError('StorageFailure', 'store briefly unreachable');
              return target.renewLease(...args);
            };
          }
          const value: unknown = Reflect.get(target, prop, target);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      const run = await new JobBookmarks(flaky, { heartbeatMs: 80, owner: 'a' }).begin('hb/flaky', { ttlMs: 400 });
      await new Promise((r) => setTimeout(r, 900)); // two failed ticks, then renewals past the first expiry
      const rival = await new JobBookmarks(store, { owner: 'b' }).begin('hb/flaky').then(
        () => 'acquired',
        (e: unknown) => (e as CoreError)._tag,
      );
      expect(rival).toBe('LeaseHeld');
      await run.commit([{ key: 'raw/x.csv', size: 1, etag: 'e', lastModified: new Date() }]);
      await run.release();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
