import { CoreError, isRetryable } from '../errors/core-error.js';
import type { CoreErrorOptions, CoreErrorTag, ErrorContext } from '../errors/core-error.js';
import { retry, withTimeout } from '../retry/retry.js';
import type { Storage } from '../storage/storage.js';
import type { PipelineEvent, StepEventBase } from './pipeline-events.js';
import { assertValidRunId, newRunId, runLogKey } from './run-id.js';
import { RUN_LOG_VERSION } from './run-log.js';
import type {
  CostEstimate,
  JsonValue,
  LoggedError,
  LogMessage,
  RunLog,
  RunStatus,
  RunTotals,
  StepCounters,
  StepLog,
} from './run-log.js';

/** Structured logging inside a step; messages land in the step's entry of the run log. */
export interface StepLogger {
  info(message: string, data?: unknown): void;
  warn(message: string, data?: unknown): void;
  error(message: string, data?: unknown): void;
}

/** What a step reports with `ctx.progress(…)`. */
export interface ProgressUpdate {
  /** Units done so far (not an increment). */
  done: number;
  /** Units expected in all, when known. */
  total?: number;
  /** What is counted: `rows`, `files`, `bytes`, `partitions`, … */
  unit?: string;
}

/** Increments a step adds with `ctx.count(…)`; every field is optional and adds to the step's counter. */
export type CounterIncrement = Partial<StepCounters>;

/**
 * What a step's `run` receives for one attempt.
 *
 * `signal` fires when the attempt times out, the pipeline deadline passes or the run is cancelled;
 * pass it to every I/O call (or check `signal.throwIfAborted()` in loops) so the step stops
 * promptly. Once the attempt has ended, `log`, `progress` and `count` calls are ignored.
 *
 * @example
 * ```ts
 * async function run(ctx: StepContext) {
 *   for (const [i, file] of files.entries()) {
 *     ctx.signal.throwIfAborted();
 *     const { rows, rejected, bytes } = await ingestFile(file, { signal: ctx.signal });
 *     ctx.count({ rowsIn: rows + rejected, rowsOut: rows, rowsRejected: rejected, bytesWritten: bytes, files: 1 });
 *     ctx.progress({ done: i + 1, total: files.length, unit: 'files' });
 *   }
 *   ctx.log.info('ingested', { files: files.length });
 * }
 * ```
 */
export interface StepContext {
  /** Fires on step timeout, pipeline deadline or cancel; `signal.reason` says which. */
  readonly signal: AbortSignal;
  readonly runId: string;
  readonly pipeline: string;
  /** This step's name. */
  readonly step: string;
  /** 0-based position of this step. */
  readonly stepIndex: number;
  /** Number of steps in the pipeline. */
  readonly stepCount: number;
  /** 1-based attempt number. */
  readonly attempt: number;
  /** When the whole run must have finished, if it has a deadline. */
  readonly deadline: Date | undefined;
  /** Outputs of the steps that already succeeded, by step name. */
  readonly outputs: Readonly<Record<string, JsonValue>>;
  /** Structured messages collected into the run log. */
  readonly log: StepLogger;
  /** Reports progress (emits throttled `step-progress` events; the last value is kept in the log). */
  progress(update: ProgressUpdate): void;
  /** Adds to this step's counters (reset at each attempt: the log shows the last attempt's counts). */
  count(increment: CounterIncrement): void;
}

/** What a step's `skipIf` receives. */
export interface SkipContext {
  readonly runId: string;
  readonly pipeline: string;
  readonly step: string;
  readonly outputs: Readonly<Record<string, JsonValue>>;
  readonly signal: AbortSignal;
}

/**
 * One named step of a pipeline.
 *
 * @example
 * ```ts
 * const ingest: StepDefinition = {
 *   name: 'ingest',
 *   timeoutMs: 30 * 60_000,
 *   retries: 2,
 *   run: async (ctx) => {
 *     const result = await ingestOrders({ signal: ctx.signal });
 *     ctx.count({ rowsIn: result.rowsIn, rowsOut: result.rowsOut, rowsRejected: result.rejected });
 *     return { partitions: result.partitions.length };
 *   },
 * };
 * ```
 */
