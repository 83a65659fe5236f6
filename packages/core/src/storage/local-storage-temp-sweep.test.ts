/**
 * LocalStorage.sweepTempFiles: temp files of writers killed mid-write are removed, a live writer's
 * never are. The killed writer is a real child process SIGKILLed while its putStream is open.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalStorage } from './local-storage.js';

const TSX = createRequire(import.meta.url).resolve('tsx');
const MODULE = fileURLToPath(new URL('./local-storage.ts', import.meta.url));
const HOST_TAG = createHash('sha1').update(hostname()).digest('hex').slice(0, 8);

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'lakeblocks-sweep-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

const tempsIn = async (dir: string) => (await readdir(dir)).filter((n) => n.endsWith('.tmp')).sort();

/** A child process that opens a putStream to `key`, writes a little, prints "writing", and waits forever. */
function startWriter(key: string) {
  const script = `
    const { LocalStorage } = await import(${JSON.stringify(MODULE)});
    const { PassThrough } = await import('node:stream');
    const body = new PassThrough();
    void new LocalStorage(${JSON.stringify(root)}).putStream(${JSON.stringify(key)}, body);
    body.write(Buffer.alloc(64 * 1024, 1));
    setTimeout(() => console.log('writing'), 200);
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--import', TSX, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (t: string) => t.includes('writing') && resolve());
    child.once('exit', (code) => reject(new Error(`writer exited with ${code}: ${stderr}`)));
  });
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  return { child, ready, kill };
}

describe('LocalStorage.sweepTempFiles', () => {
  it('removes the temp file of a SIGKILLed writer, never that of a live one', async () => {
    const dead = startWriter('processed/t/part-00000.parquet');
    const live = startWriter('processed/t/part-00001.parquet');
    try {
      await Promise.all([dead.ready, live.ready]);
      const dir = join(root, 'processed', 't');
      const before = await tempsIn(dir);
      expect(before).toHaveLength(2);
      for (const name of before) expect(name).toMatch(new RegExp(`\\.${HOST_TAG}-\\d+\\.tmp$`));
      await dead.kill();

      const storage = new LocalStorage(root);
      const { removed, kept } = await storage.sweepTempFiles('processed/');
      expect(removed).toEqual([join(dir, before.find((n) => n.startsWith('.part-00000.parquet.'))!)]);
      expect(kept).toBe(1);
      expect(await tempsIn(dir)).toEqual(before.filter((n) => n.startsWith('.part-00001.parquet.')));
      // Neither the temp files nor their removal are visible to readers.
      expect(await storage.exists('processed/t/part-00000.parquet')).toBe(false);
      expect((await storage.list('processed/')).objects).toEqual([]);
    } finally {
      await dead.kill();
      await live.kill();
    }
  });

  it('keeps temp files it cannot attribute to a dead process of this host; never removes data', async () => {
    const storage = new LocalStorage(root);
    await storage.put('a/b/data.parquet', 'data');
    const dir = join(root, 'a', 'b');
    await mkdir(dir, { recursive: true });
    const names = [
      `.x.parquet.0123456789ab.${HOST_TAG}-${process.pid}.tmp`, // this (live) process
      `.x.parquet.0123456789ac.00000000-999999999.tmp`, // another host
      `.x.parquet.0123456789ad.tmp`, // older format: owner unknown
      `.x.parquet.0123456789ae.${HOST_TAG}-999999999.tmp`, // dead pid of this host: removed
    ];
    for (const n of names) await writeFile(join(dir, n), 'partial');
    const { removed, kept } = await storage.sweepTempFiles();
    expect(removed).toEqual([join(dir, names[3]!)]);
    expect(kept).toBe(3);
    expect(await tempsIn(dir)).toEqual(names.slice(0, 3).sort());
    expect(new TextDecoder().decode(await storage.get('a/b/data.parquet'))).toBe('data');
    expect(await storage.sweepTempFiles('missing/')).toEqual({ removed: [], kept: 0 });
  });
});
