/**
 * Near-real-time Nequi: a micro-batch of transactions (a small `transactions_data.csv`, e.g. the
 * last minute of a stream) dropped into `raw/transactions/<batch>/` through ingest's validated
 * upload, then the *same* incremental pipeline as the daily run: the ingest bookmarks pick up only
 * the new file, the curated build rebuilds only the months it touches plus the per-client models.
 *
 * @module
 */
import { LocalStorage, type RunLog } from '@lakeblocks/core';
import { uploadStream } from '@lakeblocks/ingest';
import { nequiCleaning } from '../cleaning.js';
import { nequiPipeline, type NequiPipelineOptions } from './nequi-pipeline.js';
import { NEQUI_SOURCE_FILES } from './upload-sources.js';

/**
 * What one micro-batch took: from the drop into raw/ to curated committed.
 *
 * @example
 * ```ts
 * const r: MicroBatchResult = { batch: 'mb-000001', rows: 1000, uploadMs: 12, runMs: 850, latencyMs: 862, runLog };
 * ```
 */
export interface MicroBatchResult {
  batch: string;
  /** Rows in the dropped file. */
  rows: number;
  /** Validated copy into raw/. */
  uploadMs: number;
  /** raw → processed → curated (the pipeline run, without upload). */
  runMs: number;
  /** `uploadMs + runMs`: the file's data is queryable in curated/ after this long. */
  latencyMs: number;
  runLog: RunLog;
}

/**
 * Drops `csv` (header + transaction rows, the source format) into `raw/transactions/<batch>/` and
 * runs the pipeline over what is new. The HTML report is skipped unless `report: true`.
 *
 * @example
 * ```ts
 * const r = await runNequiMicroBatch({ lakeDir: './.lake/nequi', batch: 'mb-000001', csv: Buffer.from(text) });
 * console.log(r.latencyMs, r.runLog.steps.find((s) => s.name === 'curated')?.output);
 * ```
 */
export async function runNequiMicroBatch(
  options: { lakeDir: string; batch: string; csv: Uint8Array } & Pick<NequiPipelineOptions, 'threads' | 'memoryLimit' | 'durable' | 'report' | 'deadlineMs'>,
): Promise<MicroBatchResult> {
  const started = performance.now();
  const storage = new LocalStorage(options.lakeDir, { durable: options.durable ?? true });
  const upload = await uploadStream(
    storage,
    NEQUI_SOURCE_FILES.transactions,
    (async function* () {
      yield options.csv;
    })(),
    { tables: nequiCleaning, batch: options.batch },
  );
  const uploaded = performance.now();
  const runLog = await nequiPipeline({
    lakeDir: options.lakeDir,
    report: options.report ?? false,
    ...(options.durable === undefined ? {} : { durable: options.durable }),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.memoryLimit === undefined ? {} : { memoryLimit: options.memoryLimit }),
    ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
  }).run({ runId: options.batch });
  const ended = performance.now();
  return { batch: options.batch, rows: upload.rows, uploadMs: uploaded - started, runMs: ended - uploaded, latencyMs: ended - started, runLog };
}

/**
 * Splits a transactions CSV text into a header-carrying base part of `baseRows` rows and
 * micro-batches of `batchRows` rows (the bench's and tests' way to replay a stream).
 *
 * @example
 * ```ts
 * const { base, batches } = splitTransactions(csv, 10_000, 1_000);
 * ```
 */
export function splitTransactions(csv: string, baseRows: number, batchRows: number): { base: string; batches: string[] } {
  const lines = csv.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const [header, ...rows] = lines;
  if (header === undefined) throw new Error('empty transactions CSV');
  const part = (from: number, to: number) => `${[header, ...rows.slice(from, to)].join('\n')}\n`;
  const batches: string[] = [];
  for (let i = baseRows; i < rows.length; i += batchRows) batches.push(part(i, Math.min(i + batchRows, rows.length)));
  return { base: part(0, Math.min(baseRows, rows.length)), batches };
}