export interface StepDefinition {
  /** Unique, non-empty name (no leading or trailing whitespace). */
  name: string;
  /** Does the work. May return a small JSON-able output (at most 64 KiB serialised) recorded in the log. */
  run: (ctx: StepContext) => unknown;
  /** Per-attempt time limit in ms; an attempt that overruns fails with a retryable `Timeout`. Default: none. */
  timeoutMs?: number;
  /**
   * Retries after the first attempt (default 0). An attempt that was aborted (timeout) but did not
   * stop within the pipeline's `abortGraceMs` is never retried: a second attempt would run beside it.
   */
  retries?: number;
  /** Delay before the first retry in ms, doubling each time, with full jitter (default 1000). */
  retryDelayMs?: number;
  /** Cap on one retry delay in ms (default 60 000). */
  retryMaxDelayMs?: number;
  /** Which errors are worth a retry (default: {@link isRetryable}, which includes step timeouts). */
  retryIf?: (error: unknown, attempt: number) => boolean;
  /** When it resolves `true` the step is skipped (status `skipped`, reason `skipIf`). */
  skipIf?: (ctx: SkipContext) => boolean | Promise<boolean>;
}

/** Something that receives {@link PipelineEvent}s. Errors it throws are recorded as warnings, never fail the run. */
export type PipelineEventListener = (event: PipelineEvent) => void;

/**
 * A pipeline: its steps and how its runs are bounded, logged and priced.
 *
 * @example
 * ```ts
 * const definition: PipelineDefinition = { name: 'nequi', storage, deadlineMs: 4 * 3_600_000, steps: [clean, models] };
 * ```
 */
export interface PipelineDefinition {
  /** Pipeline name, recorded in every run log. */
  name: string;
  /** Steps, run strictly in this order. */
  steps: readonly StepDefinition[];
  /** Where run logs go (`_state/runs/<run-id>.json`). Without it no log is written, only returned. */
  storage?: Storage;
  /**
   * When a run must be finished: a fixed time, or a function of the run's start (a daily window,
   * e.g. "today 06:00 UTC"). Overridden by a run's own `deadline` / `deadlineMs`.
   */
  deadline?: Date | ((startedAt: Date) => Date);
  /** Run time limit in ms from the start; with `deadline` too, the earlier one applies. */
  deadlineMs?: number;
  /** Prices a finished run; the result goes to `costEstimate` in the log (see `awsCostModel`). */
  estimateCost?: (log: RunLog) => CostEstimate | Promise<CostEstimate>;
  /** Receives progress events of every run. */
  onEvent?: PipelineEventListener;
  /** Minimum ms between two `step-progress` events of one step (default 200; 0 = every report). */
  progressIntervalMs?: number;
  /** After aborting a step, how long to wait for it to settle before moving on (default 5000 ms). */
  abortGraceMs?: number;
  /** Time limit of one run log write (default 10 000 ms). */
  logWriteTimeoutMs?: number;
  /** Messages kept per step, the most recent ones (default 100). */
  maxMessagesPerStep?: number;
}

/**
 * Options of one {@link Pipeline.run}.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * process.once('SIGINT', () => controller.abort(new Error('interrupted')));
 * await pipeline.run({ signal: controller.signal, deadlineMs: 2 * 3_600_000 });
 * ```
 */
export interface RunOptions {
  /** Run id (default {@link newRunId}); must be filename-safe. */
  runId?: string;
  /** Cancels the run: the running step is aborted, the rest skipped, the log says `cancelled`. */
  signal?: AbortSignal;
  /** Deadline of this run; replaces the pipeline's `deadline` and `deadlineMs`. */
  deadline?: Date;
  /** Time limit of this run in ms; replaces the pipeline's `deadline` and `deadlineMs`. */
  deadlineMs?: number;
  /** Receives this run's events (after the pipeline's own `onEvent`). */
  onEvent?: PipelineEventListener;
}

/**
 * The error a failed run rejects with: a {@link CoreError} (switch on `_tag`) that also carries the
 * final run log.
 *
 * - `StepFailed`: a step failed after its retries (`cause` is the step's last error).
 * - `Cancelled`: the run was cancelled (`runLog.status === 'cancelled'`, `cause` is the signal's reason).
 * - `DeadlineExceeded`: the deadline passed; `context.step` is the step that overran (or could not start).
 * - `StorageFailure` (or the store's own error tag): every step succeeded but the final run log could
 *   not be written (`cause` is the write error).
 *
 * `context.step` always names the step concerned. When the run failed *and* its log could not be
 * written, the error is still the step's and the write error is in `logWriteError`.
 *
 * @example
 * ```ts
 * try {
 *   await pipeline.run();
 * } catch (err) {
 *   if (err instanceof PipelineError) console.error(err._tag, err.context.step, err.runLog.steps);
 *   throw err;
 * }
 * ```
 */
export class PipelineError extends CoreError {
  /** The run log as written (or as it would have been written, see `logWriteError`). */
  readonly runLog: RunLog;
  /** Why the final run log could not be written, if it could not. */
  readonly logWriteError?: unknown;

