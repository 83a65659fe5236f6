import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CoreError, LocalStorage, type Storage } from '@lakeblocks/core';
import { generateTechstore } from '../generate/generate.js';
import { testLakeRoot } from '../testing/techstore-lake.js';
import type { RunTechstoreResult } from './run-techstore.js';
import { uploadTechstoreFile } from './upload-data.js';
import { rawFingerprint, watchTechstore } from './watch.js';

describe('watchTechstore', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('leaves an empty lake alone, catches up at start, then reruns when raw/ changes', async () => {
    const [lakeDir, data] = [await mkdtemp(join(testLakeRoot(), 'techstore-watch-')), await mkdtemp(join(testLakeRoot(), 'techstore-watch-data-'))];
    dirs.push(lakeDir, data);
    await generateTechstore({ out: data, scale: 0.002, seed: 'w' });
    // An empty lake is left alone: nothing generated, nothing run.
    const idle = new AbortController();
    const idleRuns = watchTechstore({ lakeDir, intervalMs: 50, durable: false, signal: idle.signal });
    await new Promise((r) => setTimeout(r, 200));
    idle.abort();
    expect(await idleRuns).toBe(0);

    const storage = new LocalStorage(lakeDir, { durable: false });
    for (const t of ['products', 'customers', 'orders', 'order_items']) await uploadTechstoreFile(storage, join(data, `${t}.csv`));
    const controller = new AbortController();
    const results: RunTechstoreResult[] = [];
    const errors: unknown[] = [];
    let waiter: { until: (r: RunTechstoreResult) => boolean; resolve: () => void } | undefined;
    const until = (test: (r: RunTechstoreResult) => boolean) => new Promise<void>((resolve) => (waiter = { until: test, resolve }));
    let ready = until(() => true);
    const watching = watchTechstore({
      lakeDir,
      intervalMs: 50,
      durable: false,
      signal: controller.signal,
      onRun: (r) => {
        results.push(r);
        if (waiter?.until(r)) waiter.resolve();
      },
      onError: (e) => errors.push(e),
    });
    try {
      await ready; // the files already there are picked up at start
      expect(results[0]?.curated.mode).toBe('full');
      expect(results[0]?.answers.thisMonth).toBeDefined();
      expect(results[0]?.answers.funnelMonth).toBeUndefined();

      ready = until((r) => r.answers.funnelMonth !== undefined);
      await uploadTechstoreFile(storage, join(data, 'events.csv'));
      await uploadTechstoreFile(storage, join(data, 'sessions.csv'));
      await ready; // new raw files → a new run, incremental (events_enriched built whole: it had no input before)
      const last = results.at(-1);
      expect(last?.curated.mode).toBe('incremental');
      expect(last?.curated.models.find((m) => m.model === 'events_enriched')?.scope).toBe('all');
      expect(last?.curated.models.map((m) => m.model)).not.toContain('fact_orders_enriched');
    } finally {
      controller.abort();
    }
    expect(await watching).toBe(results.length);
    expect(errors).toEqual([]);
  }, 60_000);

  it('rawFingerprint: a file replaced under the same key changes it; a hanging listing times out, is retried, then fails', async () => {
    const lakeDir = await mkdtemp(join(testLakeRoot(), 'techstore-watch-fp-'));
    dirs.push(lakeDir);
    const storage = new LocalStorage(lakeDir, { durable: false });
    expect(await rawFingerprint(storage)).toEqual({ files: 0, fingerprint: '' });
    await storage.put('raw/orders/b1/orders.csv', 'order_id\n1\n');
    await storage.put('_state/other.json', '{}'); // outside raw/: not watched
    const first = await rawFingerprint(storage);
    expect(first.files).toBe(1);
    expect(await rawFingerprint(storage)).toEqual(first);
    await storage.put('raw/orders/b1/orders.csv', 'order_id\n2\n'); // same key and size, other bytes
    expect((await rawFingerprint(storage)).fingerprint).not.toBe(first.fingerprint);

    let listings = 0;
    const hanging = {
      root: 's3://lake/ts',
      listAll: () => {
        listings++;
        return { [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<never>>(() => undefined) }) };
      },
    } as unknown as Storage;
    const started = Date.now();
    const error = await rawFingerprint(hanging, { timeoutMs: 50, attempts: 3 }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(CoreError);
    expect((error as CoreError)._tag).toBe('Timeout');
    expect((error as Error).message).toContain('listing s3://lake/ts/raw/');
    expect(listings).toBe(3);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
