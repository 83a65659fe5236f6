import { CoreError, isRetryable } from '../errors/core-error.js';

/** How {@link retry} spaces and bounds its attempts. */
export interface RetryOptions {
  /** Total attempts, the first included (default 4). */
  attempts?: number;
  /** Delay before the first retry in ms; doubles each time, with full jitter (default 100). */
  baseDelayMs?: number;
  /** Cap on a single delay in ms (default 5000). */
  maxDelayMs?: number;
  /** Which errors are worth another attempt (default: {@link isRetryable}). */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Called before each retry; handy for logs and progress. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Aborts waiting between attempts. */
  signal?: AbortSignal;
}

/**
 * Runs `fn` until it succeeds, retrying errors that `shouldRetry` accepts with exponential backoff
 * and full jitter (AWS's recommendation against synchronised retry storms). The last error is
 * rethrown unchanged once the attempts are spent.
 *
 * @example
 * ```ts
 * const body = await retry(() => storage.get('raw/orders/b1/orders.csv'), { attempts: 5 });
 * ```
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 4);
  const base = options.baseDelayMs ?? 100;
  const cap = options.maxDelayMs ?? 5000;
  const shouldRetry = options.shouldRetry ?? ((e: unknown) => isRetryable(e));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts || !shouldRetry(error, attempt) || options.signal?.aborted) throw error;
      const delay = Math.round(Math.random() * Math.min(cap, base * 2 ** (attempt - 1)));
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}

/**
 * Resolves after `ms` milliseconds, or rejects early when `signal` aborts.
 *
 * @example
 * ```ts
 * await sleep(250);
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `fn` with an `AbortSignal` that fires after `ms`; if `fn` has not settled by then the
 * returned promise rejects with a retryable `Timeout` {@link CoreError} naming `what`, even if `fn`
 * ignores the signal. Nothing in lakeblocks waits on the network without such a bound.
 *
 * @example
 * ```ts
 * const rows = await withTimeout(10_000, 'SELECT from orders', (signal) => query(sql, { signal }));
 * ```
 */
export async function withTimeout<T>(
  ms: number,
  what: string,
  fn: (signal: AbortSignal) => Promise<T>,
  parent?: AbortSignal,
): Promise<T> {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new CoreError('Timeout', `${what} did not finish within ${ms} ms`, { isRetryable: true });
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([fn(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
  }
}
