import { describe, expect, it, vi } from 'vitest';
import { CoreError } from '../errors/core-error.js';
import { retry, sleep, withTimeout } from './retry.js';

const transient = () => new CoreError('StorageFailure', '503 SlowDown', { isRetryable: true });

describe('retry', () => {
  it('retries retryable errors and returns the first success', async () => {
    const fn = vi.fn().mockRejectedValueOnce(transient()).mockRejectedValueOnce(transient()).mockResolvedValue('ok');
    const onRetry = vi.fn();
    await expect(retry(fn, { attempts: 3, baseDelayMs: 1, onRetry })).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(3);
    expect(onRetry).toHaveBeenCalledTimes(2);
  });

  it('gives up after the attempts and rethrows the last error', async () => {
    const fn = vi.fn().mockRejectedValue(transient());
    await expect(retry(fn, { attempts: 2, baseDelayMs: 1 })).rejects.toThrow('503 SlowDown');
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('does not retry permanent errors', async () => {
    const fn = vi.fn().mockRejectedValue(new CoreError('NotFound', 'gone'));
    await expect(retry(fn, { attempts: 5, baseDelayMs: 1 })).rejects.toThrow('gone');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('keeps each delay under the cap (full jitter)', async () => {
    const delays: number[] = [];
    const fn = vi.fn().mockRejectedValue(transient());
    await expect(retry(fn, { attempts: 6, baseDelayMs: 4, maxDelayMs: 8, onRetry: (_e, _a, d) => delays.push(d) })).rejects.toThrow();
    expect(delays).toHaveLength(5);
    for (const d of delays) expect(d).toBeLessThanOrEqual(8);
  });
});

describe('withTimeout', () => {
  it('rejects with a retryable Timeout naming the operation and aborts the signal', async () => {
    let seen: AbortSignal | undefined;
    const started = Date.now();
    const error = await withTimeout(30, 'GetObject raw/x.csv', (signal) => {
      seen = signal;
      return new Promise(() => {});
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoreError);
    expect((error as CoreError)._tag).toBe('Timeout');
    expect((error as CoreError).isRetryable).toBe(true);
    expect((error as CoreError).message).toContain('GetObject raw/x.csv');
    expect(seen?.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('returns the result when in time and follows a parent signal', async () => {
    await expect(withTimeout(1000, 'fast', async () => 7)).resolves.toBe(7);
    const parent = new AbortController();
    const p = withTimeout(1000, 'cancellable', (signal) => sleep(10_000, signal));
    parent.abort(new Error('cancelled'));
    const q = withTimeout(1000, 'cancellable', (signal) => sleep(10_000, signal), parent.signal);
    await expect(q).rejects.toThrow('cancelled');
    await expect(Promise.race([p, sleep(1)])).resolves.toBeUndefined();
  });
});
