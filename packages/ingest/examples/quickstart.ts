// Runnable: `pnpm --filter @lakeblocks/ingest example` (or via vitest, see quickstart.test.ts).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalStorage, col, defineTable } from '@lakeblocks/core';
import { IngestError, defineCleaning, runRawToProcessed, uploadFile } from '@lakeblocks/ingest';

// 1. A table, declared once (core), and its cleaning rules (ingest).
export const cards = defineTable({
  name: 'cards',
  columns: {
    id: col.int(),
    client_id: col.int(),
    card_type: col.enum(['Credit', 'Debit', 'Debit (Prepaid)', 'desconocido']),
    credit_limit: col.decimal(12, 2),
    acct_open_date: col.date(),
    has_chip: col.boolean(),
  },
  primaryKey: ['id'],
  partitioning: { kind: 'time', column: 'acct_open_date', granularity: 'month' },
});

export const cardsCleaning = defineCleaning(cards, {
  coerce: { credit_limit: 'money', acct_open_date: 'month-year', has_chip: 'yes-no' },
  defaults: { card_type: 'desconocido' },
  dedupe: 'keep-first',
});

/** Uploads two files (one refused), ingests raw → processed, and returns what happened, line by line. */
export async function quickstart(workDir: string): Promise<string[]> {
  const out: string[] = [];
  const storage = new LocalStorage(join(workDir, 'lake'));

  // 2. Upload: validated, then copied byte for byte to raw/cards/<batch>/<file>.
  const good = join(workDir, 'cards_data.csv');
  await writeFile(
    good,
    'id,client_id,card_type,credit_limit,acct_open_date,has_chip\n' +
      '4524,825,Debit,$24295,09/2002,YES\n' +
      '4525,825,,$1000,10/2002,NO\n' + // card_type missing → 'desconocido'
      '4524,825,Credit,$5,09/2002,NO\n' + // duplicate id → rejects
      '4526,830,Credit,$abc,11/2002,YES\n', // not money → rejects
  );
  const uploaded = await uploadFile(storage, good, { tables: [cardsCleaning], batch: '2025-12' });
  out.push(`uploaded ${uploaded.key} (${uploaded.rows} rows)`);

  const bad = join(workDir, 'cards_latin1.csv');
  await writeFile(bad, Buffer.from('id,client_id,card_type,credit_limit,acct_open_date,has_chip\n1,2,D\xe9bit,$1,01/2020,YES\n', 'latin1'));
  try {
    await uploadFile(storage, bad, { tables: [cardsCleaning], batch: '2025-12' });
  } catch (error) {
    if (!(error instanceof IngestError)) throw error;
    out.push(`refused: ${error.message}`);
  }

  // 3. Raw → processed: typed, cleaned, partitioned Parquet; rejects with line and reason; bookmark.
  const first = await runRawToProcessed({ storage, tables: [cardsCleaning], runId: 'example-run' });
  out.push(`first run: ${first.rowsIn} in, ${first.rowsOut} out, ${first.rowsRejected} rejected → ${first.tables[0]?.rejectsKey}`);
  for await (const obj of storage.listAll('processed/cards/')) out.push(obj.key.replace(/part-[0-9a-f]+-/, 'part-<source>-'));
  const second = await runRawToProcessed({ storage, tables: [cardsCleaning] });
  out.push(`second run: ${second.tables[0]?.message}`);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = await mkdtemp(join(tmpdir(), 'lakeblocks-ingest-example-'));
  for (const line of await quickstart(dir)) console.log(line);
  console.log(`lake: ${join(dir, 'lake')}`);
}
