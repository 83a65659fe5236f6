import { randomInt } from 'node:crypto';
import { assertValidRunId, lakeLayout } from '../layout/lake-layout.js';

export { assertValidRunId };

const SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

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
 * The storage key of a run's log: `_state/runs/<run-id>.json`.
 *
 * @example
 * ```ts
 * runLogKey('2025-01-31T23-07-42-123Z-k3x9qa'); // '_state/runs/2025-01-31T23-07-42-123Z-k3x9qa.json'
 * ```
 */
export function runLogKey(runId: string): string {
  return lakeLayout.runLogFile(runId);
}
