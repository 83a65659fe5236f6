/**
 * Streaming CSV output (buffered lines, backpressure honoured) and input (records by header name,
 * parsed with ingest's RFC 4180 tokenizer) for the generator.
 *
 * @module
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { CsvTokenizer } from '@lakeblocks/ingest';

const FLUSH_CHARS = 1 << 20;

/**
 * Writes a CSV file line by line without holding it in memory.
 *
 * @example
 * ```ts
 * const out = new CsvFileWriter('/tmp/orders.csv', 'order_id,total_usd');
 * if (out.line('1,85.72')) await out.flush();
 * await out.close();
 * ```
 */
export class CsvFileWriter {
  readonly path: string;
  /** Data lines written so far. */
  rows = 0;
  readonly #stream: WriteStream;
  #buffer = '';

  constructor(path: string, header: string) {
    this.path = path;
    this.#stream = createWriteStream(path);
    this.#buffer = `${header}\n`;
  }

  /** Adds one line; returns `true` when the buffer is full and {@link flush} should be awaited. */
  line(text: string): boolean {
    this.#buffer += `${text}\n`;
    this.rows++;
    return this.#buffer.length >= FLUSH_CHARS;
  }

  /** Hands the buffer to the file, waiting when the stream asks for it. */
  async flush(): Promise<void> {
    if (this.#buffer === '') return;
    const chunk = this.#buffer;
    this.#buffer = '';
    if (!this.#stream.write(chunk)) await once(this.#stream, 'drain');
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    await this.flush();
    this.#stream.end();
    await once(this.#stream, 'finish');
  }
}

/**
 * Reads a CSV file record by record as objects keyed by (lower-cased, trimmed) header names.
 *
 * @example
 * ```ts
 * for await (const row of readCsvRecords('/work/shared/data/techstore/orders.csv')) console.log(row['order_id']);
 * ```
 */
export async function* readCsvRecords(path: string): AsyncGenerator<Record<string, string>> {
  const tokenizer = new CsvTokenizer({ file: path });
  let header: string[] | undefined;
  const toRow = (fields: string[]): Record<string, string> | undefined => {
    if (header === undefined) {
      header = fields.map((f) => f.replace(/^\uFEFF/, '').trim().toLowerCase());
      return undefined;
    }
    const row: Record<string, string> = {};
    header.forEach((name, i) => (row[name] = fields[i] ?? ''));
    return row;
  };
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    for (const record of tokenizer.push(chunk as string)) {
      const row = toRow(record.fields);
      if (row) yield row;
    }
  }
  for (const record of tokenizer.end()) {
    const row = toRow(record.fields);
    if (row) yield row;
  }
}