  constructor(tag: CoreErrorTag, message: string, options: CoreErrorOptions & { runLog: RunLog; logWriteError?: unknown }) {
    super(tag, message, options);
    this.name = 'PipelineError';
    this.runLog = options.runLog;
    if (options.logWriteError !== undefined) this.logWriteError = options.logWriteError;
  }
}

/**
 * A sequence of named steps run strictly in order, like an AWS Step Functions state machine whose
 * every failure goes to a Fail state. Build it with {@link definePipeline}.
 *
 * @example
 * ```ts
 * const log = await pipeline.run({ signal: AbortSignal.timeout(3_600_000) });
 * console.log(log.status, log.totals.rowsOut);
 * ```
 */
export class Pipeline {
  /** Pipeline name. */
  readonly name: string;
  /** Steps in run order. */
  readonly steps: readonly StepDefinition[];
  readonly #definition: PipelineDefinition;

  constructor(definition: PipelineDefinition) {
    validateDefinition(definition);
    this.#definition = { ...definition, steps: Object.freeze([...definition.steps]) };
    this.name = definition.name;
    this.steps = this.#definition.steps;
  }

  /**
   * Runs every step in order. Resolves with the final run log when all steps succeeded (or were
   * skipped by `skipIf`); rejects with a {@link PipelineError} otherwise. The run log is written to
   * `_state/runs/<run-id>.json` at the start, at every step start, retry and end, and once more at
   * the end, whatever happened.
   *
   * @example
   * ```ts
   * const log = await pipeline.run({ runId: 'nightly-2025-01-31', deadline: new Date('2025-02-01T06:00:00Z') });
   * ```
   */
  run(options: RunOptions = {}): Promise<RunLog> {
    return new PipelineRunner(this.#definition, options).execute();
  }
}

/**
 * Defines a pipeline of named steps, validating names (non-empty, unique) and limits up front.
 *
 * @example
 * ```ts
 * const pipeline = definePipeline({
 *   name: 'techstore',
 *   storage: new LocalStorage('./.lake'),
 *   deadline: (start) => new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate() + 1, 6)),
 *   steps: [
 *     { name: 'ingest', timeoutMs: 30 * 60_000, retries: 2, run: async (ctx) => ingest(ctx.signal) },
 *     { name: 'transform', timeoutMs: 20 * 60_000, run: async (ctx) => transform(ctx.signal) },
 *   ],
 *   onEvent: (e) => { if (e.type === 'step-start') console.log(`[${e.index + 1}/${e.count}] ${e.step}`); },
 * });
 * const log = await pipeline.run();
 * ```
 */
export function definePipeline(definition: PipelineDefinition): Pipeline {
  return new Pipeline(definition);
}

// ---------------------------------------------------------------------------------------------

const COUNTER_KEYS = ['rowsIn', 'rowsOut', 'rowsRejected', 'bytesWritten', 'bytesRead', 'files'] as const;
const MAX_OUTPUT_CHARS = 64 * 1024;
const MAX_WARNINGS = 50;
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Failure {
  tag: CoreErrorTag;
  message: string;
  cause?: unknown;
  isRetryable?: boolean;
  context: ErrorContext;
  step: string;
  attempt: number;
}

type StopReason = 'deadline' | 'cancelled';

class PipelineRunner {
  readonly #def: PipelineDefinition;
  readonly #options: RunOptions;
  readonly #controller = new AbortController();
  readonly #outputs: Record<string, JsonValue> = {};
  readonly #listeners: PipelineEventListener[];
  readonly #progressIntervalMs: number;
  readonly #abortGraceMs: number;
  readonly #logWriteTimeoutMs: number;
  readonly #maxMessages: number;
  #stopReason: StopReason | undefined;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #deadline: Date | undefined;
  #writes: Promise<unknown> = Promise.resolve();
  #log!: RunLog;
  #key!: string;

  constructor(def: PipelineDefinition, options: RunOptions) {
    this.#def = def;
    this.#options = options;
    this.#listeners = [def.onEvent, options.onEvent].filter((l): l is PipelineEventListener => typeof l === 'function');
    this.#progressIntervalMs = def.progressIntervalMs ?? 200;
    this.#abortGraceMs = def.abortGraceMs ?? 5000;
    this.#logWriteTimeoutMs = def.logWriteTimeoutMs ?? 10_000;
    this.#maxMessages = def.maxMessagesPerStep ?? 100;
  }

