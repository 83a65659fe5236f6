import { randomInt } from 'node:crypto';
import { CoreError } from '../errors/core-error.js';
import { lakeLayout } from '../layout/lake-layout.js';

const SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * A new run id: the UTC start time, made filename-safe, then 6 random characters
 * (`2025-01-31T23-07-42-123Z-k3x9qa`). Ids sort by start time as plain strings (for years
 * 0000–9999); two runs started in the same millisecond differ by their random suffix.
 *
 * @example
 * ```ts
 * const runId = newRunId(); // '2025-01-31T23-07-42-123Z-k3x9qa'
 * ```
 */
export function newRunId(now: Date = new Date()): string {
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return `${now.toISOString().replace(/[:.]/g, '-')}-${suffix}`;
}

/**
 * Checks that a caller-supplied run id is usable as a file name and a single storage key segment:
 * 1–200 characters of `A–Z a–z 0–9 . _ -`, starting with a letter or digit. Throws an
 * `InvalidArgument` {@link CoreError} otherwise.
 *
 * @example
 * ```ts
 * assertValidRunId('nightly-2025-01-31'); // ok
 * assertValidRunId('../evil'); // throws
 * ```
 */
export function assertValidRunId(runId: string): void {
  if (typeof runId !== 'string' || !RUN_ID_PATTERN.test(runId)) {
    throw new CoreError(
      'InvalidArgument',
      `Invalid run id ${JSON.stringify(runId)}: use 1-200 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit`,
    );
  }
}

/**
 * The storage key of a run's log: `_state/runs/<run-id>.json`.
 *
 * @example
 * ```ts
 * runLogKey('2025-01-31T23-07-42-123Z-k3x9qa'); // '_state/runs/2025-01-31T23-07-42-123Z-k3x9qa.json'
 * ```
 */
export function runLogKey(runId: string): string {
  assertValidRunId(runId);
  return lakeLayout.runLogFile(runId);
}
