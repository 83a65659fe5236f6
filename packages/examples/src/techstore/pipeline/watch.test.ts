import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalStorage } from '@lakeblocks/core';
import { generateTechstore } from '../generate/generate.js';
import { testLakeRoot } from '../testing/techstore-lake.js';
import type { RunTechstoreResult } from './run-techstore.js';
import { uploadTechstoreFile } from './upload-data.js';
import { watchTechstore } from './watch.js';

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
});