  async execute(): Promise<RunLog> {
    const startedAt = new Date();
    const runId = this.#options.runId ?? newRunId(startedAt);
    assertValidRunId(runId);
    this.#key = runLogKey(runId);
    this.#deadline = resolveDeadline(this.#def, this.#options, startedAt);
    this.#log = {
      version: RUN_LOG_VERSION,
      runId,
      pipeline: this.#def.name,
      status: 'running',
      startedAt: startedAt.toISOString(),
      ...(this.#deadline && { deadline: this.#deadline.toISOString() }),
      steps: this.#def.steps.map((step) => ({ name: step.name, status: 'pending', attempts: 0, ...zeroCounters(), messages: [] })),
      totals: zeroCounters(),
    };

    const external = this.#options.signal;
    const onCancel = () => this.#stop('cancelled', external?.reason);
    if (external?.aborted) onCancel();
    else external?.addEventListener('abort', onCancel, { once: true });
    if (this.#deadline) this.#armDeadline(this.#deadline.getTime());

    try {
      this.#emit({
        type: 'run-start',
        runId,
        pipeline: this.#def.name,
        at: startedAt.toISOString(),
        steps: this.#def.steps.map((s) => s.name),
        count: this.#def.steps.length,
        ...(this.#log.deadline && { deadline: this.#log.deadline }),
        ...(this.#def.storage && { logKey: this.#key }),
      });
      await this.#persistQuietly();
      let failure: Failure | undefined;
      for (let i = 0; i < this.#def.steps.length && failure === undefined; i++) failure = await this.#runStep(i);
      if (failure) {
        const reason = this.#stopReason ?? 'earlier-failure';
        for (const step of this.#log.steps) {
          if (step.status !== 'pending') continue;
          step.status = 'skipped';
          step.skipReason = reason;
        }
      }
      return await this.#finish(startedAt, failure);
    } finally {
      clearTimeout(this.#deadlineTimer);
      external?.removeEventListener('abort', onCancel);
    }
  }

  // --- steps -----------------------------------------------------------------------------------

  async #runStep(index: number): Promise<Failure | undefined> {
    const def = this.#def.steps[index]!;
    const step = this.#log.steps[index]!;
    if (this.#stopReason) {
      step.status = 'skipped';
      step.skipReason = this.#stopReason;
      return this.#stopFailure(index, 0);
    }
    if (def.skipIf) {
      let skip: boolean;
      try {
        skip = await def.skipIf({
          runId: this.#log.runId,
          pipeline: this.#def.name,
          step: def.name,
          outputs: { ...this.#outputs },
          signal: this.#controller.signal,
        });
      } catch (error) {
        const now = new Date().toISOString();
        Object.assign(step, { status: 'failed', startedAt: now, endedAt: now, durationMs: 0, error: describeError(error) });
        this.#emit({ type: 'step-end', ...this.#base(index), status: 'failed', attempts: 0, durationMs: 0, error: step.error! });
        return this.#stepFailure(index, error, 0, `Step "${def.name}" failed in skipIf: ${messageOf(error)}`);
      }
      if (skip) {
        step.status = 'skipped';
        step.skipReason = 'skipIf';
        this.#emit({ type: 'step-end', ...this.#base(index), status: 'skipped', attempts: 0, durationMs: 0 });
        await this.#persistQuietly();
        return undefined;
      }
    }

    const started = Date.now();
    step.status = 'running';
    step.startedAt = new Date(started).toISOString();
    step.attempts = 1; // so a log written now (and left by a crash) shows the attempt under way
    this.#log.currentStep = def.name;
    this.#emit({ type: 'step-start', ...this.#base(index) });
    await this.#persistQuietly();

    const retries = def.retries ?? 0;
    const retryIf = def.retryIf ?? ((error: unknown) => isRetryable(error));
    // Set when an aborted attempt did not settle within the grace period: it may still be running
    // (writing files, committing a bookmark), so no further attempt may start beside it.
    const attemptState = { stillRunning: false };
    try {
      const output = await retry((attempt) => this.#runAttempt(index, attempt, attemptState), {
        attempts: retries + 1,
        baseDelayMs: def.retryDelayMs ?? 1000,
        maxDelayMs: def.retryMaxDelayMs ?? 60_000,
        signal: this.#controller.signal,
        shouldRetry: (error, attempt) => this.#stopReason === undefined && !attemptState.stillRunning && retryIf(error, attempt),
        onRetry: (error, attempt, delayMs) => {
          const logged = describeError(error);
          step.error = logged;
          this.#addMessage(step, 'warn', attempt, `Attempt ${attempt} failed; retrying in ${delayMs} ms: ${logged.message}`);
          this.#emit({ type: 'step-retry', ...this.#base(index), attempt, delayMs, error: logged });
        },
      });
      step.status = 'succeeded';
      delete step.error;
      if (output !== undefined) {
        step.output = output;
        this.#outputs[def.name] = output;
      }
      this.#endStep(step, started);
      delete this.#log.currentStep;
      this.#emit({ type: 'step-end', ...this.#base(index), status: 'succeeded', attempts: step.attempts, durationMs: step.durationMs! });
      await this.#persistQuietly();
      return undefined;
    } catch (error) {
      this.#endStep(step, started);
      const failure = this.#stopReason ? this.#stopFailure(index, step.attempts) : this.#stepFailure(index, error, step.attempts);
      step.status = this.#stopReason === 'cancelled' ? 'cancelled' : 'failed';
      step.error =
        this.#stopReason === 'deadline'
          ? { tag: 'DeadlineExceeded', name: 'CoreError', message: failure.message, retryable: false }
          : describeError(error);
      this.#emit({
        type: 'step-end',
        ...this.#base(index),
        status: step.status,
        attempts: step.attempts,
        durationMs: step.durationMs!,
        error: step.error,
      });
      return failure;
    }
  }

