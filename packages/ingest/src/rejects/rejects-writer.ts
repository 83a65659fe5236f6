/**
 * Collects rejected rows of one table in one run and publishes them as
 * `rejects/<table>/<run-id>.csv` (header `source_file,line,column,reason,raw_record`). Rows are
 * appended to a local temp file as they come (memory stays flat however many rows are rejected)
 * and published with one atomic `Storage.putStream` by {@link RejectsWriter.publish}.
 *
 * @module
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { createOwnedTempDir, lakeLayout, type Storage } from '@lakeblocks/core';
import { REJECTS_HEADER, rejectLine, type RejectedRow } from './rejected-row.js';

/**
 * See the module description.
 *
 * @example
 * ```ts
 * const rejects = new RejectsWriter(storage, 'orders', runId);
 * readCsvBatches(stream, { cleaning, file, onReject: (r) => rejects.add(r) });
 * const key = await rejects.publish(); // 'rejects/orders/<run-id>.csv', or undefined if nothing was rejected
 * ```
 */
export class RejectsWriter {
  readonly storage: Storage;
  /** Where the file goes: `rejects/<table>/<run-id>.csv`. */
  readonly key: string;
  /** Rows added so far. */
  count = 0;
  #dir: Promise<string> | undefined;
  #out: WriteStream | undefined;
  #path: string | undefined;
  #pending: string[] = [];
  #failed: Error | undefined;

  constructor(storage: Storage, table: string, runId: string) {
    this.storage = storage;
    this.key = lakeLayout.rejectsFile(table, runId);
  }

  /**
   * Adds one rejected row (synchronous; written out in the background).
   *
   * @example
   * ```ts
   * rejects.add({ sourceFile: 'a.csv', line: 3, column: 'id', reason: 'expected int, got "x"', rawRecord: 'x,1' });
   * ```
   */
  add(row: RejectedRow): void {
    this.count++;
    const line = rejectLine(row);
    if (this.#out === undefined) {
      this.#pending.push(line);
      this.#open();
      return;
    }
    this.#out.write(line);
  }

  #open(): void {
    if (this.#dir !== undefined) return;
    this.#dir = createOwnedTempDir('lakeblocks-rejects-');
    this.#dir.then(
      (dir) => {
        this.#path = join(dir, 'rejects.csv');
        this.#out = createWriteStream(this.#path);
        this.#out.on('error', (e) => (this.#failed = e));
        this.#out.write(`${REJECTS_HEADER.join(',')}\r\n`);
        for (const l of this.#pending.splice(0)) this.#out.write(l);
      },
      (e: Error) => (this.#failed = e),
    );
  }

  /**
   * Publishes the rejects file (atomically) and removes the temp file; returns its key, or
   * `undefined` when no row was rejected (nothing is written then).
   *
   * @example
   * ```ts
   * const key = await rejects.publish();
   * ```
   */
  async publish(): Promise<string | undefined> {
    if (this.count === 0) return undefined;
    const dir = await this.#dir!;
    const out = this.#out!;
    out.end();
    await once(out, 'close');
    if (this.#failed) throw this.#failed;
    try {
      await this.storage.putStream(this.key, createReadStream(this.#path!), { contentType: 'text/csv' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return this.key;
  }

  /**
   * Drops the temp file without publishing.
   *
   * @example
   * ```ts
   * await rejects.discard();
   * ```
   */
  async discard(): Promise<void> {
    if (this.#dir === undefined) return;
    const dir = await this.#dir;
    this.#out?.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}
