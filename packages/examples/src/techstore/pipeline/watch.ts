/**
 * `watch`: polls the lake's `raw/` prefix and reruns the pipeline whenever its listing changes (a
 * new or replaced raw file: key, ETag or size). The same code watches a local lake (a directory)
 * and an S3 lake (`s3://bucket/prefix`, listing through core's `S3Storage`): on AWS it is the
 * polling alternative to an S3 event → EventBridge trigger. Each listing is bounded by a timeout and
 * retried a few times on retryable errors; a listing that still fails is reported and the next
 * interval tries again. Uploads are atomic (temp file + rename locally, a single PUT on S3), so a
 * run never sees half a file. An empty lake is left alone (no demo data is generated).
 *
 * @module
 */
import { LocalStorage, isRetryable, lakeLayout, retry, sleep, withTimeout, type Storage } from '@lakeblocks/core';
import { techstoreModels } from '../models/index.js';
import { techstoreTables } from '../tables.js';
import { openAwsLake } from './aws/aws-lake.js';
import { resolveAws } from './aws/aws-options.js';
import { runTechstore, type RunTechstoreOptions, type RunTechstoreResult } from './run-techstore.js';

/**
 * Options of {@link watchTechstore}.
 *
 * @example
 * ```ts
 * const options: WatchTechstoreOptions = { lakeDir: './.lake', intervalMs: 5000, signal: controller.signal };
 * ```
 */
export interface WatchTechstoreOptions extends Pick<RunTechstoreOptions, 'lakeDir' | 'aws' | 'durable' | 'onEvent'> {
  /** How often `raw/` is listed, in ms (default 5000). */
  intervalMs?: number;
  /** Bound on one listing of `raw/` (every page), in ms (default 30,000). */
  listTimeoutMs?: number;
  /** Attempts per listing, the first included, retrying timeouts and other retryable errors (default 3). */
  listAttempts?: number;
  /** Stops watching (a run in progress is cancelled). */
  signal: AbortSignal;
  /** Called after each successful run. */
  onRun?: (result: RunTechstoreResult) => void;
  /** Called when a run fails; watching goes on, and the next change triggers a new run. */
  onError?: (error: unknown) => void;
  /** Called when listing `raw/` failed after its retries; watching goes on (default: `onError`). */
  onListError?: (error: unknown) => void;
}

/**
 * The state of `raw/` that decides a rerun: how many files, and a fingerprint of every key with its
 * ETag and size (a replaced file changes its ETag, and its size in most cases).
 *
 * @example
 * ```ts
 * const { files, fingerprint } = await rawFingerprint(new LocalStorage('./.lake'));
 * ```
 */
export interface RawFingerprint {
  files: number;
  fingerprint: string;
}

/**
 * Lists `raw/` through `storage` (every page) within `timeoutMs`, retried up to `attempts` times on
 * retryable errors (a timeout is one) with backoff, and fingerprints it.
 *
 * @example
 * ```ts
 * const before = await rawFingerprint(storage, { timeoutMs: 10_000 });
 * // … later
 * if ((await rawFingerprint(storage)).fingerprint !== before.fingerprint) console.log('raw/ changed');
 * ```
 */
export async function rawFingerprint(storage: Storage, options: { timeoutMs?: number; attempts?: number; signal?: AbortSignal } = {}): Promise<RawFingerprint> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return retry(
    () =>
      withTimeout(
        timeoutMs,
        `listing ${storage.root.replace(/\/+$/, '')}/${lakeLayout.layerPrefix('raw')}`,
        async (signal) => {
          const lines: string[] = [];
          for await (const o of storage.listAll(lakeLayout.layerPrefix('raw'))) {
            signal.throwIfAborted();
            lines.push(`${o.key}\t${o.etag}\t${o.size}`);
          }
          return { files: lines.length, fingerprint: lines.join('\n') };
        },
        options.signal,
      ),
    { attempts: options.attempts ?? 3, baseDelayMs: 200, shouldRetry: (e) => isRetryable(e) && options.signal?.aborted !== true, ...(options.signal ? { signal: options.signal } : {}) },
  );
}

/**
 * Watches until `signal` fires; resolves with the number of runs started. A local `lakeDir` is
 * listed as a directory; an `s3://` one through S3 with `aws` (the same options as
 * {@link runTechstore}, checked before the first listing).
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * process.once('SIGINT', () => controller.abort());
 * await watchTechstore({ lakeDir: './.lake', signal: controller.signal, onRun: (r) => console.log(r.curated.mode) });
 * ```
 */
export async function watchTechstore(options: WatchTechstoreOptions): Promise<number> {
  const resolved = resolveAws(options.lakeDir, options.aws ?? {}, 'athena', process.env);
  // The watcher needs only the lake's storage; each run opens the whole AWS lake itself.
  const lake = resolved ? await openAwsLake({ lake: resolved.lake, region: resolved.region, ...(resolved.endpoint === undefined ? {} : { endpoint: resolved.endpoint }) }, { tables: techstoreTables, models: techstoreModels }) : undefined;
  const storage: Storage = lake ? lake.storage : new LocalStorage(options.lakeDir);
  const interval = options.intervalMs ?? 5000;
  const onListError = options.onListError ?? options.onError;
  let seen: string | undefined;
  let runs = 0;
  try {
    while (!options.signal.aborted) {
      let raw: RawFingerprint | undefined;
      try {
        raw = await rawFingerprint(storage, {
          ...(options.listTimeoutMs === undefined ? {} : { timeoutMs: options.listTimeoutMs }),
          ...(options.listAttempts === undefined ? {} : { attempts: options.listAttempts }),
          signal: options.signal,
        });
      } catch (error) {
        if (options.signal.aborted) break;
        onListError?.(error);
      }
      if (raw && raw.files > 0 && raw.fingerprint !== seen) {
        seen = raw.fingerprint;
        runs++;
        try {
          const result = await runTechstore({
            lakeDir: options.lakeDir,
            signal: options.signal,
            ...(options.aws ? { aws: options.aws } : {}),
            ...(options.durable === undefined ? {} : { durable: options.durable }),
            ...(options.onEvent ? { onEvent: options.onEvent } : {}),
          });
          options.onRun?.(result);
        } catch (error) {
          if (options.signal.aborted) break;
          options.onError?.(error);
        }
      }
      await sleep(interval, options.signal).catch(() => undefined);
    }
  } finally {
    lake?.close();
  }
  return runs;
}
