import { CoreError } from '../errors/core-error.js';
import type { BookmarkState } from './bookmark.js';
import type { Lease } from './bookmark-store.js';
import { assertValidJobName } from './job-name.js';

/**
 * The `LeaseHeld` error a store throws when another run holds a job's lease: names the job, the
 * holder and when its lease lapses. Retryable (the holder will finish or its lease will expire).
 *
 * @example
 * ```ts
 * throw leaseHeldError('raw-to-processed/orders', { owner: 'host:42', expiresAt: new Date() }, store.location);
 * ```
 */
export function leaseHeldError(
  job: string,
  holder: { owner?: string | undefined; expiresAt?: Date | undefined } | undefined,
  location: string,
  cause?: unknown,
): CoreError {
  const who = holder?.owner ? JSON.stringify(holder.owner) : 'another run';
  const until = holder?.expiresAt ? ` until ${holder.expiresAt.toISOString()}` : '';
  return new CoreError(
    'LeaseHeld',
    `Job ${JSON.stringify(job)} is already running: its bookmark lease is held by ${who}${until}. ` +
      'Wait for that run to finish (or its lease to expire), or pass waitMs to begin()',
    {
      isRetryable: true,
      context: { job, owner: holder?.owner, expiresAt: holder?.expiresAt?.toISOString(), location },
      cause,
    },
  );
}

/**
 * The `LeaseLost` error a store throws when a run's lease expired, was released or was taken over
 * before it committed; nothing was written. Not retryable: the run must start again with `begin`.
 *
 * @example
 * ```ts
 * throw leaseLostError('raw-to-processed/orders', 'it expired at 2025-01-01T00:00:00.000Z', store.location);
 * ```
 */
export function leaseLostError(job: string, why: string, location: string, cause?: unknown): CoreError {
  return new CoreError(
    'LeaseLost',
    `Run of job ${JSON.stringify(job)} no longer holds its bookmark lease (${why}); nothing was committed. ` +
      'Start a new run; renew() the lease during long runs',
    { context: { job, location }, cause },
  );
}

/**
 * Checks that a bookmark is written under its own job's lease and that the job name is valid;
 * returns the job. Shared by every {@link BookmarkStore} implementation.
 *
 * @example
 * ```ts
 * const job = assertLeaseCovers(lease, next); // throws InvalidArgument when next.job !== lease.job
 * ```
 */
export function assertLeaseCovers(lease: Lease, next: BookmarkState): string {
  const job = lease.job;
  assertValidJobName(job);
  if (next.job !== job) {
    throw new CoreError('InvalidArgument', `Bookmark of job ${JSON.stringify(next.job)} written under the lease of ${JSON.stringify(job)}`, {
      context: { job },
    });
  }
  return job;
}
