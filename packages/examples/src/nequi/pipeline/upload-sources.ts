/**
 * Uploads the four Nequi source files of a directory into the lake's `raw/<table>/<batch>/`, through
 * ingest's validated upload: `users_data.csv` and `transactions_data.csv` as they are,
 * `cards_data.csv` without its `cvv` column (dropped while streaming: the CVV never enters the
 * lake, not even raw/), and `mcc_codes.json` converted to `mcc_codes.csv`.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lakeLayout, type Storage } from '@lakeblocks/core';
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
 * One source file's upload: `uploaded` copied it into raw/, `present` found the same bytes already
 * there (same content-addressed batch) and wrote nothing.
 *
 * @example
 * ```ts
 * const r: NequiUpload = { table: 'users', key: 'raw/users/src-3f2a9c0e1b7d4a55/users_data.csv', bytes: 0, rows: 0, status: 'present' };
 * ```
 */
export interface NequiUpload {
  table: string;
  key: string;
  /** Bytes written (0 when `present`). */
  bytes: number;
  /** Data rows written (0 when `present`). */
  rows: number;
  status: 'uploaded' | 'present';
}

/**
 * The default batch of a set of sources: `src-` and the first 16 hex digits of the SHA-256 over the
 * four files' bytes, so the same sources always land in the same batch and a rerun of
 * `nequi run --data DIR` with unchanged files uploads (and ingests) nothing twice.
 *
 * @example
 * ```ts
 * await nequiSourcesBatch('./data/nequi'); // 'src-3f2a9c0e1b7d4a55'
 * ```
 */
export async function nequiSourcesBatch(dataDir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const name of Object.values(NEQUI_SOURCE_FILES)) {
    hash.update(`${name}\n`);
    for await (const chunk of createReadStream(join(dataDir, name), { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  }
  return `src-${hash.digest('hex').slice(0, 16)}`;
}

/**
 * Uploads the sources found in `dataDir` (see the module description); returns one result per file.
 * Missing files fail first (nothing is uploaded); refusals are ingest `UploadRefused` errors naming
 * the file and the reason. Without `batch`, the batch is {@link nequiSourcesBatch}: a file whose key
 * already exists there holds the same source bytes (uploads publish a key only once complete) and
 * is skipped as `present`. With an explicit batch every file is copied (replacing what is there).
 *
 * @example
 * ```ts
 * const results = await uploadNequiSources(new LocalStorage('./.lake'), './data/nequi', { batch: '2026-01' });
 * results.map((r) => r.key); // ['raw/users/2026-01/users_data.csv', …]
 * ```
 */
export async function uploadNequiSources(storage: Storage, dataDir: string, options: { batch?: string; signal?: AbortSignal } = {}): Promise<NequiUpload[]> {
  // Check every source first: a missing one fails before anything reaches raw/ (and before a read
  // stream could emit its ENOENT with no reader attached).
  const missing: string[] = [];
  for (const name of Object.values(NEQUI_SOURCE_FILES)) await access(join(dataDir, name)).catch(() => missing.push(name));
  if (missing.length > 0) throw new Error(`Missing Nequi source file(s) in ${dataDir}: ${missing.join(', ')} (generate them with \`pnpm nequi generate --out ${dataDir}\`)`);
  const batch = options.batch ?? (await nequiSourcesBatch(dataDir));
  const skipPresent = options.batch === undefined;
  const common = { tables: nequiCleaning, batch, ...(options.signal ? { signal: options.signal } : {}) };
  const results: NequiUpload[] = [];
  const upload = async (table: string, name: string, body: () => AsyncIterable<Uint8Array>) => {
    const key = lakeLayout.rawFile(table, batch, name);
    if (skipPresent && (await storage.stat(key)) !== undefined) {
      results.push({ table, key, bytes: 0, rows: 0, status: 'present' });
      return;
    }
    const r: UploadResult = await uploadStream(storage, name, body(), common);
    results.push({ table: r.table, key: r.key, bytes: r.bytes, rows: r.rows, status: 'uploaded' });
  };
  await upload('users', NEQUI_SOURCE_FILES.users, () => createReadStream(join(dataDir, NEQUI_SOURCE_FILES.users)));
  await upload('cards', NEQUI_SOURCE_FILES.cards, () => dropCsvColumns(createReadStream(join(dataDir, NEQUI_SOURCE_FILES.cards)), ['cvv']));
  const mcc = JSON.parse(await readFile(join(dataDir, NEQUI_SOURCE_FILES.mccCodes), 'utf8')) as Record<string, string>;
  await upload('mcc_codes', 'mcc_codes.csv', () =>
    (async function* () {
      yield Buffer.from(mccCodesToCsv(mcc));
    })(),
  );
  await upload('transactions', NEQUI_SOURCE_FILES.transactions, () => createReadStream(join(dataDir, NEQUI_SOURCE_FILES.transactions)));
  return results;
}