  async #runAttempt(index: number, attempt: number, state: { stillRunning: boolean }): Promise<JsonValue | undefined> {
    const runSignal = this.#controller.signal;
    if (runSignal.aborted) throw runSignal.reason;
    const def = this.#def.steps[index]!;
    const step = this.#log.steps[index]!;
    step.attempts = attempt;
    Object.assign(step, zeroCounters());
    delete step.progress;
    if (attempt > 1) await this.#persistQuietly();

    const scope = { open: true };
    let inner: Promise<unknown> | undefined;
    let settled = false;
    const start = (signal: AbortSignal): Promise<unknown> => {
      const ctx = this.#context(index, attempt, signal, scope);
      const promise = (async () => def.run(ctx))();
      promise.then(
        () => (settled = true),
        () => (settled = true),
      );
      inner = promise;
      return promise;
    };
    const stopped = whenAborted(runSignal);
    let unlink: (() => void) | undefined;
    try {
      let work: Promise<unknown>;
      if (def.timeoutMs !== undefined) {
        work = withTimeout(def.timeoutMs, `Step "${def.name}" attempt ${attempt}`, start, runSignal);
      } else {
        const linked = new AbortController();
        const onAbort = () => linked.abort(runSignal.reason);
        runSignal.addEventListener('abort', onAbort, { once: true });
        unlink = () => runSignal.removeEventListener('abort', onAbort);
        work = start(linked.signal);
      }
      const value = await Promise.race([work, stopped.promise]);
      return toJsonOutput(def.name, value);
    } catch (error) {
      scope.open = false;
      if (inner !== undefined && !settled && !(await settlesWithin(inner, this.#abortGraceMs))) {
        state.stillRunning = true;
        this.#warn(
          `Step "${def.name}" attempt ${attempt} did not stop within ${this.#abortGraceMs} ms of being aborted; ` +
            'it may still be running, so it is not retried (pass ctx.signal to its I/O so it stops promptly)',
        );
      }
      throw error;
    } finally {
      scope.open = false;
      stopped.dispose();
      unlink?.();
    }
  }

  #context(index: number, attempt: number, signal: AbortSignal, scope: { open: boolean }): StepContext {
    const def = this.#def.steps[index]!;
    const step = this.#log.steps[index]!;
    let lastProgressAt = Number.NEGATIVE_INFINITY;
    const logAt =
      (level: LogMessage['level']) =>
      (message: string, data?: unknown): void => {
        if (scope.open) this.#addMessage(step, level, attempt, String(message), data);
      };
    return {
      signal,
      runId: this.#log.runId,
      pipeline: this.#def.name,
      step: def.name,
      stepIndex: index,
      stepCount: this.#def.steps.length,
      attempt,
      deadline: this.#deadline,
      outputs: Object.freeze({ ...this.#outputs }),
      log: { info: logAt('info'), warn: logAt('warn'), error: logAt('error') },
      progress: (update) => {
        const { done, total, unit } = update;
        checkCount(def.name, 'progress.done', done);
        if (total !== undefined) checkCount(def.name, 'progress.total', total);
        if (!scope.open) return;
        step.progress = { done, ...(total !== undefined && { total }), ...(unit !== undefined && { unit }) };
        const now = Date.now();
        const complete = total !== undefined && done >= total;
        if (!complete && now - lastProgressAt < this.#progressIntervalMs) return;
        lastProgressAt = now;
        this.#emit({
          type: 'step-progress',
          ...this.#base(index),
          attempt,
          done,
          ...(total !== undefined && { total, fraction: total === 0 ? 1 : Math.min(1, done / total) }),
          ...(unit !== undefined && { unit }),
        });
      },
      count: (increment) => {
        for (const key of COUNTER_KEYS) {
          const value = increment[key];
          if (value !== undefined) checkCount(def.name, key, value);
        }
        if (!scope.open) return;
        for (const key of COUNTER_KEYS) step[key] += increment[key] ?? 0;
      },
    };
  }

