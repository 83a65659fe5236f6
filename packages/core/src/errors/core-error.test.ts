import { describe, expect, it } from 'vitest';
import { CoreError, isRetryable } from './core-error.js';

describe('CoreError', () => {
  it('carries a tag, cause, retryability and names what it concerns', () => {
    const cause = new Error('ECONNRESET');
    const error = new CoreError('StorageFailure', 'Could not write object', {
      cause,
      isRetryable: true,
      context: { table: 'orders', key: 'processed/orders/part-0.parquet', step: undefined },
    });
    expect(error).toBeInstanceOf(Error);
    expect(error._tag).toBe('StorageFailure');
    expect(error.cause).toBe(cause);
    expect(error.isRetryable).toBe(true);
    expect(error.message).toBe('Could not write object (table="orders", key="processed/orders/part-0.parquet")');
    expect(isRetryable(error)).toBe(true);
  });

  it('defaults to permanent and judges foreign errors by their own flag', () => {
    expect(new CoreError('NotFound', 'x').isRetryable).toBe(false);
    expect(isRetryable(new Error('x'))).toBe(false);
    expect(isRetryable({ isRetryable: true })).toBe(true);
    expect(isRetryable(null)).toBe(false);
  });
});
