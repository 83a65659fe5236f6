import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors/core-error.js';
import type { ListOptions, ListPage, ObjectInfo, PutOptions, Storage, StreamBody } from '../storage/storage.js';
import { awsCostModel } from './cost-model.js';
import type { PipelineEvent } from './pipeline-events.js';
import { definePipeline, PipelineError, type StepContext, type StepDefinition } from './pipeline.js';
import { runLogKey } from './run-id.js';
import type { RunLog } from './run-log.js';

/** A minimal in-memory Storage; `failPuts` makes every put reject. */
class MemoryStorage implements Storage {
  readonly root = 'memory://test';
  readonly objects = new Map<string, { body: Uint8Array; lastModified: Date }>();
  puts = 0;
  failPuts: Error | undefined;

  uri(key: string): string {
    return `${this.root}/${key}`;
  }
  async get(key: string): Promise<Uint8Array> {
    const found = this.objects.get(key);
    if (!found) throw new CoreError('NotFound', `No object at ${key}`, { context: { key } });
    return found.body;
  }
  async getStream(key: string): Promise<Readable> {
    return Readable.from([await this.get(key)]);
  }
  async put(key: string, body: Uint8Array | string, _options?: PutOptions): Promise<ObjectInfo> {
    this.puts++;
    if (this.failPuts) throw this.failPuts;
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    this.objects.set(key, { body: bytes, lastModified: new Date() });
    return this.#info(key)!;
  }
  async putStream(key: string, body: StreamBody, options?: PutOptions): Promise<ObjectInfo> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(chunk);
    return this.put(key, Buffer.concat(chunks), options);
  }
  async list(prefix: string, _options?: ListOptions): Promise<ListPage> {
    const objects = [...this.objects.keys()]
      .filter((k) => k.startsWith(prefix))
      .sort()
      .map((k) => this.#info(k)!);
    return { objects };
  }
  async *listAll(prefix: string): AsyncIterable<ObjectInfo> {
    yield* (await this.list(prefix)).objects;
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
  async exists(key: string): Promise<boolean> {
    return this.objects.has(key);
  }
  async stat(key: string): Promise<ObjectInfo | undefined> {
    return this.#info(key);
  }
  /** The run log stored for `runId`, parsed. */
  runLog(runId: string): RunLog {
    const found = this.objects.get(runLogKey(runId));
    if (!found) throw new Error(`no run log for ${runId}`);
    return JSON.parse(new TextDecoder().decode(found.body)) as RunLog;
  }
  #info(key: string): ObjectInfo | undefined {
    const found = this.objects.get(key);
    return found && { key, size: found.body.byteLength, etag: String(found.body.byteLength), lastModified: found.lastModified };
  }
}

const retryable = (message: string) => new CoreError('StorageFailure', message, { isRetryable: true });

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

async function rejection(promise: Promise<unknown>): Promise<PipelineError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PipelineError);
    return error as PipelineError;
  }
  throw new Error('expected the run to fail');
}

describe('definePipeline validation', () => {
  const run = async () => undefined;
  it('rejects empty, padded and duplicate step names', () => {
    expect(() => definePipeline({ name: 'p', steps: [{ name: '', run }] })).toThrow(/non-empty name/);
    expect(() => definePipeline({ name: 'p', steps: [{ name: ' a', run }] })).toThrow(/whitespace/);
    expect(() => definePipeline({ name: 'p', steps: [{ name: 'a', run }, { name: 'a', run }] })).toThrow(/used twice/);
    expect(() => definePipeline({ name: '', steps: [{ name: 'a', run }] })).toThrow(/non-empty name/);
    expect(() => definePipeline({ name: 'p', steps: [] })).toThrow(/at least one step/);
  });
  it('rejects bad limits', () => {
    expect(() => definePipeline({ name: 'p', steps: [{ name: 'a', run, retries: -1 }] })).toThrow(/retries/);
    expect(() => definePipeline({ name: 'p', steps: [{ name: 'a', run, retries: 1.5 }] })).toThrow(/retries/);
    expect(() => definePipeline({ name: 'p', steps: [{ name: 'a', run, timeoutMs: 0 }] })).toThrow(/timeoutMs/);
    expect(() => definePipeline({ name: 'p', steps: [{ name: 'a', run }], deadline: new Date('nope') })).toThrow(/valid Date/);
    try {
      definePipeline({ name: 'p', steps: [{ name: 'a', run }, { name: 'a', run }] });
    } catch (error) {
      expect(error).toBeInstanceOf(CoreError);
      expect((error as CoreError)._tag).toBe('InvalidArgument');
      expect((error as CoreError).context.step).toBe('a');
    }
  });
  it('rejects an unsafe run id', async () => {
    const pipeline = definePipeline({ name: 'p', steps: [{ name: 'a', run }] });
    await expect(pipeline.run({ runId: '../escape' })).rejects.toThrow(/Invalid run id/);
  });
});

