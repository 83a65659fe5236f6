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
 * One source file's upload: `uploaded` copied it into raw/ (new, or replacing an earlier version of
 * the same source), `present` found the same source bytes already there and wrote nothing.
 *
 * @example
 * ```ts
 * const r: NequiUpload = { table: 'users', key: 'raw/users/source/users_data.csv', bytes: 0, rows: 0, status: 'present' };
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
 * The batch the Nequi sources land in by default. The four files are full snapshots (every user,
 * card and transaction), not increments: a new version of a file replaces the earlier one at the
 * same key, so raw → processed reprocesses it and replaces that source's processed files (never
 * appending a second copy of the rows), and curated rebuilds what they feed.
 *
 * @example
 * ```ts
 * lakeLayout.rawFile('users', NEQUI_SOURCE_BATCH, 'users_data.csv'); // 'raw/users/source/users_data.csv'
 * ```
 */
export const NEQUI_SOURCE_BATCH = 'source';

/** Where the SHA-256 of each uploaded source file is kept, to know an unchanged file without reading the lake's copy. */
const SOURCES_STATE = '_state/nequi/sources.json';

/**
 * The SHA-256 (hex) of a file's bytes.
 *
 * @example
 * ```ts
 * await sourceDigest('./data/nequi/users_data.csv'); // '3f2a9c0e…'
 * ```
 */
export async function sourceDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Uploads the sources found in `dataDir` (see the module description); returns one result per file.
 * Missing files fail first (nothing is uploaded); refusals are ingest `UploadRefused` errors naming
 * the file and the reason. Without `batch`, files go to {@link NEQUI_SOURCE_BATCH}: a file whose
 * bytes equal those of the last upload (SHA-256 kept in `_state/nequi/sources.json`) and whose
 * object is still there is skipped as `present`; a changed file replaces its earlier version. With an
 * explicit batch (an increment, e.g. a daily file) every file is copied.
 *
 * @example
 * ```ts
 * const results = await uploadNequiSources(new LocalStorage('./.lake'), './data/nequi');
 * results.map((r) => r.status); // ['present', 'present', 'present', 'uploaded']: only transactions changed
 * ```
 */
export async function uploadNequiSources(storage: Storage, dataDir: string, options: { batch?: string; signal?: AbortSignal } = {}): Promise<NequiUpload[]> {
  // Check every source first: a missing one fails before anything reaches raw/ (and before a read
  // stream could emit its ENOENT with no reader attached).
  const missing: string[] = [];
  for (const name of Object.values(NEQUI_SOURCE_FILES)) await access(join(dataDir, name)).catch(() => missing.push(name));
  if (missing.length > 0) throw new Error(`Missing Nequi source file(s) in ${dataDir}: ${missing.join(', ')} (generate them with \`pnpm nequi generate --out ${dataDir}\`)`);
  const batch = options.batch ?? NEQUI_SOURCE_BATCH;
  const snapshot = options.batch === undefined;
  const digests: Record<string, string> = snapshot && (await storage.exists(SOURCES_STATE)) ? (JSON.parse(Buffer.from(await storage.get(SOURCES_STATE)).toString('utf8')) as Record<string, string>) : {};
  const common = { tables: nequiCleaning, batch, ...(options.signal ? { signal: options.signal } : {}) };
  const results: NequiUpload[] = [];
  const upload = async (table: string, name: string, source: string, body: () => AsyncIterable<Uint8Array>) => {
    const key = lakeLayout.rawFile(table, batch, name);
    const digest = snapshot ? await sourceDigest(source) : undefined;
    if (digest !== undefined && digests[key] === digest && (await storage.exists(key))) {
      results.push({ table, key, bytes: 0, rows: 0, status: 'present' });
      return;
    }
    const r: UploadResult = await uploadStream(storage, name, body(), common);
    results.push({ table: r.table, key: r.key, bytes: r.bytes, rows: r.rows, status: 'uploaded' });
    if (digest !== undefined) {
      // Recorded after the object landed: a crash in between uploads the same bytes again next time,
      // which reprocesses them into the same (deterministically named) processed files.
      digests[key] = digest;
      await storage.put(SOURCES_STATE, JSON.stringify(digests, null, 2));
    }
  };
  const path = (name: string) => join(dataDir, name);
  await upload('users', NEQUI_SOURCE_FILES.users, path(NEQUI_SOURCE_FILES.users), () => createReadStream(path(NEQUI_SOURCE_FILES.users)));
  await upload('cards', NEQUI_SOURCE_FILES.cards, path(NEQUI_SOURCE_FILES.cards), () => dropCsvColumns(createReadStream(path(NEQUI_SOURCE_FILES.cards)), ['cvv']));
  const mcc = JSON.parse(await readFile(path(NEQUI_SOURCE_FILES.mccCodes), 'utf8')) as Record<string, string>;
  await upload('mcc_codes', 'mcc_codes.csv', path(NEQUI_SOURCE_FILES.mccCodes), () =>
    (async function* () {
      yield Buffer.from(mccCodesToCsv(mcc));
    })(),
  );
  await upload('transactions', NEQUI_SOURCE_FILES.transactions, path(NEQUI_SOURCE_FILES.transactions), () => createReadStream(path(NEQUI_SOURCE_FILES.transactions)));
  return results;
}
