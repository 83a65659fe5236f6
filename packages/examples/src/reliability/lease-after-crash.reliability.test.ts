/**
 * DESIGN decision 5 says a crash anywhere leaves a lake the next run finishes; decision 6 says a
 * second concurrent run is refused. A run SIGKILLed while it holds a bookmark lease must therefore
 * not block the next run until the lease's TTL (15 min by default) runs out: its owner
 * (`<host>:<pid>`) is provably dead on this host. The full pipeline version of this case is in
 * `techstore-crash.reliability.slow.test.ts`; this one takes a second.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreError, JobBookmarks, LocalStorage, StorageBookmarkStore } from '@lakeblocks/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLocalLeases } from './lake-state.js';
import { REPO_ROOT } from './pipeline-process.js';

const HOLDER = join(dirname(fileURLToPath(import.meta.url)), 'hold-lease.ts');
const TSX = createRequire(import.meta.url).resolve('tsx');
let lake: string;
beforeAll(async () => {
  lake = await mkdtemp(join(tmpdir(), 'lakeblocks-lease-'));
});
afterAll(() => rm(lake, { recursive: true, force: true }));

/** Runs hold-lease.ts until it holds the lease, then SIGKILLs it. */
async function holdAndDie(job: string): Promise<number> {
  const child = spawn(process.execPath, ['--import', TSX, '--conditions=@lakeblocks/source', HOLDER, lake, job], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (t: string) => t.includes('held') && resolve());
    child.once('exit', (code) => reject(new Error(`hold-lease exited with ${code}: ${stderr}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  return child.pid ?? -1;
}

describe('a bookmark lease left by a SIGKILLed run', () => {
  it('is recognisable: unreleased, unexpired, owned by a dead process of this host', async () => {
    const pid = await holdAndDie('raw-to-processed/orders');
    expect((await deadLocalLeases(lake)).map((d) => d.owner)).toEqual([expect.stringMatching(new RegExp(`:${pid}$`))]);
    // A live holder still keeps others out: the same check against a process that is alive (this one)
    // must refuse, naming the owner.
    const live = await new JobBookmarks(new StorageBookmarkStore(new LocalStorage(lake)), { owner: `${hostname()}:${process.pid}` }).begin('raw-to-processed/live');
    const error = await new JobBookmarks(new StorageBookmarkStore(new LocalStorage(lake))).begin('raw-to-processed/live').then(
      (run) => run.release().then(() => undefined),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CoreError);
    expect((error as CoreError)._tag).toBe('LeaseHeld');
    expect((error as CoreError).message).toContain(`:${process.pid}`);
    await live.release();
  });

  // Was a bug (the next run failed with LeaseHeld for up to 15 minutes after a crash): a lease of a
  // dead owner on the same host is now taken over at once (StorageBookmarkStore.acquireLease).
  it('does not stop the next run from taking the job', async () => {
    await holdAndDie('raw-to-processed/customers');
    const run = await new JobBookmarks(new StorageBookmarkStore(new LocalStorage(lake))).begin('raw-to-processed/customers');
    await run.release();
  });
});
