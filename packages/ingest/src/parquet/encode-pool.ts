/**
 * A pool of worker threads running `parquet-wasm`: Arrow IPC stream in, Parquet bytes out, both
 * transferred (not copied). It lets the dataset writer encode partitions on other cores while the
 * main thread keeps parsing CSV. The worker is inline code (no separate file to ship or resolve);
 * it loads the same `parquet-wasm` build the main thread resolves.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { IngestError } from '../errors/ingest-error.js';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const wasm = require(workerData.parquetWasm);
parentPort.on('message', ({ id, ipc, rowGroupSize, createdBy, plainColumns }) => {
  try {
    let builder = new wasm.WriterPropertiesBuilder().setCompression(wasm.Compression.SNAPPY).setMaxRowGroupSize(rowGroupSize).setCreatedBy(createdBy);
    for (const name of plainColumns) builder = builder.setColumnDictionaryEnabled(name, false);
    const props = builder.build();
    const bytes = wasm.writeParquet(wasm.Table.fromIPCStream(ipc), props);
    parentPort.postMessage({ id, bytes }, [bytes.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message ? error.message : error) });
  }
});
`;

function parquetWasmPath(): string {
  // CJS build: `__filename`; ESM (and tsx): `import.meta.url`. (Not `require`: bundlers shim it in ESM.)
  return createRequire(typeof __filename === 'string' ? __filename : import.meta.url).resolve('parquet-wasm');
}

interface Pending {
  resolve: (bytes: Uint8Array) => void;
  reject: (error: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  busy: number;
}

/**
 * Worker threads encoding Arrow IPC streams to Parquet with `parquet-wasm` (snappy).
 *
 * @example
 * ```ts
 * const pool = new ParquetEncodePool(1);
 * const bytes = await pool.encode(tableToIPC(table, 'stream'), 122_880);
 * await pool.close();
 * ```
 */
export class ParquetEncodePool {
  readonly #workers: PoolWorker[] = [];
  readonly #pending = new Map<number, Pending & { slot: PoolWorker }>();
  #nextId = 0;
  #failure: Error | undefined;

  constructor(size: number) {
    const parquetWasm = parquetWasmPath();
    for (let i = 0; i < size; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { parquetWasm } });
      const slot: PoolWorker = { worker, busy: 0 };
      worker.on('message', (m: { id: number; bytes?: Uint8Array; error?: string }) => {
        const p = this.#pending.get(m.id);
        if (p === undefined) return;
        this.#pending.delete(m.id);
        // Keep the process alive only while a worker has work (an idle pool never holds it open).
        if (--slot.busy === 0) worker.unref();
        if (m.error !== undefined || m.bytes === undefined) p.reject(new Error(m.error ?? 'no output'));
        else p.resolve(new Uint8Array(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength));
      });
      worker.on('error', (error) => this.#fail(error));
      worker.on('exit', (code) => {
        if (code !== 0) this.#fail(new Error(`Parquet encode worker exited with code ${code}`));
      });
      worker.unref();
      this.#workers.push(slot);
    }
  }

  /**
   * Encodes one file on the least busy worker, as `parquetWasmEncoder` does (`plainColumns`: written
   * without dictionary). The IPC buffer is transferred (unusable afterwards).
   */
  encode(ipc: Uint8Array, rowGroupSize: number, plainColumns: readonly string[] = [], createdBy = 'lakeblocks ingest (parquet-wasm)'): Promise<Uint8Array> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    let slot = this.#workers[0]!;
    for (const w of this.#workers) if (w.busy < slot.busy) slot = w;
    const id = this.#nextId++;
    if (slot.busy++ === 0) slot.worker.ref();
    return new Promise<Uint8Array>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, slot });
      const transfer = ipc.byteOffset === 0 && ipc.byteLength === ipc.buffer.byteLength ? [ipc.buffer as ArrayBuffer] : [];
      slot.worker.postMessage({ id, ipc, rowGroupSize, createdBy, plainColumns }, transfer);
    });
  }

  /** Encodes waiting in the pool. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /** Stops the workers; encodes still pending fail. */
  async close(): Promise<void> {
    this.#fail(new IngestError('InvalidArgument', 'The Parquet encode pool was closed'));
    await Promise.all(this.#workers.map((w) => w.worker.terminate()));
    this.#workers.length = 0;
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const [id, p] of this.#pending) {
      this.#pending.delete(id);
      p.reject(error);
    }
  }
}
