import { CoreError } from '../errors/core-error.js';
import type { CostEstimate, CostItem, RunLog } from './run-log.js';

/**
 * Prices and assumptions of {@link awsCostModel}; defaults are us-east-1 list prices (2025).
 *
 * @example
 * ```ts
 * const options: AwsCostModelOptions = { dpus: 2, athenaSteps: ['business-questions'], runsPerMonth: 30 };
 * ```
 */
export interface AwsCostModelOptions {
  /** Glue price per DPU-hour (default 0.44). */
  glueDpuHourUsd?: number;
  /** DPUs per Glue job (default 2, the TechStore setting; 2 G.1X workers). */
  dpus?: number;
  /** Minimum billed seconds per Glue job run (default 60: Glue 2.0+ bills per second, 1 minute minimum). */
  glueMinBilledSeconds?: number;
  /**
   * Steps priced as Glue jobs. Default: every step not listed in `athenaSteps` (so, with neither
   * list given, every step that ran).
   */
  glueSteps?: readonly string[];
  /** Steps priced as Athena queries, by the bytes they report as `bytesRead` (default none). */
  athenaSteps?: readonly string[];
  /** Athena price per TB (2^40 bytes) scanned (default 5). */
  athenaUsdPerTbScanned?: number;
  /** Athena minimum billed bytes per step (default 10 MB; Athena bills at least 10 MB per query). */
  athenaMinBytes?: number;
  /** S3 Standard price per GB-month (default 0.023). */
  s3UsdPerGbMonth?: number;
  /** S3 PUT price per 1000 requests (default 0.005). */
  s3PutUsdPer1000?: number;
  /** Runs per month for `monthlyProjection` (default 30, a daily pipeline). */
  runsPerMonth?: number;
}

const GB = 2 ** 30;
const TB = 2 ** 40;
const MB = 2 ** 20;

/**
 * A cost estimator for a pipeline's `estimateCost` hook, pricing a run as if it ran on AWS the way
 * the TechStore lake did (Glue jobs, Athena queries, S3). It is an **estimate** from the run log
 * alone, not a bill. It assumes:
 * - each Glue step is one job run of `dpus` DPUs billed for its wall-clock duration (failed steps
 *   included, skipped ones not), at least `glueMinBilledSeconds`; crawlers, the Data Catalog and
 *   data transfer are not priced;
 * - each Athena step scans its `bytesRead` (at least `athenaMinBytes`);
 * - S3 storage prices one month of keeping the bytes the run wrote (`bytesWritten`), and S3
 *   requests one PUT per file written (`files`); GETs and LISTs are ignored;
 * - `monthlyProjection` is `total × runsPerMonth`, as if every run of the month were like this one.
 *
 * @example
 * ```ts
 * const pipeline = definePipeline({
 *   name: 'techstore',
 *   storage,
 *   steps,
 *   estimateCost: awsCostModel({ dpus: 2, athenaSteps: ['business-questions'] }),
 * });
 * const log = await pipeline.run();
 * console.log(log.costEstimate?.total, log.costEstimate?.monthlyProjection);
 * ```
 */
export function awsCostModel(options: AwsCostModelOptions = {}): (log: RunLog) => CostEstimate {
  const glueDpuHourUsd = nonNegative('glueDpuHourUsd', options.glueDpuHourUsd ?? 0.44);
  const dpus = nonNegative('dpus', options.dpus ?? 2);
  const minSeconds = nonNegative('glueMinBilledSeconds', options.glueMinBilledSeconds ?? 60);
  const athenaUsdPerTb = nonNegative('athenaUsdPerTbScanned', options.athenaUsdPerTbScanned ?? 5);
  const athenaMinBytes = nonNegative('athenaMinBytes', options.athenaMinBytes ?? 10 * MB);
  const s3UsdPerGbMonth = nonNegative('s3UsdPerGbMonth', options.s3UsdPerGbMonth ?? 0.023);
  const s3PutUsdPer1000 = nonNegative('s3PutUsdPer1000', options.s3PutUsdPer1000 ?? 0.005);
  const runsPerMonth = nonNegative('runsPerMonth', options.runsPerMonth ?? 30);
  const athena = new Set(options.athenaSteps ?? []);
  const glue = options.glueSteps === undefined ? undefined : new Set(options.glueSteps);
  const isGlue = (name: string) => (glue === undefined ? !athena.has(name) : glue.has(name));

  return (log) => {
    const items: CostItem[] = [];
    for (const step of log.steps) {
      if (step.durationMs === undefined) continue;
      if (isGlue(step.name)) {
        const seconds = Math.max(step.durationMs / 1000, minSeconds);
        items.push({
          name: `glue:${step.name}`,
          amount: round((dpus * seconds * glueDpuHourUsd) / 3600),
          detail: `${dpus} DPU × ${seconds.toFixed(1)} s billed (min ${minSeconds} s) × USD ${glueDpuHourUsd}/DPU-hour`,
        });
      }
      if (athena.has(step.name)) {
        const bytes = Math.max(step.bytesRead, athenaMinBytes);
        items.push({
          name: `athena:${step.name}`,
          amount: round((bytes / TB) * athenaUsdPerTb),
          detail: `${formatBytes(bytes)} scanned (min ${formatBytes(athenaMinBytes)}) × USD ${athenaUsdPerTb}/TB`,
        });
      }
    }
    items.push({
      name: 's3:storage',
      amount: round((log.totals.bytesWritten / GB) * s3UsdPerGbMonth),
      detail: `${formatBytes(log.totals.bytesWritten)} written, kept one month × USD ${s3UsdPerGbMonth}/GB-month`,
    });
    items.push({
      name: 's3:put-requests',
      amount: round((log.totals.files / 1000) * s3PutUsdPer1000),
      detail: `${log.totals.files} PUT × USD ${s3PutUsdPer1000}/1000 requests`,
    });
    const total = round(items.reduce((sum, item) => sum + item.amount, 0));
    return {
      currency: 'USD',
      total,
      items,
      monthlyProjection: round(total * runsPerMonth),
      assumptions: [
        `Glue steps: one job run each of ${dpus} DPU, billed wall-clock duration, min ${minSeconds} s; crawlers and catalog not priced`,
        `Athena steps: bytesRead scanned, min ${formatBytes(athenaMinBytes)} per step`,
        'S3: one month of storage for bytes written, one PUT per file; GET/LIST and transfer ignored',
        `monthlyProjection = total × ${runsPerMonth} runs`,
      ],
    };
  };
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new CoreError('InvalidArgument', `awsCostModel: ${name} must be a finite number >= 0, got ${value}`);
  }
  return value;
}

function round(amount: number): number {
  return Math.round(amount * 1e6) / 1e6;
}

function formatBytes(bytes: number): string {
  if (bytes >= GB) return `${(bytes / GB).toFixed(2)} GB`;
  if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`;
  return `${bytes} B`;
}