  #endStep(step: StepLog, started: number): void {
    const ended = Date.now();
    step.endedAt = new Date(ended).toISOString();
    step.durationMs = ended - started;
  }

  #stepFailure(index: number, error: unknown, attempt: number, message?: string): Failure {
    const def = this.#def.steps[index]!;
    const of = (def.retries ?? 0) + 1;
    return {
      tag: 'StepFailed',
      message: message ?? `Step "${def.name}" failed on attempt ${attempt}/${of}: ${messageOf(error)}`,
      cause: error,
      context: { pipeline: this.#def.name, step: def.name, runId: this.#log.runId },
      step: def.name,
      attempt,
    };
  }

  #stopFailure(index: number, attempt: number): Failure {
    const name = this.#def.steps[index]!.name;
    const context: ErrorContext = { pipeline: this.#def.name, step: name, runId: this.#log.runId };
    const where = attempt > 0 ? `while step "${name}" was running (attempt ${attempt})` : `before step "${name}" could start`;
    if (this.#stopReason === 'deadline') {
      const deadline = this.#log.deadline ?? '';
      return {
        tag: 'DeadlineExceeded',
        message: `Pipeline "${this.#def.name}" passed its deadline ${deadline} ${where}`,
        context: { ...context, deadline },
        step: name,
        attempt,
      };
    }
    const reason = this.#options.signal?.reason;
    return {
      tag: 'Cancelled',
      message: `Run cancelled ${where}: ${messageOf(reason)}`,
      cause: reason,
      context,
      step: name,
      attempt,
    };
  }

  // --- stop: deadline and cancel ---------------------------------------------------------------

