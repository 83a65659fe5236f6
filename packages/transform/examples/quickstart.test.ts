import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { quickstart } from './quickstart.js';

it('runs the README quickstart end to end on a temp lake', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lakeblocks-transform-quickstart-'));
  try {
    expect(await quickstart(dir)).toEqual([
      'orders_by_month: 3 rows → year=2025/month=1, year=2025/month=2',
      'revenue_monthly: 2 rows → (table)',
      '2025-1: 85.72 USD from 1 customers',
      '2025-2: 114.28 USD from 2 customers',
      'CREATE TABLE "shop"."revenue_monthly"',
      'portable: true',
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
