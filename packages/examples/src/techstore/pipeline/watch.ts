/**
 * `watch`: the local stand-in for the TechStore S3 event → Step Functions trigger. Polls `raw/`
 * and reruns the pipeline whenever its listing changes (a new or replaced raw file). Uploads are
 * atomic (temp file + rename), so a run never sees half a file. An empty lake is left alone (no
 * demo data is generated).
 *
 * @module
 */
import { LocalStorage, lakeLayout, sleep } from '@lakeblocks/core';
import { runTechstore, type RunTechstoreOptions, type RunTechstoreResult } from './run-techstore.js';

/**
 * Options of {@link watchTechstore}.
 *
 * @example
 * ```ts
 * const options: WatchTechstoreOptions = { lakeDir: './.lake', intervalMs: 5000, signal: controller.signal };
 * ```
 */
export interface WatchTechstoreOptions extends Pick<RunTechstoreOptions, 'lakeDir' | 'durable' | 'onEvent'> {
  /** How often `raw/` is listed, in ms (default 5000). */
  intervalMs?: number;
  /** Stops watching (a run in progress is cancelled). */
  signal: AbortSignal;
  /** Called after each successful run. */
  onRun?: (result: RunTechstoreResult) => void;
  /** Called when a run fails; watching goes on, and the next change triggers a new run. */
  onError?: (error: unknown) => void;
}

/**
 * Watches until `signal` fires; resolves with the number of runs started.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * process.once('SIGINT', () => controller.abort());
 * await watchTechstore({ lakeDir: './.lake', signal: controller.signal, onRun: (r) => console.log(r.curated.mode) });
 * ```
 */
export async function watchTechstore(options: WatchTechstoreOptions): Promise<number> {
  const storage = new LocalStorage(options.lakeDir);
  const interval = options.intervalMs ?? 5000;
  let seen: string | undefined;
  let runs = 0;
  while (!options.signal.aborted) {
    const keys: string[] = [];
    for await (const o of storage.listAll(lakeLayout.layerPrefix('raw'))) keys.push(`${o.key}\t${o.etag ?? o.size}`);
    const fingerprint = keys.join('\n');
    if (keys.length > 0 && fingerprint !== seen) {
      seen = fingerprint;
      runs++;
      try {
        const result = await runTechstore({
          lakeDir: options.lakeDir,
          signal: options.signal,
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
  return runs;
}
