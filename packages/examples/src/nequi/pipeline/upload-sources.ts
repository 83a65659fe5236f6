/**
 * Uploads the four Nequi source files of a directory into the lake's `raw/<table>/<batch>/`, through
 * ingest's validated upload: `users_data.csv` and `transactions_data.csv` as they are,
 * `cards_data.csv` without its `cvv` column (dropped while streaming: the CVV never enters the
 * lake, not even raw/), and `mcc_codes.json` converted to `mcc_codes.csv`.
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Storage } from '@lakeblocks/core';
import { uploadStream, type UploadResult } from '@lakeblocks/ingest';
import { nequiCleaning } from '../cleaning.js';
import { dropCsvColumns } from '../raw/drop-csv-columns.js';
import { mccCodesToCsv } from '../raw/mcc-codes-csv.js';

/**
 * Source file names, as in the original dataset.
 *
 * @example
 * ```ts
 * NEQUI_SOURCE_FILES.cards; // 'cards_data.csv'
 * ```
 */
export const NEQUI_SOURCE_FILES = {
  users: 'users_data.csv',
  cards: 'cards_data.csv',
  transactions: 'transactions_data.csv',
  mccCodes: 'mcc_codes.json',
} as const;

/**
 * Uploads the sources found in `dataDir` (see the module description); returns one result per file.
 * Missing files fail first (nothing is uploaded); refusals are ingest `UploadRefused` errors naming
 * the file and the reason.
 *
 * @example
 * ```ts
 * const results = await uploadNequiSources(new LocalStorage('./.lake'), './data/nequi', { batch: '2026-01' });
 * results.map((r) => r.key); // ['raw/users/2026-01/users_data.csv', …]
 * ```
 */
export async function uploadNequiSources(storage: Storage, dataDir: string, options: { batch: string; signal?: AbortSignal }): Promise<UploadResult[]> {
  // Check every source first: a missing one fails before anything reaches raw/ (and before a read
  // stream could emit its ENOENT with no reader attached).
  const missing: string[] = [];
  for (const name of Object.values(NEQUI_SOURCE_FILES)) await access(join(dataDir, name)).catch(() => missing.push(name));
  if (missing.length > 0) throw new Error(`Missing Nequi source file(s) in ${dataDir}: ${missing.join(', ')} (generate them with \`pnpm nequi generate --out ${dataDir}\`)`);
  const common = { tables: nequiCleaning, batch: options.batch, ...(options.signal ? { signal: options.signal } : {}) };
  const results: UploadResult[] = [];
  results.push(await uploadStream(storage, NEQUI_SOURCE_FILES.users, createReadStream(join(dataDir, NEQUI_SOURCE_FILES.users)), common));
  results.push(await uploadStream(storage, NEQUI_SOURCE_FILES.cards, dropCsvColumns(createReadStream(join(dataDir, NEQUI_SOURCE_FILES.cards)), ['cvv']), common));
  const mcc = JSON.parse(await readFile(join(dataDir, NEQUI_SOURCE_FILES.mccCodes), 'utf8')) as Record<string, string>;
  results.push(await uploadStream(storage, 'mcc_codes.csv', (async function* () {
    yield Buffer.from(mccCodesToCsv(mcc));
  })(), common));
  results.push(await uploadStream(storage, NEQUI_SOURCE_FILES.transactions, createReadStream(join(dataDir, NEQUI_SOURCE_FILES.transactions)), common));
  return results;
}
