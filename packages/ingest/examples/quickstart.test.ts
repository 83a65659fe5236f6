import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { quickstart } from './quickstart.js';

it('runs the README quickstart end to end on a temp directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lakeblocks-ingest-quickstart-'));
  try {
    const lines = await quickstart(dir);
    expect(lines).toEqual([
      'uploaded raw/cards/2025-12/cards_data.csv (4 rows)',
      expect.stringMatching(/^refused: Refused cards_latin1\.csv: Not valid UTF-8: .*0xE9.* at byte offset 65, line 2/),
      'first run: 4 in, 2 out, 2 rejected → rejects/cards/example-run.csv',
      'processed/cards/year=2002/month=10/part-<source>-00000.parquet',
      'processed/cards/year=2002/month=9/part-<source>-00000.parquet',
      'second run: no new raw objects for cards (1 already consumed, bookmark version 1): nothing written',
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