describe('pipeline runs', () => {
  it('runs steps in order, each after the previous one completed, and adds up counters', async () => {
    const storage = new MemoryStorage();
    const trace: string[] = [];
    const pipeline = definePipeline({
      name: 'techstore',
      storage,
      steps: [
        {
          name: 'ingest',
          run: async (ctx) => {
            trace.push('ingest:start');
            await new Promise((r) => setTimeout(r, 15));
            ctx.count({ rowsIn: 100, rowsOut: 90, rowsRejected: 10 });
            ctx.count({ bytesWritten: 1000, files: 2 });
            trace.push('ingest:end');
            return { partitions: 3 };
          },
        },
        {
          name: 'transform',
          run: (ctx) => {
            trace.push(`transform:start saw ${JSON.stringify(ctx.outputs)}`);
            expect(ctx.stepIndex).toBe(1);
            expect(ctx.stepCount).toBe(3);
            ctx.count({ rowsIn: 90, rowsOut: 40, bytesWritten: 500, bytesRead: 1000, files: 1 });
            ctx.log.info('joined', { orders: 40 });
            trace.push('transform:end');
          },
        },
        {
          name: 'load',
          run: async (ctx) => {
            trace.push('load:start');
            ctx.count({ rowsIn: 40, rowsOut: 40 });
            return 'loaded';
          },
        },
      ],
    });
    const log = await pipeline.run({ runId: 'run-1' });
    expect(trace).toEqual(['ingest:start', 'ingest:end', 'transform:start saw {"ingest":{"partitions":3}}', 'transform:end', 'load:start']);
    expect(log.status).toBe('succeeded');
    expect(log.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(log.steps.map((s) => s.attempts)).toEqual([1, 1, 1]);
    expect(log.steps[0]).toMatchObject({ rowsIn: 100, rowsOut: 90, rowsRejected: 10, bytesWritten: 1000, files: 2, output: { partitions: 3 } });
    expect(log.steps[0]!.durationMs).toBeGreaterThanOrEqual(10);
    expect(log.steps[1]!.output).toBeUndefined();
    expect(log.steps[1]!.messages).toEqual([expect.objectContaining({ level: 'info', message: 'joined', data: { orders: 40 }, attempt: 1 })]);
    expect(log.steps[2]!.output).toBe('loaded');
    expect(log.totals).toEqual({ rowsIn: 230, rowsOut: 170, rowsRejected: 10, bytesWritten: 1500, bytesRead: 1000, files: 3 });
    expect(Date.parse(log.steps[1]!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(log.steps[0]!.endedAt!));
    expect(log.endedAt).toBeDefined();
    expect(log.durationMs).toBeGreaterThanOrEqual(0);
    expect(log.error).toBeUndefined();
    expect(log.currentStep).toBeUndefined();
    // The stored log is the final one.
    expect(storage.runLog('run-1')).toEqual(log);
  });

  it('generates a sortable, filename-safe run id when none is given', async () => {
    const storage = new MemoryStorage();
    const pipeline = definePipeline({ name: 'p', storage, steps: [{ name: 'a', run: () => undefined }] });
    const first = await pipeline.run();
    await new Promise((r) => setTimeout(r, 2));
    const second = await pipeline.run();
    expect(first.runId).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-[a-z0-9]{6}$/);
    expect(first.runId < second.runId).toBe(true);
    expect([...storage.objects.keys()].sort()).toEqual([runLogKey(first.runId), runLogKey(second.runId)]);
  });

  it('stops at a failing step: later steps skipped, error names the step, log says failed', async () => {
    const storage = new MemoryStorage();
    const cause = new TypeError('column "amount" has "$12"');
    let ranLoad = false;
    const pipeline = definePipeline({
      name: 'nequi',
      storage,
      steps: [
        { name: 'clean', run: (ctx) => ctx.count({ rowsIn: 5, rowsOut: 5 }) },
        {
          name: 'enrich',
          retries: 2,
          retryDelayMs: 1,
          run: (ctx) => {
            ctx.count({ rowsIn: 5 });
            throw cause;
          },
        },
        { name: 'load', run: () => void (ranLoad = true) },
      ],
    });
    const error = await rejection(pipeline.run({ runId: 'fail-1' }));
    expect(ranLoad).toBe(false);
    expect(error._tag).toBe('StepFailed');
    expect(error.context.step).toBe('enrich');
    expect(error.cause).toBe(cause);
    expect(error.message).toContain('Step "enrich" failed on attempt 1/3: column "amount" has "$12"');
    expect(error.isRetryable).toBe(false);
    const stored = storage.runLog('fail-1');
    expect(error.runLog).toEqual(stored);
    expect(stored.status).toBe('failed');
    expect(stored.error).toMatchObject({ tag: 'StepFailed', step: 'enrich', attempt: 1 });
    expect(stored.steps.map((s) => s.status)).toEqual(['succeeded', 'failed', 'skipped']);
    expect(stored.steps[1]).toMatchObject({ attempts: 1, rowsIn: 5, error: { name: 'TypeError', message: 'column "amount" has "$12"', retryable: false } });
    expect(stored.steps[2]).toMatchObject({ skipReason: 'earlier-failure', attempts: 0 });
    expect(stored.steps[2]!.startedAt).toBeUndefined();
    expect(stored.totals.rowsIn).toBe(10);
  });

  it('retries a retryable error with backoff and emits step-retry events', async () => {
    const events: PipelineEvent[] = [];
    let calls = 0;
    const pipeline = definePipeline({
      name: 'p',
      onEvent: (e) => events.push(e),
      steps: [
        {
          name: 'flaky',
          retries: 3,
          retryDelayMs: 5,
          run: (ctx) => {
            calls++;
            ctx.count({ rowsIn: 10 }); // counters restart with each attempt
            if (ctx.attempt <= 2) throw retryable(`throttled #${ctx.attempt}`);
            return { attempt: ctx.attempt };
          },
        },
      ],
    });
    const log = await pipeline.run();
    expect(calls).toBe(3);
    expect(log.steps[0]).toMatchObject({ status: 'succeeded', attempts: 3, rowsIn: 10, output: { attempt: 3 } });
    expect(log.steps[0]!.error).toBeUndefined();
    const retries = events.filter((e) => e.type === 'step-retry');
    expect(retries).toHaveLength(2);
    expect(retries.map((e) => e.attempt)).toEqual([1, 2]);
    for (const e of retries) {
      expect(e).toMatchObject({ step: 'flaky', index: 0, count: 1, error: { tag: 'StorageFailure', retryable: true } });
      expect(e.delayMs).toBeGreaterThanOrEqual(0);
      expect(e.delayMs).toBeLessThanOrEqual(10);
    }
    expect(retries[0]!.error.message).toBe('throttled #1');
    expect(log.steps[0]!.messages.map((m) => m.level)).toEqual(['warn', 'warn']);
  });

  it('does not retry a non-retryable error, and honours retryIf', async () => {
    let calls = 0;
    const failing: StepDefinition = {
      name: 'strict',
      retries: 5,
      retryDelayMs: 1,
      run: () => {
        calls++;
        throw new CoreError('SchemaInvalid', 'bad row');
      },
    };
    const error = await rejection(definePipeline({ name: 'p', steps: [failing] }).run());
    expect(calls).toBe(1);
    expect(error.runLog.steps[0]!.attempts).toBe(1);
    expect((error.cause as CoreError)._tag).toBe('SchemaInvalid');

    calls = 0;
    const custom = definePipeline({
      name: 'p',
      steps: [{ ...failing, retries: 2, retryIf: (e) => e instanceof CoreError && e._tag === 'SchemaInvalid' }],
    });
    const again = await rejection(custom.run());
    expect(calls).toBe(3);
    expect(again.message).toContain('attempt 3/3');
  });

  it('aborts a step that overruns its timeout, retries it, then fails with a Timeout cause', async () => {
    const seen: { aborted: boolean; reason: unknown }[] = [];
    let ranAfter = false;
    const pipeline = definePipeline({
      name: 'p',
      steps: [
        {
          name: 'slow',
          timeoutMs: 30,
          retries: 1,
          retryDelayMs: 1,
          run: async (ctx) => {
            try {
              await wait(5_000, ctx.signal);
            } finally {
              seen.push({ aborted: ctx.signal.aborted, reason: ctx.signal.reason });
            }
          },
        },
        { name: 'after', run: () => void (ranAfter = true) },
      ],
    });
    const started = Date.now();
    const error = await rejection(pipeline.run());
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(seen).toHaveLength(2);
    expect(seen.every((s) => s.aborted)).toBe(true);
    expect((seen[0]!.reason as CoreError)._tag).toBe('Timeout');
    expect(error._tag).toBe('StepFailed');
    expect(error.context.step).toBe('slow');
    expect(error.cause).toBeInstanceOf(CoreError);
    expect((error.cause as CoreError)._tag).toBe('Timeout');
    expect(error.message).toMatch(/Step "slow" failed on attempt 2\/2: Step "slow" attempt 2 did not finish within 30 ms/);
    expect(ranAfter).toBe(false);
    expect(error.runLog.steps.map((s) => s.status)).toEqual(['failed', 'skipped']);
    expect(error.runLog.steps[0]).toMatchObject({ attempts: 2, error: { tag: 'Timeout', retryable: true } });
  });

  it('fails with DeadlineExceeded naming the step running when the deadline passes', async () => {
    const storage = new MemoryStorage();
    let signal: AbortSignal | undefined;
    const pipeline = definePipeline({
      name: 'nequi-daily',
      storage,
      steps: [
        { name: 'clean', run: () => undefined },
        {
          name: 'models',
          retries: 3,
          retryDelayMs: 1,
          run: async (ctx) => {
            signal = ctx.signal;
            expect(ctx.deadline).toBeInstanceOf(Date);
            await wait(5_000, ctx.signal);
          },
        },
        { name: 'publish', run: () => undefined },
      ],
    });
    const started = Date.now();
    const error = await rejection(pipeline.run({ runId: 'late', deadlineMs: 40 }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(signal?.aborted).toBe(true);
    expect((signal?.reason as CoreError)._tag).toBe('DeadlineExceeded');
    expect(error._tag).toBe('DeadlineExceeded');
    expect(error.context.step).toBe('models');
    expect(error.message).toContain('while step "models" was running (attempt 1)');
    const stored = storage.runLog('late');
    expect(stored.status).toBe('failed');
    expect(stored.deadline).toBeDefined();
    expect(stored.error).toMatchObject({ tag: 'DeadlineExceeded', step: 'models', attempt: 1 });
    expect(stored.steps.map((s) => s.status)).toEqual(['succeeded', 'failed', 'skipped']);
    expect(stored.steps[1]!.attempts).toBe(1); // no retry once the deadline passed
    expect(stored.steps[2]!.skipReason).toBe('deadline');
  });

  it('does not wait for a step that ignores its signal past the grace period', async () => {
    const pipeline = definePipeline({
      name: 'p',
      abortGraceMs: 20,
      steps: [{ name: 'stubborn', run: () => new Promise((r) => setTimeout(r, 300)) }],
    });
    const started = Date.now();
    const error = await rejection(pipeline.run({ deadlineMs: 20 }));
    expect(Date.now() - started).toBeLessThan(250);
    expect(error._tag).toBe('DeadlineExceeded');
    expect(error.runLog.warnings?.[0]).toMatch(/did not stop within 20 ms/);
  });

  it('fails before the first step when the deadline has already passed', async () => {
    let ran = false;
    const pipeline = definePipeline({ name: 'p', steps: [{ name: 'a', run: () => void (ran = true) }, { name: 'b', run: () => undefined }] });
    const error = await rejection(pipeline.run({ deadline: new Date(Date.now() - 1000) }));
    expect(ran).toBe(false);
    expect(error._tag).toBe('DeadlineExceeded');
    expect(error.context.step).toBe('a');
    expect(error.message).toContain('before step "a" could start');
    expect(error.runLog.steps.map((s) => s.status)).toEqual(['skipped', 'skipped']);
  });

  it('accepts a daily-window deadline function on the definition', async () => {
    let startedAt: Date | undefined;
    const pipeline = definePipeline({
      name: 'p',
      deadline: (start) => {
        startedAt = start;
        return new Date(start.getTime() + 3_600_000);
      },
      steps: [{ name: 'a', run: () => undefined }],
    });
    const log = await pipeline.run();
    expect(Date.parse(log.deadline!)).toBe(startedAt!.getTime() + 3_600_000);
  });

  it('is cancelled cleanly by an external signal', async () => {
    const storage = new MemoryStorage();
    const controller = new AbortController();
    let stepSignal: AbortSignal | undefined;
    const pipeline = definePipeline({
      name: 'p',
      storage,
      steps: [
        { name: 'first', run: () => undefined },
        {
          name: 'long',
          run: async (ctx) => {
            stepSignal = ctx.signal;
            setTimeout(() => controller.abort(new Error('operator pressed Ctrl-C')), 10);
            await wait(5_000, ctx.signal);
          },
        },
        { name: 'last', run: () => undefined },
      ],
    });
    const error = await rejection(pipeline.run({ runId: 'cancel-1', signal: controller.signal }));
    expect(stepSignal?.aborted).toBe(true);
    expect(error._tag).toBe('Cancelled');
    expect(error.context.step).toBe('long');
    expect(error.message).toContain('Run cancelled while step "long" was running (attempt 1): operator pressed Ctrl-C');
    expect((error.cause as Error).message).toBe('operator pressed Ctrl-C');
    const stored = storage.runLog('cancel-1');
    expect(stored.status).toBe('cancelled');
    expect(stored.steps.map((s) => s.status)).toEqual(['succeeded', 'cancelled', 'skipped']);
    expect(stored.steps[2]!.skipReason).toBe('cancelled');
  });

  it('does not start when the signal is already aborted', async () => {
    let ran = false;
    const pipeline = definePipeline({ name: 'p', steps: [{ name: 'a', run: () => void (ran = true) }] });
    const error = await rejection(pipeline.run({ signal: AbortSignal.abort() }));
    expect(ran).toBe(false);
    expect(error.runLog.status).toBe('cancelled');
    expect(error.runLog.steps[0]!.status).toBe('skipped');
  });

  it('rewrites the run log at each transition, so a crash shows the running step', async () => {
    const storage = new MemoryStorage();
    const snapshots: RunLog[] = [];
    const peek = (ctx: StepContext) => snapshots.push(storage.runLog(ctx.runId));
    const pipeline = definePipeline({
      name: 'p',
      storage,
      steps: [
        { name: 'one', run: (ctx) => void peek(ctx) },
        {
          name: 'two',
          retries: 1,
          retryDelayMs: 1,
          run: (ctx) => {
            peek(ctx);
            if (ctx.attempt === 1) throw retryable('blip');
          },
        },
      ],
    });
    await pipeline.run({ runId: 'crashy' });
    const [inOne, inTwo, inTwoAgain] = snapshots;
    expect(inOne).toMatchObject({ status: 'running', currentStep: 'one' });
    expect(inOne!.steps.map((s) => s.status)).toEqual(['running', 'pending']);
    expect(inOne!.endedAt).toBeUndefined();
    expect(inTwo).toMatchObject({ status: 'running', currentStep: 'two' });
    expect(inTwo!.steps.map((s) => s.status)).toEqual(['succeeded', 'running']);
    expect(inTwo!.steps[1]!.attempts).toBe(1);
    expect(inTwoAgain!.steps[1]!.attempts).toBe(2);
    expect(inTwoAgain!.steps[1]!.error?.message).toBe('blip');
    expect(storage.runLog('crashy').status).toBe('succeeded');
  });

  it('does not let a failed run log write mask the step error', async () => {
    const storage = new MemoryStorage();
    storage.failPuts = new CoreError('StorageFailure', 'disk full');
    const cause = new Error('step broke');
    const pipeline = definePipeline({ name: 'p', storage, steps: [{ name: 'a', run: () => Promise.reject(cause) }] });
    const error = await rejection(pipeline.run());
    expect(error._tag).toBe('StepFailed');
    expect(error.cause).toBe(cause);
    expect((error.logWriteError as CoreError).message).toBe('disk full');
    expect(error.runLog.status).toBe('failed');
    expect(error.runLog.warnings?.some((w) => w.includes('disk full'))).toBe(true);
    expect(storage.objects.size).toBe(0);
  });

  it('fails a successful run whose final log cannot be written, after retrying the write', async () => {
    const storage = new MemoryStorage();
    storage.failPuts = new CoreError('StorageFailure', 'throttled', { isRetryable: true });
    const pipeline = definePipeline({ name: 'p', storage, steps: [{ name: 'a', run: () => undefined }] });
    const error = await rejection(pipeline.run({ runId: 'unlogged' }));
    expect(error._tag).toBe('StorageFailure');
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain('succeeded but its run log could not be written: throttled');
    expect(error.runLog.status).toBe('succeeded');
    // run start + step start + step end (one try each) + 3 tries of the final write
    expect(storage.puts).toBe(6);
  });

  it('puts a cost estimate in the log', async () => {
    const storage = new MemoryStorage();
    const pipeline = definePipeline({
      name: 'techstore',
      storage,
      estimateCost: awsCostModel({ dpus: 2, glueDpuHourUsd: 0.44, athenaSteps: ['questions'], runsPerMonth: 30 }),
      steps: [
        { name: 'ingest', run: (ctx) => ctx.count({ bytesWritten: 2 ** 30, files: 1000 }) },
        { name: 'questions', run: (ctx) => ctx.count({ bytesRead: 2 ** 40 / 10 }) },
      ],
    });
    const log = await pipeline.run({ runId: 'priced' });
    const estimate = storage.runLog('priced').costEstimate!;
    expect(estimate).toEqual(log.costEstimate);
    expect(estimate.currency).toBe('USD');
    expect(estimate.items.map((i) => i.name)).toEqual(['glue:ingest', 'athena:questions', 's3:storage', 's3:put-requests']);
    const amount = (name: string) => estimate.items.find((i) => i.name === name)!.amount;
    expect(amount('glue:ingest')).toBeCloseTo((2 * 60 * 0.44) / 3600, 6); // 1-minute minimum
    expect(amount('athena:questions')).toBeCloseTo(0.5, 6);
    expect(amount('s3:storage')).toBeCloseTo(0.023, 6);
    expect(amount('s3:put-requests')).toBeCloseTo(0.005, 6);
    expect(estimate.total).toBeCloseTo(amount('glue:ingest') + 0.5 + 0.023 + 0.005, 6);
    expect(estimate.monthlyProjection).toBeCloseTo(estimate.total * 30, 5);
    expect(estimate.assumptions?.length).toBeGreaterThan(0);
  });

  it('records a failing cost estimator as a warning without failing the run', async () => {
    const pipeline = definePipeline({
      name: 'p',
      estimateCost: () => {
        throw new Error('no prices');
      },
      onEvent: () => {
        throw new Error('bad listener');
      },
      steps: [{ name: 'a', run: () => undefined }],
    });
    const log = await pipeline.run();
    expect(log.status).toBe('succeeded');
    expect(log.costEstimate).toBeUndefined();
    expect(log.warnings).toContain('Cost estimate failed: no prices');
    expect(log.warnings?.some((w) => w.startsWith('onEvent listener threw on run-start'))).toBe(true);
  });

  it('emits events in order for a 3-step run', async () => {
    const events: PipelineEvent[] = [];
    const storage = new MemoryStorage();
    const pipeline = definePipeline({
      name: 'p',
      storage,
      progressIntervalMs: 0,
      steps: [
        {
          name: 'a',
          run: (ctx) => {
            ctx.progress({ done: 1, total: 2, unit: 'files' });
            ctx.progress({ done: 2, total: 2, unit: 'files' });
          },
        },
        { name: 'b', retries: 1, retryDelayMs: 1, run: (ctx) => (ctx.attempt === 1 ? Promise.reject(retryable('x')) : undefined) },
        { name: 'c', skipIf: () => true, run: () => undefined },
      ],
    });
    const log = await pipeline.run({ runId: 'events', onEvent: (e) => events.push(e) });
    expect(events.map((e) => (e.type.startsWith('step') ? `${e.type}:${(e as { step: string }).step}` : e.type))).toEqual([
      'run-start',
      'step-start:a',
      'step-progress:a',
      'step-progress:a',
      'step-end:a',
      'step-start:b',
      'step-retry:b',
      'step-end:b',
      'step-end:c',
      'run-end',
    ]);
    expect(events[0]).toMatchObject({ type: 'run-start', steps: ['a', 'b', 'c'], count: 3, logKey: '_state/runs/events.json' });
    expect(events[2]).toMatchObject({ index: 0, count: 3, done: 1, total: 2, fraction: 0.5, unit: 'files' });
    expect(events[5]).toMatchObject({ type: 'step-start', index: 1, count: 3 });
    expect(events[7]).toMatchObject({ type: 'step-end', status: 'succeeded', attempts: 2 });
    expect(events[8]).toMatchObject({ type: 'step-end', status: 'skipped', index: 2, attempts: 0 });
    const end = events[9]!;
    expect(end.type === 'run-end' && end.log).toBe(log);
    expect(end).toMatchObject({ status: 'succeeded' });
    expect(log.steps[0]!.progress).toEqual({ done: 2, total: 2, unit: 'files' });
    expect(log.steps[2]).toMatchObject({ status: 'skipped', skipReason: 'skipIf' });
    // By run-end the final log is already stored.
    expect(storage.runLog('events').status).toBe('succeeded');
  });

  it('throttles progress events but always delivers completion', async () => {
    const events: PipelineEvent[] = [];
    const pipeline = definePipeline({
      name: 'p',
      progressIntervalMs: 10_000,
      onEvent: (e) => events.push(e),
      steps: [
        {
          name: 'a',
          run: (ctx) => {
            for (let done = 1; done <= 1000; done++) ctx.progress({ done, total: 1000 });
          },
        },
      ],
    });
    await pipeline.run();
    const progress = events.filter((e) => e.type === 'step-progress');
    expect(progress.map((e) => e.done)).toEqual([1, 1000]);
  });

  it('rejects bad counters and non-JSON outputs', async () => {
    const badCount = definePipeline({ name: 'p', steps: [{ name: 'a', run: (ctx) => ctx.count({ rowsIn: Number.NaN }) }] });
    const e1 = await rejection(badCount.run());
    expect((e1.cause as CoreError)._tag).toBe('InvalidArgument');

    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const badOutput = definePipeline({ name: 'p', steps: [{ name: 'a', retries: 2, run: () => circular }] });
    const e2 = await rejection(badOutput.run());
    expect(e2.message).toContain('not JSON');
    expect(e2.runLog.steps[0]!.attempts).toBe(1);
  });

  it('ignores log, progress and counts from an attempt that already ended', async () => {
    let late: StepContext | undefined;
    const pipeline = definePipeline({
      name: 'p',
      steps: [
        {
          name: 'a',
          timeoutMs: 20,
          retries: 1,
          retryDelayMs: 1,
          run: async (ctx) => {
            if (ctx.attempt === 1) {
              late = ctx;
              await wait(1_000, ctx.signal);
            }
            ctx.count({ rowsIn: 1 });
          },
        },
      ],
    });
    const log = await pipeline.run();
    late!.count({ rowsIn: 100 });
    late!.log.info('too late');
    expect(log.steps[0]).toMatchObject({ status: 'succeeded', attempts: 2, rowsIn: 1 });
    expect(log.steps[0]!.messages.some((m) => m.message === 'too late')).toBe(false);
  });

  it('keeps only the most recent messages of a chatty step', async () => {
    const pipeline = definePipeline({
      name: 'p',
      maxMessagesPerStep: 3,
      steps: [{ name: 'a', run: (ctx) => [1, 2, 3, 4, 5].forEach((n) => ctx.log.info(`m${n}`)) }],
    });
    const log = await pipeline.run();
    expect(log.steps[0]!.messages.map((m) => m.message)).toEqual(['m3', 'm4', 'm5']);
    expect(log.steps[0]!.messagesDropped).toBe(2);
  });
});

describe('a step attempt that ignores its abort', () => {
  it('is not retried while it may still be running, so two attempts never overlap', async () => {
    let running = 0;
    let maxRunning = 0;
    let started = 0;
    const finished: Promise<void>[] = [];
    const pipeline = definePipeline({
      name: 'p',
      abortGraceMs: 20,
      steps: [
        {
          name: 'stubborn-writer',
          timeoutMs: 20,
          retries: 3,
          retryDelayMs: 1,
          retryIf: () => true, // even a caller who retries everything must not get overlapping attempts
          run: () => {
            started += 1;
            running += 1;
            maxRunning = Math.max(maxRunning, running);
            const done = new Promise<void>((resolve) => setTimeout(resolve, 250)).then(() => void (running -= 1));
            finished.push(done);
            return done; // ignores ctx.signal: keeps writing after its timeout
          },
        },
      ],
    });
    const error = await rejection(pipeline.run());
    await Promise.all(finished);
    expect(started).toBe(1);
    expect(maxRunning).toBe(1);
    expect(error._tag).toBe('StepFailed');
    expect(error.context.step).toBe('stubborn-writer');
    expect((error.cause as CoreError)._tag).toBe('Timeout');
    expect(error.runLog.steps[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(error.runLog.warnings?.join('\n')).toMatch(/did not stop within 20 ms.*not retried/s);
  });

  it('is still retried when it stops within the grace period', async () => {
    let started = 0;
    const pipeline = definePipeline({
      name: 'p',
      abortGraceMs: 500,
      steps: [
        {
          name: 'polite',
          timeoutMs: 20,
          retries: 1,
          retryDelayMs: 1,
          run: async (ctx) => {
            started += 1;
            if (started === 1) await wait(5_000, ctx.signal);
            return 'ok';
          },
        },
      ],
    });
    const log = await pipeline.run();
    expect(started).toBe(2);
    expect(log.steps[0]).toMatchObject({ status: 'succeeded', attempts: 2, output: 'ok' });
  });
});
