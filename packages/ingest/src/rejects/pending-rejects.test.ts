import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobBookmarks, LocalStorage, StorageBookmarkStore, type ObjectInfo, type Storage } from '@lakeblocks/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearPendingRejects, markPendingRejects, settlePendingRejects } from './pending-rejects.js';

const JOB = 'raw-to-processed/orders';
let dir: string;
let storage: LocalStorage;
let bookmarks: JobBookmarks;
let raw: ObjectInfo[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pending-rejects-'));
  storage = new LocalStorage(dir, { durable: false });
  bookmarks = new JobBookmarks(new StorageBookmarkStore(storage));
  await storage.put('raw/orders/b1/a.csv', 'order_id\n1\n');
  await storage.put('raw/orders/b2/b.csv', 'order_id\n2\n');
  raw = [];
  for await (const o of storage.listAll('raw/orders/')) raw.push(o);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A run that published its rejects for `raw` and then died before (or after) committing. */
async function publishedThenDied(runId: string, commit: boolean): Promise<string> {
  const run = await bookmarks.begin(JOB);
  const key = `rejects/orders/${runId}.csv`;
  await markPendingRejects(storage, JOB, runId, key, raw);
  await storage.put(key, 'source_file,line,column,reason,raw_record\n');
  if (commit) await run.commit(raw);
  await run.release(); // a SIGKILL leaves the lease too; the dead-owner takeover is tested in core
  return key;
}

describe('pending rejects', () => {
  it('a run killed before its commit: the next run deletes its rejects file and the record', async () => {
    const key = await publishedThenDied('r1', false);
    const next = await bookmarks.begin(JOB);
    expect(await settlePendingRejects(storage, JOB, next)).toEqual([key]);
    expect(await storage.exists(key)).toBe(false);
    expect(await settlePendingRejects(storage, JOB, next)).toEqual([]); // the record is gone
    await next.release();
  });

  it('a run killed after its commit: the file stays', async () => {
    const key = await publishedThenDied('r1', true);
    const next = await bookmarks.begin(JOB);
    expect(await settlePendingRejects(storage, JOB, next)).toEqual([]);
    expect(await storage.exists(key)).toBe(true);
    await next.release();
  });

  it('judges by the objects, not the version: after a rewind the committed file goes (its rows are read again)', async () => {
    const key = await publishedThenDied('r1', true);
    await bookmarks.rewind(JOB, 0);
    const next = await bookmarks.begin(JOB);
    expect(next.version).toBeGreaterThan(1); // a version number alone would have said "committed"
    expect(await settlePendingRejects(storage, JOB, next)).toEqual([key]);
    await next.release();
  });

  it('settles every run left behind, and clearPendingRejects removes one run only', async () => {
    const a = await publishedThenDied('a', false);
    const run = await bookmarks.begin(JOB);
    await markPendingRejects(storage, JOB, 'b', 'rejects/orders/b.csv', raw);
    await clearPendingRejects(storage, JOB, 'b');
    expect(await settlePendingRejects(storage, JOB, run)).toEqual([a]);
    await run.release();
  });

  it('a storage error while reading a record propagates (the record stays for the next run)', async () => {
    const key = await publishedThenDied('r1', false);
    const failing = new Proxy(storage, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (property === 'get') return async () => Promise.reject(Object.assign(new Error('SlowDown'), { name: 'SlowDown' }));
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }) as Storage;
    const next = await bookmarks.begin(JOB);
    await expect(settlePendingRejects(failing, JOB, next)).rejects.toThrow('SlowDown');
    expect(await storage.exists(key)).toBe(true);
    expect(await settlePendingRejects(storage, JOB, next)).toEqual([key]);
    await next.release();
  });
});