  #armDeadline(at: number): void {
    const delay = at - Date.now();
    if (delay <= 0) {
      this.#stop('deadline');
      return;
    }
    this.#deadlineTimer = setTimeout(() => this.#armDeadline(at), Math.min(delay, MAX_TIMER_MS));
  }

  #stop(reason: StopReason, cause?: unknown): void {
    if (this.#stopReason || this.#log.status !== 'running') return;
    this.#stopReason = reason;
    const abortReason =
      reason === 'deadline'
        ? new CoreError('DeadlineExceeded', `Pipeline "${this.#def.name}" passed its deadline ${this.#log.deadline ?? ''}`, {
            context: { pipeline: this.#def.name, runId: this.#log.runId },
          })
        : cause;
    this.#controller.abort(abortReason);
  }

  // --- end of run ------------------------------------------------------------------------------

  async #finish(startedAt: Date, failure: Failure | undefined): Promise<RunLog> {
    const log = this.#log;
    const ended = new Date();
    log.status = failure === undefined ? 'succeeded' : this.#stopReason === 'cancelled' ? 'cancelled' : 'failed';
    log.endedAt = ended.toISOString();
    log.durationMs = ended.getTime() - startedAt.getTime();
    delete log.currentStep;
    log.totals = sumCounters(log.steps);
    if (failure) {
      log.error = {
        tag: failure.tag,
        message: new CoreError(failure.tag, failure.message, { context: failure.context }).message,
        step: failure.step,
        ...(failure.attempt > 0 && { attempt: failure.attempt }),
      };
    }
    if (this.#def.estimateCost) {
      try {
        const estimate = await this.#def.estimateCost(structuredClone(log));
        log.costEstimate = JSON.parse(JSON.stringify(estimate)) as CostEstimate;
      } catch (error) {
        this.#warn(`Cost estimate failed: ${messageOf(error)}`);
      }
    }

    let writeError: unknown;
    try {
      await this.#persistFinal();
    } catch (error) {
      writeError = error ?? new Error('unknown write error');
      this.#warn(`Could not write run log ${this.#key}: ${messageOf(error)}`);
    }
    this.#emit({
      type: 'run-end',
      runId: log.runId,
      pipeline: log.pipeline,
      at: log.endedAt,
      status: log.status as Exclude<RunStatus, 'running'>,
      durationMs: log.durationMs,
      log,
    });

    if (failure) {
      throw new PipelineError(failure.tag, failure.message, {
        cause: failure.cause,
        isRetryable: failure.isRetryable ?? false,
        context: failure.context,
        runLog: log,
        ...(writeError !== undefined && { logWriteError: writeError }),
      });
    }
    if (writeError !== undefined) {
      throw new PipelineError(
        writeError instanceof CoreError ? writeError._tag : 'StorageFailure',
        `Run "${log.runId}" of pipeline "${log.pipeline}" succeeded but its run log could not be written: ${messageOf(writeError)}`,
        {
          cause: writeError,
          isRetryable: isRetryable(writeError),
          context: { pipeline: log.pipeline, runId: log.runId, key: this.#key },
          runLog: log,
          logWriteError: writeError,
        },
      );
    }
    return log;
  }

  // --- run log persistence ---------------------------------------------------------------------

  #writeOnce(body: string): Promise<void> {
    const storage = this.#def.storage!;
    return withTimeout(this.#logWriteTimeoutMs, `Writing run log ${this.#key}`, (signal) =>
      storage.put(this.#key, body, { contentType: 'application/json', signal }),
    ).then(() => undefined);
  }

  /** Queues a write of the log as it is now; writes never overlap, so an older snapshot never wins. */
  #persist(): Promise<void> {
    if (!this.#def.storage) return Promise.resolve();
    const body = `${JSON.stringify(this.#log, null, 2)}\n`;
    const next = this.#writes.then(() => this.#writeOnce(body));
    this.#writes = next.catch(() => undefined);
    return next;
  }

  async #persistQuietly(): Promise<void> {
    try {
      await this.#persist();
    } catch (error) {
      this.#warn(`Could not write run log ${this.#key}: ${messageOf(error)}`);
    }
  }

  async #persistFinal(): Promise<void> {
    if (!this.#def.storage) return;
    await this.#writes;
    const body = `${JSON.stringify(this.#log, null, 2)}\n`;
    await retry(() => this.#writeOnce(body), { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 });
  }

  // --- helpers ---------------------------------------------------------------------------------

  #base(index: number): StepEventBase {
    return {
      runId: this.#log.runId,
      pipeline: this.#def.name,
      at: new Date().toISOString(),
      step: this.#def.steps[index]!.name,
      index,
      count: this.#def.steps.length,
    };
  }

  #emit(event: PipelineEvent): void {
    for (const listener of this.#listeners) {
      try {
        const result: unknown = listener(event);
        if (isThenable(result)) {
          result.then(undefined, (error: unknown) => this.#warn(`onEvent listener failed on ${event.type}: ${messageOf(error)}`));
        }
      } catch (error) {
        this.#warn(`onEvent listener threw on ${event.type}: ${messageOf(error)}`);
      }
    }
  }

  #addMessage(step: StepLog, level: LogMessage['level'], attempt: number, message: string, data?: unknown): void {
    if (this.#maxMessages === 0) {
      step.messagesDropped = (step.messagesDropped ?? 0) + 1;
      return;
    }
    const entry: LogMessage = { at: new Date().toISOString(), level, attempt, message };
    if (data !== undefined) {
      const snapshot = jsonSnapshot(data);
      if (snapshot !== undefined) entry.data = snapshot;
    }
    step.messages.push(entry);
    if (step.messages.length > this.#maxMessages) {
      step.messages.shift();
      step.messagesDropped = (step.messagesDropped ?? 0) + 1;
    }
  }

  #warn(message: string): void {
    const warnings = (this.#log.warnings ??= []);
    if (warnings.length < MAX_WARNINGS) warnings.push(message);
    else if (warnings.length === MAX_WARNINGS) warnings.push('… further warnings dropped');
  }
}

function validateDefinition(def: PipelineDefinition): void {
  const invalid = (message: string, context: ErrorContext = {}) => new CoreError('InvalidArgument', message, { context });
  if (typeof def?.name !== 'string' || def.name.trim() === '') throw invalid('A pipeline needs a non-empty name');
  const pipeline = def.name;
  if (!Array.isArray(def.steps) || def.steps.length === 0) {
    throw invalid(`Pipeline "${pipeline}" needs at least one step`, { pipeline });
  }
  const seen = new Set<string>();
  def.steps.forEach((step, i) => {
    const name: unknown = step?.name;
    if (typeof name !== 'string' || name.trim() === '') {
      throw invalid(`Step #${i + 1} of pipeline "${pipeline}" needs a non-empty name`, { pipeline });
    }
    const context = { pipeline, step: name };
    if (name !== name.trim()) throw invalid(`Step name ${JSON.stringify(name)} must not start or end with whitespace`, context);
    if (seen.has(name)) throw invalid(`Step name "${name}" is used twice in pipeline "${pipeline}"`, context);
    seen.add(name);
    if (typeof step.run !== 'function') throw invalid(`Step "${name}" needs a run function`, context);
    if (step.timeoutMs !== undefined && !(Number.isFinite(step.timeoutMs) && step.timeoutMs > 0 && step.timeoutMs <= MAX_TIMER_MS)) {
      throw invalid(`Step "${name}": timeoutMs must be > 0 and <= ${MAX_TIMER_MS}, got ${step.timeoutMs}`, context);
    }
    if (step.retries !== undefined && !(Number.isInteger(step.retries) && step.retries >= 0)) {
      throw invalid(`Step "${name}": retries must be an integer >= 0, got ${step.retries}`, context);
    }
    for (const key of ['retryDelayMs', 'retryMaxDelayMs'] as const) {
      const value = step[key];
      if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
        throw invalid(`Step "${name}": ${key} must be a finite number >= 0, got ${value}`, context);
      }
    }
  });
  const context = { pipeline };
  if (def.deadline !== undefined && typeof def.deadline !== 'function') checkDate(`Pipeline "${pipeline}": deadline`, def.deadline);
  for (const key of ['deadlineMs', 'progressIntervalMs', 'abortGraceMs', 'maxMessagesPerStep'] as const) {
    const value = def[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw invalid(`Pipeline "${pipeline}": ${key} must be a finite number >= 0, got ${value}`, context);
    }
  }
  if (def.logWriteTimeoutMs !== undefined && !(Number.isFinite(def.logWriteTimeoutMs) && def.logWriteTimeoutMs > 0)) {
    throw invalid(`Pipeline "${pipeline}": logWriteTimeoutMs must be > 0, got ${def.logWriteTimeoutMs}`, context);
  }
}

