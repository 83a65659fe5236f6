/**
 * Uploading TechStore CSVs into `raw/`, idempotently: a file's batch folder is a digest of its
 * bytes, so uploading the same file again finds it already there and writes nothing.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { lakeLayout, type Storage } from '@lakeblocks/core';
import { tableForFileName, uploadFile, type UploadResult } from '@lakeblocks/ingest';
import { techstoreTables } from '../tables.js';
import { techstoreCleaning } from './cleaning.js';

/**
 * What happened to one file.
 *
 * @example
 * ```ts
 * const r: UploadedFile = { file: 'orders.csv', table: 'orders', key: 'raw/orders/3f2a…/orders.csv', status: 'uploaded', rows: 33580, bytes: 2323241 };
 * ```
 */
export interface UploadedFile {
  file: string;
  table: string;
  key: string;
  /** `present`: the same bytes were already in raw/ (nothing written). */
  status: 'uploaded' | 'present';
  /** Data rows (uploaded files only). */
  rows: number;
  bytes: number;
}

/**
 * The first 16 hex digits of a file's SHA-256.
 *
 * @example
 * ```ts
 * await fileDigest('orders.csv'); // '3f2a9c0e1b7d4a55'
 * ```
 */
export async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Validates and copies one CSV into `raw/<table>/<batch>/<name>` (batch: `options.batch`, else the
 * file's digest). A refusal is an `IngestError` `UploadRefused` naming the file and the reason.
 * With a digest batch, an existing key holds the same bytes: nothing is written (`present`). With
 * an explicit batch, an existing object is compared byte for byte: the same bytes are `present`,
 * other bytes replace it (`uploaded`), so the next run reprocesses the corrected file.
 *
 * @example
 * ```ts
 * const r = await uploadTechstoreFile(storage, './data/orders.csv');
 * ```
 */
export async function uploadTechstoreFile(storage: Storage, path: string, options: { batch?: string; signal?: AbortSignal } = {}): Promise<UploadedFile> {
  const name = basename(path);
  const table = tableForFileName(name, techstoreTables);
  // An unreadable file gets no digest: uploadFile refuses it below with its own message.
  const digest = await fileDigest(path).catch(() => 'unreadable');
  const batch = options.batch ?? digest;
  if (table && batch !== 'unreadable' && digest !== 'unreadable') {
    const key = lakeLayout.rawFile(table.name, batch, name);
    const existing = await storage.stat(key);
    const same = existing !== undefined && (options.batch === undefined || (existing.size === (await stat(path)).size && (await objectDigest(storage, key)) === digest));
    if (existing && same) return { file: path, table: table.name, key, status: 'present', rows: 0, bytes: existing.size };
  }
  const result: UploadResult = await uploadFile(storage, path, { tables: techstoreCleaning, batch, ...(options.signal ? { signal: options.signal } : {}) });
  return { file: path, table: result.table, key: result.key, status: 'uploaded', rows: result.rows, bytes: result.bytes };
}

/** The first 16 hex digits of a stored object's SHA-256. */
async function objectDigest(storage: Storage, key: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of await storage.getStream(key)) hash.update(chunk as Buffer);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Whether `raw/<table>/` holds at least one object.
 *
 * @example
 * ```ts
 * if (!(await hasRawTable(storage, 'events'))) console.log('no events yet');
 * ```
 */
export async function hasRawTable(storage: Storage, table: string): Promise<boolean> {
  const page = await storage.list(lakeLayout.tablePrefix('raw', table), { pageSize: 1 });
  return page.objects.length > 0;
}
