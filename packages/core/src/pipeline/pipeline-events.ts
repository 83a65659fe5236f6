import type { LoggedError, RunLog, RunStatus, StepStatus } from './run-log.js';

/** Fields every step event carries, enough to drive a progress bar (`index + 1` of `count`). */
export interface StepEventBase {
  runId: string;
  pipeline: string;
  /** ISO time of the event. */
  at: string;
  /** Step name. */
  step: string;
  /** 0-based position of the step. */
  index: number;
  /** Number of steps in the pipeline. */
  count: number;
}

/** The run started; `steps` lists the step names in order. */
export interface RunStartEvent {
  type: 'run-start';
  runId: string;
  pipeline: string;
  at: string;
  steps: string[];
  count: number;
  /** ISO deadline, when the run has one. */
  deadline?: string;
  /** Where the run log is written, when the pipeline has storage. */
  logKey?: string;
}

/** A step started its first attempt. */
export interface StepStartEvent extends StepEventBase {
  type: 'step-start';
}

/**
 * A step reported progress (throttled to one event per `progressIntervalMs`, except that a report
 * with `done >= total` is always delivered). `fraction` is `done / total`, capped at 1, when `total` is known.
 */
export interface StepProgressEvent extends StepEventBase {
  type: 'step-progress';
  attempt: number;
  done: number;
  total?: number;
  unit?: string;
  fraction?: number;
}

/** A step attempt failed and will be retried after `delayMs`. */
export interface StepRetryEvent extends StepEventBase {
  type: 'step-retry';
  /** The attempt that failed (1-based); the next one is `attempt + 1`. */
  attempt: number;
  delayMs: number;
  error: LoggedError;
}

/**
 * A step ended: `succeeded`, `failed`, `cancelled`, or `skipped` by its own `skipIf` (steps skipped
 * because an earlier step failed get no event; they are listed in the `run-end` log).
 */
export interface StepEndEvent extends StepEventBase {
  type: 'step-end';
  status: Exclude<StepStatus, 'pending' | 'running'>;
  attempts: number;
  durationMs: number;
  error?: LoggedError;
}

/** The run ended and its final log was written (or its write failed; see `log.warnings`). */
export interface RunEndEvent {
  type: 'run-end';
  runId: string;
  pipeline: string;
  at: string;
  status: Exclude<RunStatus, 'running'>;
  durationMs: number;
  log: RunLog;
}

/**
 * What `onEvent` receives, in this order: `run-start`, then per step `step-start`,
 * `step-progress`* / `step-retry`*, `step-end`, and finally `run-end`.
 *
 * @example
 * ```ts
 * const onEvent = (e: PipelineEvent) => {
 *   if (e.type === 'step-start') console.log(`[${e.index + 1}/${e.count}] ${e.step}`);
 *   if (e.type === 'step-progress' && e.fraction !== undefined) bar.update(e.fraction);
 *   if (e.type === 'step-retry') console.warn(`${e.step}: attempt ${e.attempt} failed, retry in ${e.delayMs} ms`);
 * };
 * ```
 */
export type PipelineEvent =
  | RunStartEvent
  | StepStartEvent
  | StepProgressEvent
  | StepRetryEvent
  | StepEndEvent
  | RunEndEvent;