function checkDate(what: string, value: unknown): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new CoreError('InvalidArgument', `${what} must be a valid Date, got ${String(value)}`);
  }
  return value;
}

function resolveDeadline(def: PipelineDefinition, options: RunOptions, startedAt: Date): Date | undefined {
  const earliest = (a: Date | undefined, b: Date | undefined) => (a && b ? (a <= b ? a : b) : (a ?? b));
  const fromMs = (ms: number | undefined, what: string) => {
    if (ms === undefined) return undefined;
    if (!(Number.isFinite(ms) && ms >= 0)) throw new CoreError('InvalidArgument', `${what} must be a finite number >= 0, got ${ms}`);
    return new Date(startedAt.getTime() + ms);
  };
  if (options.deadline !== undefined || options.deadlineMs !== undefined) {
    const at = options.deadline === undefined ? undefined : checkDate('run deadline', options.deadline);
    return earliest(at, fromMs(options.deadlineMs, 'run deadlineMs'));
  }
  const own = typeof def.deadline === 'function' ? checkDate(`Pipeline "${def.name}": deadline()`, def.deadline(startedAt)) : def.deadline;
  return earliest(own, fromMs(def.deadlineMs, 'deadlineMs'));
}

function zeroCounters(): StepCounters {
  return { rowsIn: 0, rowsOut: 0, rowsRejected: 0, bytesWritten: 0, bytesRead: 0, files: 0 };
}

function sumCounters(steps: readonly StepLog[]): RunTotals {
  const totals = zeroCounters();
  for (const step of steps) for (const key of COUNTER_KEYS) totals[key] += step[key];
  return totals;
}

function checkCount(step: string, what: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new CoreError('InvalidArgument', `Step "${step}": ${what} must be a finite number >= 0, got ${String(value)}`, {
      context: { step },
    });
  }
}

function toJsonOutput(step: string, value: unknown): JsonValue | undefined {
  if (value === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new CoreError('InvalidArgument', `Step "${step}" returned an output that is not JSON: ${messageOf(error)}`, {
      context: { step },
    });
  }
  if (text === undefined) return undefined;
  if (text.length > MAX_OUTPUT_CHARS) {
    throw new CoreError(
      'InvalidArgument',
      `Step "${step}" returned a ${text.length}-character output; keep outputs under ${MAX_OUTPUT_CHARS} (write large results to storage)`,
      { context: { step } },
    );
  }
  return JSON.parse(text) as JsonValue;
}

function jsonSnapshot(value: unknown): JsonValue | undefined {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : (JSON.parse(text) as JsonValue);
  } catch {
    return String(value);
  }
}

function describeError(error: unknown): LoggedError {
  if (error instanceof CoreError) return { tag: error._tag, name: error.name, message: error.message, retryable: error.isRetryable };
  if (error instanceof Error) return { name: error.name, message: error.message, retryable: isRetryable(error) };
  return { name: typeof error, message: String(error), retryable: false };
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error === undefined) return 'no reason given';
  return String(error);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** A promise that rejects with `signal.reason` when it aborts; `dispose` detaches the listener. */
function whenAborted(signal: AbortSignal): { promise: Promise<never>; dispose: () => void } {
  let onAbort: (() => void) | undefined;
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => undefined);
  return { promise, dispose: () => onAbort && signal.removeEventListener('abort', onAbort) };
}

/** Whether `promise` settles within `ms`. */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(done, done);
  });
}
