/**
 * Version of the run log format written by the pipeline runner.
 *
 * @example
 * ```ts
 * if (log.version !== RUN_LOG_VERSION) throw new Error(`unknown run log version ${log.version}`);
 * ```
 */
export const RUN_LOG_VERSION = 1 as const;

/** A value that survives `JSON.stringify` / `JSON.parse` unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Status of a whole run: `running` while steps execute (a log left in this state means the process
 * died), then `succeeded`, `failed` (a step failed or the deadline passed) or `cancelled` (the
 * caller's `AbortSignal` fired).
 */
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

/** Status of one step; `skipped` means it never started (an earlier step failed, or its `skipIf` said so). */
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'skipped';

/** Counters a step reports with `ctx.count(…)`; all default to 0. */
export interface StepCounters {
  /** Rows the step read. */
  rowsIn: number;
  /** Rows the step wrote. */
  rowsOut: number;
  /** Rows the step sent to rejects. */
  rowsRejected: number;
  /** Bytes the step wrote. */
  bytesWritten: number;
  /** Bytes the step read or scanned (what Athena bills). */
  bytesRead: number;
  /** Files (objects) the step wrote. */
  files: number;
}

/** Sum of every step's {@link StepCounters}. */
export type RunTotals = StepCounters;

/** One structured message logged by a step (`ctx.log.info(…)`) or by the runner. */
export interface LogMessage {
  /** ISO time. */
  at: string;
  level: 'info' | 'warn' | 'error';
  /** Attempt that logged it (0 for messages the runner logs outside an attempt). */
  attempt: number;
  message: string;
  /** JSON snapshot of the data passed with the message. */
  data?: JsonValue;
}

/** An error as recorded in the log. */
export interface LoggedError {
  /** The `CoreError` tag, when the error is one. */
  tag?: string;
  /** The error's `name` (`CoreError`, `TypeError`, …). */
  name: string;
  message: string;
  retryable: boolean;
}

/** Last progress a step reported. */
export interface StepProgress {
  done: number;
  total?: number;
  unit?: string;
}

/** The log of one step. Counters are those of the last attempt (a retried step starts again at 0). */
export interface StepLog extends StepCounters {
  name: string;
  status: StepStatus;
  /** ISO time the step started (absent while pending or when skipped). */
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  /** Attempts started (0 when the step never ran). */
  attempts: number;
  /**
   * Why the step was skipped: its own `skipIf`, an earlier step failed, the deadline passed, or the
   * run was cancelled before it started.
   */
  skipReason?: 'skipIf' | 'earlier-failure' | 'deadline' | 'cancelled';
  progress?: StepProgress;
  /** What the step returned, as JSON. */
  output?: JsonValue;
  /** The error of the last failed attempt. */
  error?: LoggedError;
  /** Messages, the most recent ones when there were more than the runner keeps. */
  messages: LogMessage[];
  /** How many older messages were dropped to keep the log small. */
  messagesDropped?: number;
}

/** Why a run failed. */
export interface RunLogError {
  /** The `CoreError` tag: `StepFailed`, `DeadlineExceeded`, … */
  tag: string;
  message: string;
  /** Step that failed, overran the deadline, or was running when the run was cancelled. */
  step?: string;
  /** Attempt of that step, when it had started. */
  attempt?: number;
}

/** One line of a {@link CostEstimate}. */
export interface CostItem {
  name: string;
  /** Amount in the estimate's currency. */
  amount: number;
  /** How the amount was computed. */
  detail: string;
}

/**
 * A cost estimate recorded in a run log (see `awsCostModel`).
 *
 * @example
 * ```ts
 * const estimate: CostEstimate = { currency: 'USD', total: 0.03, items: [{ name: 'rds', amount: 0.03, detail: '1 h × db.t3.micro' }] };
 * ```
 */
export interface CostEstimate {
  currency: 'USD';
  /** Cost of this run. */
  total: number;
  items: CostItem[];
  /** `total` × runs per month, when the estimator projects one. */
  monthlyProjection?: number;
  /** What the estimate assumes. */
  assumptions?: string[];
}

/**
 * The run log written to `_state/runs/<run-id>.json` at every step transition and at the end of a
 * run (format version 1).
 *
 * @example
 * ```ts
 * const log = JSON.parse(new TextDecoder().decode(await storage.get(runLogKey(runId)))) as RunLog;
 * if (log.status === 'failed') console.error(log.error?.step, log.error?.message);
 * ```
 */
export interface RunLog {
  version: typeof RUN_LOG_VERSION;
  runId: string;
  pipeline: string;
  status: RunStatus;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  /** ISO time the run had to finish by. */
  deadline?: string;
  /** Step running when the log was written (absent once the run ended). */
  currentStep?: string;
  error?: RunLogError;
  steps: StepLog[];
  totals: RunTotals;
  costEstimate?: CostEstimate;
  /** Problems that did not fail the run: log writes, event listeners, the cost estimator, steps ignoring abort. */
  warnings?: string[];
}
