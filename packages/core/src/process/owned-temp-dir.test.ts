import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOwnedTempDir, sweepDeadOwnerTempDirs } from './owned-temp-dir.js';

/** The pid of a process that has exited (and was reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('owned scratch directories', () => {
  let parent: string;
  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'owned-temp-test-'));
  });
  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('names the owner, and a new one removes those of dead owners only', async () => {
    const ns = /\[(\d+)\]/.exec(await readlink('/proc/self/ns/pid').catch(() => ''))?.[1];
    const host = `${hostname()}${ns === undefined ? '' : `.ns${ns}`}`.replace(/[^A-Za-z0-9.-]/g, '_');
    const dead = join(parent, `spill-${host}~${deadPid()}-abc123`);
    const alive = join(parent, `spill-${host}~${process.ppid}-def456`);
    const otherHost = join(parent, `spill-elsewhere~${deadPid()}-ghi789`);
    const otherNamespace = join(parent, `spill-${hostname().replace(/[^A-Za-z0-9.-]/g, '_')}.ns1~${deadPid()}-mno345`);
    const unrelated = join(parent, 'spill-no-owner');
    const otherPrefix = join(parent, `stage-${host}~${deadPid()}-jkl012`);
    for (const dir of [dead, alive, otherHost, otherNamespace, unrelated, otherPrefix]) {
      await mkdir(dir);
      await writeFile(join(dir, 'data.tmp'), 'x');
    }
    const mine = await createOwnedTempDir('spill-', parent);
    expect(basename(mine)).toMatch(new RegExp(`^spill-${host.replace(/\./g, '\\.')}~${process.pid}-`));
    const left = (await readdir(parent)).sort();
    expect(left).toEqual([basename(alive), basename(otherHost), basename(otherNamespace), basename(mine), basename(otherPrefix), basename(unrelated)].sort());
    // Our own directory is never swept, even by a second call.
    expect(await sweepDeadOwnerTempDirs('spill-', parent)).toEqual([]);
  });

  it('a missing parent sweeps nothing', async () => {
    expect(await sweepDeadOwnerTempDirs('spill-', join(parent, 'absent'))).toEqual([]);
  });
});
