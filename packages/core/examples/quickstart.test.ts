import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { quickstart } from './quickstart.js';

it('runs the README quickstart end to end on a temp directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lakeblocks-quickstart-'));
  try {
    const lines = await quickstart(dir);
    expect(lines[0]).toBe('CREATE TABLE IF NOT EXISTS `orders` (');
    expect(lines[1]).toContain('CREATE EXTERNAL TABLE IF NOT EXISTS `techstore`.`orders`');
    expect(lines[2]).toBe('processed/orders/year=2025/month=1/day=31/part-0.parquet');
    expect(lines[3]).toBe('processed/orders/year=2025/month=1/day=31/ (1 file)');
    expect(lines[4]).toBe('first run: {"newFiles":1}, second run: {"newFiles":0}');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
