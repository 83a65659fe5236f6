import { CoreError } from '../errors/core-error.js';

const SEGMENT = /^[a-z0-9][a-z0-9_.-]*$/;
const MAX_JOB_NAME_LENGTH = 200;

/**
 * Checks that a job name can name a bookmark in every store: one or more `/`-separated segments of
 * lower-case letters, digits, `_`, `-` and `.`, each starting with a letter or digit; no `..`; at most
 * 200 characters; not ending in `.json` or `.lease` (those suffixes name the stored files).
 * Throws CoreError `InvalidArgument` otherwise.
 *
 * @example
 * ```ts
 * assertValidJobName('raw-to-processed/orders'); // ok
 * assertValidJobName('../orders'); // throws CoreError InvalidArgument
 * ```
 */
export function assertValidJobName(job: string): void {
  const fail = (why: string): never => {
    throw new CoreError('InvalidArgument', `Invalid job name ${JSON.stringify(job)}: ${why}`, { context: { job } });
  };
  if (typeof job !== 'string' || job === '') fail('empty');
  if (job.length > MAX_JOB_NAME_LENGTH) fail(`longer than ${MAX_JOB_NAME_LENGTH} characters`);
  if (job.includes('..')) fail('contains ".."');
  for (const segment of job.split('/')) {
    if (!SEGMENT.test(segment)) {
      fail('each "/"-separated segment must match [a-z0-9][a-z0-9_.-]* (lower case, no spaces, no empty segment)');
    }
  }
  if (job.endsWith('.json') || job.endsWith('.lease')) fail('must not end in ".json" or ".lease"');
}
