import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CoreError } from '../errors/core-error.js';
import { LocalStorage } from './local-storage.js';
import { describeStorageSuite } from './storage-suite.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'lakeblocks-local-'));
}

describeStorageSuite('LocalStorage', async () => {
  const dir = await tempDir();
  return { storage: new LocalStorage(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

/** Every file name under `dir`, recursively, relative, `/`-separated. */
async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1).split('\\').join('/'))
    .sort();
}

function isTag(tag: CoreError['_tag']) {
  return (error: unknown) => error instanceof CoreError && error._tag === tag;
}

/** A pid that is certainly not running: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('LocalStorage (local only)', () => {
  let dir: string;
  let storage: LocalStorage;
  beforeEach(async () => {
    dir = await tempDir();
    storage = new LocalStorage(dir);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('resolves its root and uri to absolute paths', () => {
    const relative = new LocalStorage('some/relative/lake');
    expect(isAbsolute(relative.root)).toBe(true);
    expect(storage.uri('raw/orders/b1/orders.csv')).toBe(join(dir, 'raw', 'orders', 'b1', 'orders.csv'));
  });

  it('leaves no temp or lock files behind, and lists none', async () => {
    await storage.put('t/a.txt', 'a');
    await storage.put('t/a.txt', 'a2');
    const info = await storage.put('t/b.txt', 'b', { ifNoneMatch: '*' });
    await expect(storage.put('t/b.txt', 'b2', { ifNoneMatch: '*' })).rejects.toSatisfy(isTag('PreconditionFailed'));
    await expect(storage.put('t/b.txt', 'b3', { ifMatch: 'stale' })).rejects.toSatisfy(isTag('PreconditionFailed'));
    await storage.put('t/b.txt', 'b4', { ifMatch: info.etag });
    await storage.putStream('t/c.txt', Readable.from([Buffer.from('c')]));
    expect(await allFiles(dir)).toEqual(['t/a.txt', 't/b.txt', 't/c.txt']);
    // A temp file of a concurrent writer is never listed.
    await writeFile(join(dir, 't', '.d.txt.0123456789ab.tmp'), 'partial');
    await writeFile(join(dir, 't', '.d.txt.lakeblocks.lock'), `${process.pid} host now`);
    expect((await storage.list('t/')).objects.map((o) => o.key)).toEqual(['t/a.txt', 't/b.txt', 't/c.txt']);
  });

  it('refuses keys shaped like its temp and lock files', async () => {
    await expect(storage.put('t/.x.0123456789ab.tmp', 'x')).rejects.toSatisfy(isTag('InvalidArgument'));
    await expect(storage.get('t/.x.lakeblocks.lock')).rejects.toSatisfy(isTag('InvalidArgument'));
  });

  it('a putStream that errors midway leaves no file and no temp', async () => {
    async function* failing() {
      yield Buffer.alloc(64 * 1024, 1);
      yield Buffer.alloc(64 * 1024, 2);
      throw new Error('source broke');
    }
    const error = await storage.putStream('s/broken.bin', failing()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoreError);
    expect((error as CoreError)._tag).toBe('StorageFailure');
    expect((error as CoreError).message).toContain('source broke');
    expect((error as CoreError).message).toContain('s/broken.bin');
    expect(await storage.exists('s/broken.bin')).toBe(false);
    expect(await allFiles(dir)).toEqual([]);
  });

  it('a failed putStream over an existing object keeps the old content', async () => {
    await storage.put('s/keep.txt', 'old');
    const body = new Readable({
      read() {
        this.push(Buffer.from('new-partial'));
        this.destroy(new Error('network down'));
      },
    });
    await expect(storage.putStream('s/keep.txt', body)).rejects.toThrow('network down');
    expect(await readFile(join(dir, 's', 'keep.txt'), 'utf8')).toBe('old');
    expect(await allFiles(dir)).toEqual(['s/keep.txt']);
  });

  it('an aborted putStream rejects with the abort reason and leaves nothing', async () => {
    const controller = new AbortController();
    async function* slow() {
      yield Buffer.from('part one');
      controller.abort(new CoreError('Timeout', 'took too long', { isRetryable: true }));
      await new Promise((resolve) => setTimeout(resolve, 20));
      yield Buffer.from('part two');
    }
    await expect(storage.putStream('s/aborted.txt', slow(), { signal: controller.signal })).rejects.toSatisfy(
      isTag('Timeout'),
    );
    expect(await allFiles(dir)).toEqual([]);
  });

  it('of 10 concurrent ifNoneMatch writers exactly one wins', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => storage.put('race/lease.json', `writer-${i}`, { ifNoneMatch: '*' })),
    );
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(isTag('PreconditionFailed')(r.reason)).toBe(true);
    expect(await readFile(join(dir, 'race', 'lease.json'), 'utf8')).toBe(`writer-${won[0]}`);
    expect(await allFiles(dir)).toEqual(['race/lease.json']);
  });

  it('of 10 concurrent ifNoneMatch putStreams exactly one wins', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        storage.putStream('race/stream.json', Readable.from([Buffer.from(`writer-${i}`)]), { ifNoneMatch: '*' }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await allFiles(dir)).toEqual(['race/stream.json']);
  });

  it('of 10 concurrent ifMatch writers from the same version exactly one wins', async () => {
    const base = await storage.put('race/cas.json', 'v0');
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => storage.put('race/cas.json', `v1-writer-${i}`, { ifMatch: base.etag })),
    );
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(won).toHaveLength(1);
    expect(await readFile(join(dir, 'race', 'cas.json'), 'utf8')).toBe(`v1-writer-${won[0]}`);
    expect(await allFiles(dir)).toEqual(['race/cas.json']);
  });

  it('a chain of ifMatch increments from concurrent workers loses no update', async () => {
    await storage.put('race/counter', '0');
    const worker = async () => {
      for (let done = 0; done < 5; ) {
        const info = (await storage.stat('race/counter'))!;
        const value = Number(new TextDecoder().decode(await storage.get('race/counter')));
        // The value read may already be newer than `info`: then the ifMatch below fails and we retry.
        try {
          await storage.put('race/counter', String(value + 1), { ifMatch: info.etag });
          done++;
        } catch (error) {
          if (!isTag('PreconditionFailed')(error)) throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    expect(await readFile(join(dir, 'race', 'counter'), 'utf8')).toBe('20');
  });

  it('breaks a lock left by a dead process', async () => {
    // (Locks serialise ifMatch writes and deletes; unconditional puts take none.)
    const v1 = await storage.put('l/key.json', 'v1');
    await writeFile(join(dir, 'l', '.key.json.lakeblocks.lock'), `${deadPid()} ${(await import('node:os')).hostname()} x\n`);
    const started = Date.now();
    await storage.put('l/key.json', 'v2', { ifMatch: v1.etag });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await allFiles(dir)).toEqual(['l/key.json']);
  });

  it('breaks a lock older than staleLockMs', async () => {
    const lockPath = join(dir, 'l', '.key.json.lakeblocks.lock');
    const v0 = await storage.put('l/key.json', 'v0');
    await writeFile(lockPath, '1 some-other-host x\n');
    const old = new Date(Date.now() - 60_000);
    await utimes(lockPath, old, old);
    await new LocalStorage(dir, { staleLockMs: 5_000 }).put('l/key.json', 'v', { ifMatch: v0.etag });
    expect(await allFiles(dir)).toEqual(['l/key.json']);
  });

  it('keeps an old lock of a live process of this host (a paused writer), until ten times staleLockMs', async () => {
    const lockPath = join(dir, 'l', '.key.json.lakeblocks.lock');
    const v0 = await storage.put('l/key.json', 'v0');
    await writeFile(lockPath, `${process.ppid} ${(await import('node:os')).hostname()} x\n`);
    const old = new Date(Date.now() - 20_000);
    await utimes(lockPath, old, old);
    const waiting = new LocalStorage(dir, { staleLockMs: 5_000, lockTimeoutMs: 300 });
    const error = await waiting.put('l/key.json', 'v', { ifMatch: v0.etag }).catch((e: unknown) => e);
    expect(isTag('Timeout')(error)).toBe(true);
    const older = new Date(Date.now() - 60_000);
    await utimes(lockPath, older, older);
    await waiting.put('l/key.json', 'v', { ifMatch: v0.etag });
    expect(await allFiles(dir)).toEqual(['l/key.json']);
  });

  it('times out on a lock held by a live process', async () => {
    await mkdir(join(dir, 'l'), { recursive: true });
    await writeFile(join(dir, 'l', '.key.json.lakeblocks.lock'), `${process.ppid} ${(await import('node:os')).hostname()} x\n`);
    const held = new LocalStorage(dir, { lockTimeoutMs: 100 });
    const error = await held.put('l/key.json', 'v', { ifMatch: 'any' }).catch((e: unknown) => e);
    expect(isTag('Timeout')(error)).toBe(true);
    expect((error as CoreError).isRetryable).toBe(true);
    expect(await held.exists('l/key.json')).toBe(false);
    expect((await allFiles(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('delete removes the parent directories it empties, never the root', async () => {
    await storage.put('deep/er/and/deeper/x.txt', 'x');
    await storage.put('deep/keep.txt', 'k');
    await storage.delete('deep/er/and/deeper/x.txt');
    expect(await readdir(join(dir, 'deep'))).toEqual(['keep.txt']);
    await storage.delete('deep/keep.txt');
    expect(await readdir(dir)).toEqual([]);
  });

  it('a key cannot be both an object and a directory on disk', async () => {
    await storage.put('conflict/a', 'file');
    const error = await storage.put('conflict/a/b', 'nested').catch((e: unknown) => e);
    expect(isTag('StorageFailure')(error)).toBe(true);
    expect((error as CoreError).isRetryable).toBe(false);
    expect((error as CoreError).message).toContain('conflict/a/b');
    await storage.put('conflict2/a/b', 'nested');
    await expect(storage.put('conflict2/a', 'file')).rejects.toSatisfy(isTag('StorageFailure'));
    await expect(storage.put('conflict2/a', 'file', { ifNoneMatch: '*' })).rejects.toSatisfy(isTag('StorageFailure'));
    await expect(storage.get('conflict2/a')).rejects.toSatisfy(isTag('NotFound'));
    await storage.delete('conflict2/a'); // a directory: nothing to delete
    expect(await storage.exists('conflict2/a/b')).toBe(true);
  });

  it('pages with a token deep inside a nested tree without repeating or skipping', async () => {
    const keys = [
      'n/a/1', 'n/a/2', 'n/a/b/c/d/1', 'n/a/b/c/d/2', 'n/a/b/c/e', 'n/a/b-x', 'n/a/ba',
      'n/b', 'n/c/1', 'n/c/2/3/4/5/6', 'n/d',
    ];
    await Promise.all(keys.map((k) => storage.put(k, k)));
    for (const pageSize of [1, 2, 3, 4]) {
      const seen: string[] = [];
      for await (const obj of storage.listAll('n/', { pageSize })) seen.push(obj.key);
      expect(seen).toEqual([...keys].sort((x, y) => (Buffer.compare(Buffer.from(x), Buffer.from(y)))));
    }
  });

  // Root ignores permissions, so this real-permission test would pass without checking anything:
  // skip it visibly there (local-storage-fs-errors.test.ts covers the mapping with an injected EACCES).
  it.skipIf(process.platform === 'win32' || process.getuid?.() === 0)('maps permission errors to a non-retryable StorageFailure', async () => {
    await mkdir(join(dir, 'ro'));
    const { chmod } = await import('node:fs/promises');
    await chmod(join(dir, 'ro'), 0o500);
    try {
      const error = await storage.put('ro/x.txt', 'x').catch((e: unknown) => e);
      expect(isTag('StorageFailure')(error)).toBe(true);
      expect((error as CoreError).isRetryable).toBe(false);
    } finally {
      await chmod(join(dir, 'ro'), 0o700);
    }
  });

  it('etag changes on every replacement, even of equal size and content', async () => {
    const etags = new Set<string>();
    for (let i = 0; i < 50; i++) etags.add((await storage.put('e/same.txt', 'same')).etag);
    expect(etags.size).toBe(50);
    const stat = await storage.stat('e/same.txt');
    expect(etags.has(stat!.etag)).toBe(true);
  });

  it('works without fsync (durable: false)', async () => {
    const fast = new LocalStorage(dir, { durable: false });
    await fast.put('f/x.txt', 'x');
    expect(new TextDecoder().decode(await fast.get('f/x.txt'))).toBe('x');
  });

  describe('unconditional writes (no lock, cached directories)', () => {
    it('leaves no temp or lock files, and each replacement changes the etag', async () => {
      const fast = new LocalStorage(dir, { durable: false });
      const etags = new Set<string>();
      for (let i = 0; i < 20; i++) etags.add((await fast.put('s/a/b.txt', 'same')).etag);
      expect(etags.size).toBe(20);
      expect(await allFiles(dir)).toEqual(['s/a/b.txt']);
    });

    it('recreates a directory pruned by a delete (its directory cache is not trusted)', async () => {
      const fast = new LocalStorage(dir, { durable: false });
      await fast.put('p/q/one.txt', '1');
      await fast.delete('p/q/one.txt'); // prunes p/q and p
      await fast.put('p/q/two.txt', '2');
      expect(await allFiles(dir)).toEqual(['p/q/two.txt']);
    });

    it('do not wait for, nor touch, the lock of a conditional writer; ifMatch writers still wait for it', async () => {
      const fast = new LocalStorage(dir, { durable: false, lockTimeoutMs: 300 });
      const first = await fast.put('w/x.txt', 'old');
      const lock = join(dir, 'w', '.x.txt.lakeblocks.lock');
      await writeFile(lock, `${process.pid} held-elsewhere ${new Date().toISOString()}\n`);
      await fast.put('w/x.txt', 'new');
      expect(await readFile(join(dir, 'w', 'x.txt'), 'utf8')).toBe('new');
      expect(await readFile(lock, 'utf8')).toContain('held-elsewhere');
      await expect(fast.put('w/x.txt', 'cond', { ifMatch: first.etag })).rejects.toSatisfy(isTag('Timeout'));
      await rm(lock);
    });

    it('interleaved with ifMatch writers loses no conditional update', async () => {
      const fast = new LocalStorage(dir, { durable: false });
      await fast.put('c/n.txt', '0');
      const increment = async () => {
        for (;;) {
          const info = (await fast.stat('c/n.txt'))!;
          const n = Number(new TextDecoder().decode(await fast.get('c/n.txt')));
          try {
            await fast.put('c/n.txt', String(n + 1), { ifMatch: info.etag });
            return;
          } catch (error) {
            if (!isTag('PreconditionFailed')(error)) throw error;
          }
        }
      };
      const noise = async () => {
        for (let i = 0; i < 20; i++) await fast.put('c/other.txt', String(i));
      };
      await Promise.all([...Array.from({ length: 10 }, increment), noise()]);
      expect(new TextDecoder().decode(await fast.get('c/n.txt'))).toBe('10');
    });

    it('refuses a key that conflicts with a directory', async () => {
      const fast = new LocalStorage(dir, { durable: false });
      await fast.put('d/e/f.txt', 'x');
      await expect(fast.put('d/e', 'y')).rejects.toSatisfy(isTag('StorageFailure'));
      await expect(fast.put('d/e/f.txt/g', 'y')).rejects.toSatisfy(isTag('StorageFailure'));
      expect(await allFiles(dir)).toEqual(['d/e/f.txt']);
    });
  });
});
