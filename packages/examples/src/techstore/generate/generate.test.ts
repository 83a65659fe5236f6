import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testLakeRoot } from '../testing/techstore-lake.js';
import { checkTechstoreDataset } from './check-dataset.js';
import { REAL_COUNTS } from './distributions.js';
import { generateTechstore } from './generate.js';

const REAL = join(import.meta.dirname, '../../../../../../shared/data/techstore');
const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(testLakeRoot(), 'techstore-gen-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('generateTechstore', () => {
  it('keeps the invariants and the scaled counts at scale 0.01', async () => {
    const out = await tempDir();
    const result = await generateTechstore({ out, scale: 0.01, seed: 't1' });
    expect(result.tables.map((t) => t.table).sort()).toEqual(['customers', 'events', 'order_items', 'orders', 'products', 'reviews', 'sessions']);
    const check = await checkTechstoreDataset(out);
    expect(check.problems).toEqual([]);
    expect(check.rows).toEqual({ order_items: 592, orders: 336, sessions: 1200, events: 5393 + 1431 + 449 + 336 });
    expect(check.eventTypes).toEqual({ page_view: 5393, add_to_cart: 1431, checkout: 449, purchase: 336 });
    expect(result.tables.find((t) => t.table === 'products')?.rows).toBe(12);
    expect(result.tables.find((t) => t.table === 'reviews')?.rows).toBe(108);
    const events = await readFile(join(out, 'events.csv'), 'utf8');
    expect(events.split('\n')[0]).toBe('event_id,session_id,timestamp,event_type,product_id,qty,cart_size,payment,discount_pct,amount_usd');
    expect(events).toMatch(/^\d+,\d+,20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d,page_view,\d+\.0,,,,,$/m);
    expect(events).toMatch(/^\d+,\d+,[^,]+,purchase,,,,(card|paypal|wallet|cod),(0|5|10|15|20)\.0,\d+\.\d{1,2}$/m);
    // Money as Python floats, quoted review texts, non-ASCII names.
    expect(await readFile(join(out, 'reviews.csv'), 'utf8')).toContain(',"');
    const orders = await readFile(join(out, 'orders.csv'), 'utf8');
    expect(orders).not.toMatch(/\.\d{3}/);
  });

  it('is deterministic: same seed, same bytes; another seed, other bytes', async () => {
    const [a, b, c] = [await tempDir(), await tempDir(), await tempDir()];
    await generateTechstore({ out: a, scale: 0.02, seed: 'same' });
    await generateTechstore({ out: b, scale: 0.02, seed: 'same' });
    await generateTechstore({ out: c, scale: 0.02, seed: 'other' });
    const files = (await readdir(a)).sort();
    expect(files).toHaveLength(7);
    for (const f of files) expect((await readFile(join(b, f))).equals(await readFile(join(a, f))), f).toBe(true);
    expect((await readFile(join(c, 'events.csv'))).equals(await readFile(join(a, 'events.csv')))).toBe(false);
  });

  it('refuses sessions without events and order_items without orders', async () => {
    const given = await tempDir();
    await generateTechstore({ out: given, scale: 0.005, seed: 'x' });
    await rm(join(given, 'events.csv'));
    await expect(generateTechstore({ out: await tempDir(), from: given })).rejects.toThrow(/sessions is given without events/);
    await rm(join(given, 'orders.csv'));
    await expect(generateTechstore({ out: await tempDir(), from: given })).rejects.toThrow(/order_items is given without orders/);
  });

  it.skipIf(!existsSync(join(REAL, 'orders.csv')))('with --from the real data, generates sessions and events whose purchases match the real orders one to one', async () => {
    const out = await tempDir();
    const result = await generateTechstore({ out, from: REAL });
    expect(result.tables.filter((t) => t.generated).map((t) => t.table)).toEqual(['sessions', 'events']);
    expect((await readdir(out)).sort()).toEqual(['events.csv', 'sessions.csv']);
    const check = await checkTechstoreDataset({ orders: REAL, order_items: REAL, sessions: out, events: out });
    expect(check.problems).toEqual([]);
    expect(check.rows).toMatchObject({ orders: REAL_COUNTS.orders, sessions: REAL_COUNTS.sessions, events: REAL_COUNTS.events });
    expect(check.eventTypes).toEqual({ page_view: 539_343, add_to_cart: 143_126, checkout: 44_909, purchase: 33_580 });
  }, 30_000);
});
