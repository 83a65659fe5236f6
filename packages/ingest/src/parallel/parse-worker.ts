/**
 * Worker thread of {@link ingestCsvFile}: reads one byte range of a local CSV file (the header
 * record prepended) with `readCsvBatches`, and posts each batch's column buffers (transferred, not
 * copied) to the main thread, at most `credits` of them and `creditRows` rows unacknowledged (a
 * single batch larger than that goes when nothing is outstanding). Then posts its counters,
 * rejects (lines relative to its own stream) and the line breaks its range holds.
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { Data } from 'apache-arrow';
import { readCsvBatches } from '../csv/read-csv.js';
import { PrimaryKeySet, type SeenKeys } from '../dedupe/primary-key-set.js';
import type { RejectedRow } from '../rejects/rejected-row.js';
import { restoreCleaning } from './portable-cleaning.js';
import type { ParseWorkerInput, WorkerMessage, WireColumn, WireKeys } from './wire.js';

const input = workerData as ParseWorkerInput;
const port = parentPort!;
let credits = input.credits;
let outstandingRows = 0;
let wake: (() => void) | undefined;
port.on('message', (m: { ack: number; rows: number }) => {
  credits += m.ack;
  outstandingRows -= m.rows;
  wake?.();
});

const CR = 0x0d;
const LF = 0x0a;

/** The header bytes, then the range, counting the range's line breaks (LF, CRLF, lone CR). */
async function* source(counter: { breaks: number }): AsyncGenerator<Uint8Array> {
  if (input.header !== undefined) yield input.header;
  let lastCr = false;
  for await (const chunk of createReadStream(input.path, { start: input.start, end: input.end - 1, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let i = chunk.indexOf(LF);
    while (i !== -1) {
      counter.breaks++;
      i = chunk.indexOf(LF, i + 1);
    }
    i = chunk.indexOf(CR);
    while (i !== -1) {
      // A CR not followed by LF is a line break of its own.
      if (i + 1 < chunk.length ? chunk[i + 1] !== LF : false) counter.breaks++;
      i = chunk.indexOf(CR, i + 1);
    }
    if (lastCr && chunk[0] !== LF) counter.breaks++;
    lastCr = chunk[chunk.length - 1] === CR;
    yield chunk;
  }
  if (lastCr) counter.breaks++;
}

function wire(data: Data, transfer: ArrayBuffer[]): WireColumn {
  const add = <A extends ArrayBufferView>(a: A | undefined): A | undefined => {
    if (a !== undefined && a !== null && !transfer.includes(a.buffer as ArrayBuffer)) transfer.push(a.buffer as ArrayBuffer);
    return a ?? undefined;
  };
  return {
    length: data.length,
    nullCount: data.nullCount,
    values: add(data.values as ArrayBufferView | undefined),
    valueOffsets: add(data.valueOffsets as ArrayBufferView | undefined),
    nullBitmap: data.nullCount > 0 ? add(data.nullBitmap) : undefined,
  };
}

/**
 * Keep-first within the range: the keys kept are also recorded, and handed over with the next
 * message, so that the main thread can check that no key was kept by two ranges.
 */
class RecordingKeys implements SeenKeys {
  #set = new PrimaryKeySet();
  #numbers = new Float64Array(4096);
  #count = 0;
  #strings: string[] = [];
  has(key: string | number): boolean {
    return this.#set.has(key);
  }
  add(key: string | number): void {
    this.#set.add(key);
    if (typeof key === 'string') this.#strings.push(key);
    else {
      if (this.#count === this.#numbers.length) {
        const grown = new Float64Array(this.#count * 2);
        grown.set(this.#numbers);
        this.#numbers = grown;
      }
      this.#numbers[this.#count++] = key;
    }
  }
  take(transfer: ArrayBuffer[]): WireKeys {
    const numbers = this.#numbers.slice(0, this.#count);
    transfer.push(numbers.buffer);
    const out = { numbers, strings: this.#strings };
    this.#count = 0;
    this.#strings = [];
    return out;
  }
}

async function main(): Promise<void> {
  const rejects: RejectedRow[] = [];
  const keys = input.dedupe ? new RecordingKeys() : undefined;
  const counter = { breaks: 0 };
  const reader = readCsvBatches(source(counter), {
    cleaning: restoreCleaning(input.cleaning),
    file: input.file,
    groupByPartition: input.groupByPartition,
    onReject: (r) => rejects.push(r),
    ...(keys === undefined ? {} : { seenKeys: keys }),
    ...(input.batchRows === undefined ? {} : { batchRows: input.batchRows }),
    ...(input.maxPendingRows === undefined ? {} : { maxPendingRows: input.maxPendingRows }),
    ...(input.delimiter === undefined ? {} : { delimiter: input.delimiter }),
  });
  for await (const { batch, partition, partitionPath } of reader) {
    while (credits <= 0 || (outstandingRows > 0 && outstandingRows + batch.numRows > input.creditRows)) await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
    credits--;
    outstandingRows += batch.numRows;
    const transfer: ArrayBuffer[] = [];
    const columns = batch.data.children.map((d) => wire(d as Data, transfer));
    const message: WorkerMessage = { kind: 'batch', rows: batch.numRows, columns, partition, partitionPath, keys: keys?.take(transfer) };
    port.postMessage(message, transfer);
  }
  const transfer: ArrayBuffer[] = [];
  const done: WorkerMessage = { kind: 'done', stats: { ...reader.stats }, rejects, breaks: counter.breaks, keys: keys?.take(transfer) };
  port.postMessage(done, transfer);
}

main().catch((error: unknown) => {
  const e = error as { message?: string; _tag?: string; context?: unknown };
  const message: WorkerMessage = { kind: 'error', message: String(e?.message ?? error), tag: e?._tag, context: e?.context };
  port.postMessage(message);
});
