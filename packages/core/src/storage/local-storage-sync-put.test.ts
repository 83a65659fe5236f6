/**
 * The synchronous fast path of `LocalStorage.put` (small, unconditional, `durable: false`): which
 * puts take it, and that it keeps the guarantees of the thread-pool path. Temp-file opens of both
 * paths are counted, and failures injected, by wrapping `node:fs` and `node:fs/promises`.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CoreError } from '../errors/core-error.js';
import { LocalStorage } from './local-storage.js';

const opened = vi.hoisted(() => ({ sync: 0, async: 0 }));

function injected(code: string, syscall: string, path = ''): Error {
  return Object.assign(new Error(`${code}: injected failure, ${syscall} '${path}'`), { code, syscall, path });
}

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return {
    ...actual,
    openSync: (...args: Parameters<typeof actual.openSync>) => {
      const path = String(args[0]);
      if (path.endsWith('.tmp')) opened.sync++;
      if (path.includes(`${sep}busy${sep}`)) throw injected('EMFILE', 'open', path);
      return actual.openSync(...args);
    },
    writeSync: (...args: Parameters<typeof actual.writeSync>) => {
      const data: unknown = args[1];
      if (data instanceof Uint8Array && Buffer.from(data.subarray(0, 4)).toString() === 'FULL') throw injected('ENOSPC', 'write');
      return actual.writeSync(...args);
    },
  };
});

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    open: async (...args: Parameters<typeof actual.open>) => {
      if (String(args[0]).endsWith('.tmp')) opened.async++;
      return actual.open(...args);
    },
  };
});

/** Every file name under `dir`, recursively, relative, `/`-separated (temp files included). */
async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1).split(sep).join('/'))
    .sort();
}

describe('LocalStorage synchronous puts (small, unconditional, durable: false)', () => {
  let dir: string;
  let fast: LocalStorage;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakeblocks-syncput-'));
    fast = new LocalStorage(dir, { durable: false });
    opened.sync = 0;
    opened.async = 0;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('take small bodies only; large, durable, conditional and streamed writes use the thread pool', async () => {
    const small = new Uint8Array(9 * 1024).fill(1);
    const limit = new Uint8Array(1024 * 1024).fill(2);
    const large = new Uint8Array(1024 * 1024 + 1).fill(3);
    await fast.put('k/small.bin', small);
    await fast.put('k/limit.bin', limit);
    await fast.put('k/text.txt', 'text');
    expect(opened).toEqual({ sync: 3, async: 0 });

    await fast.put('k/large.bin', large);
    expect(opened).toEqual({ sync: 3, async: 1 });
    expect(Buffer.from(await fast.get('k/large.bin')).equals(Buffer.from(large))).toBe(true);
    expect(Buffer.from(await fast.get('k/limit.bin')).equals(Buffer.from(limit))).toBe(true);

    const created = await fast.put('k/cond.txt', 'a', { ifNoneMatch: '*' });
    await fast.put('k/cond.txt', 'b', { ifMatch: created.etag });
    await fast.putStream('k/stream.txt', Readable.from([Buffer.from('s')]));
    await new LocalStorage(dir).put('k/durable.txt', 'd');
    await new LocalStorage(dir, { durable: false, syncPutMaxBytes: 0 }).put('k/off.txt', '');
    await new LocalStorage(dir, { durable: false, syncPutMaxBytes: 100 }).put('k/over.txt', 'x'.repeat(101));
    expect(opened).toEqual({ sync: 3, async: 7 });
    expect(await allFiles(dir)).toEqual(
      ['cond.txt', 'durable.txt', 'large.bin', 'limit.bin', 'off.txt', 'over.txt', 'small.bin', 'stream.txt', 'text.txt'].map((n) => `k/${n}`),
    );
  });

  it('change the etag on every write, and return the etag and size stat reports', async () => {
    const etags = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const info = await fast.put('e/same.bin', 'same bytes');
      expect(info).toMatchObject({ key: 'e/same.bin', size: 10 });
      expect(await fast.stat('e/same.bin')).toEqual(info);
      etags.add(info.etag);
    }
    expect(etags.size).toBe(50);
    expect(opened.sync).toBe(50);
  });

  it('stamp each file with its own microsecond mtime, strictly later than the one before', async () => {
    const mtimes: bigint[] = [];
    for (let i = 0; i < 20; i++) {
      await fast.put(`m/${i}.txt`, 'x');
      mtimes.push((await stat(join(dir, 'm', `${i}.txt`), { bigint: true })).mtimeNs);
    }
    for (let i = 1; i < mtimes.length; i++) expect(mtimes[i]! > mtimes[i - 1]!).toBe(true);
    expect(mtimes.filter((ns) => ns % 1000n !== 0n)).toEqual([]); // stamped by the writer, not the kernel's clock
    expect(opened.sync).toBe(20);
  });

  it('create the parent directories, and write the exact bytes', async () => {
    const body = new Uint8Array(9000).map((_, i) => i % 251);
    await fast.put('t/year=2024/month=01/day=02/part-0.parquet', body);
    expect(new Uint8Array(await readFile(join(dir, 't', 'year=2024', 'month=01', 'day=02', 'part-0.parquet')))).toEqual(body);
    expect(await allFiles(dir)).toEqual(['t/year=2024/month=01/day=02/part-0.parquet']);
  });

  it('survive their directory being removed behind their back (the directory cache is not trusted)', async () => {
    await fast.put('p/q/one.txt', '1');
    await rm(join(dir, 'p'), { recursive: true }); // another process, or a delete pruning it
    await fast.put('p/q/two.txt', '2');
    await fast.delete('p/q/two.txt'); // prunes p/q and p
    await fast.put('p/q/three.txt', '3');
    expect(await allFiles(dir)).toEqual(['p/q/three.txt']);
    expect(opened.sync).toBe(5); // each removal costs one retry after ENOENT, from the cached directory
  });

  it('remove their temp file when the key is a directory, and fail with a StorageFailure', async () => {
    await mkdir(join(dir, 'd', 'e'), { recursive: true });
    const error = await fast.put('d/e', 'y').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoreError);
    expect((error as CoreError)._tag).toBe('StorageFailure');
    expect((error as CoreError).isRetryable).toBe(false);
    expect(opened.sync).toBe(1);
    expect(await readdir(join(dir, 'd'))).toEqual(['e']);
    expect(await readdir(join(dir, 'd', 'e'))).toEqual([]);
  });

  it('remove their temp file when writing fails, keep the old object, and map the error', async () => {
    await fast.put('w/x.bin', 'old');
    const error = await fast.put('w/x.bin', 'FULL disk').catch((e: unknown) => e);
    expect((error as CoreError)._tag).toBe('StorageFailure');
    expect((error as CoreError).isRetryable).toBe(false);
    expect((error as CoreError).message).toContain('ENOSPC');
    expect((error as CoreError).context).toMatchObject({ key: 'w/x.bin' });
    expect(await allFiles(dir)).toEqual(['w/x.bin']);
    expect(await readFile(join(dir, 'w', 'x.bin'), 'utf8')).toBe('old');
  });

  it('map a failure to create the temp file as the thread-pool path does (EMFILE: retryable)', async () => {
    const error = await fast.put('busy/x.bin', 'x').catch((e: unknown) => e);
    expect((error as CoreError)._tag).toBe('StorageFailure');
    expect((error as CoreError).isRetryable).toBe(true);
    expect(await readdir(join(dir, 'busy'))).toEqual([]);
  });

  it('honour an aborted signal, writing nothing', async () => {
    const reason = new Error('stop');
    const error = await fast.put('a/x.txt', 'x', { signal: AbortSignal.abort(reason) }).catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(await allFiles(dir)).toEqual([]);
    await fast.put('a/x.txt', 'x', { signal: new AbortController().signal });
    expect(await allFiles(dir)).toEqual(['a/x.txt']);
  });

  it('let the event loop turn during a long run of puts awaited back to back', async () => {
    let fired = false;
    setTimeout(() => (fired = true), 0);
    const started = performance.now();
    let puts = 0;
    // Without a yield, nothing but promise callbacks would run between these puts: the timer
    // would wait for the whole loop (two seconds).
    while (!fired && performance.now() - started < 2000) await fast.put(`y/${puts++ % 20}.txt`, 'x');
    expect(fired).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(opened.async).toBe(0);
  });

  it('let the event loop turn during many puts started together (Promise.all)', async () => {
    let writtenWhenFired: number | undefined;
    setTimeout(() => (writtenWhenFired = opened.sync), 0);
    // 3,000 puts started at once: each checks the run's length before writing, so the timer fires
    // long before the last one is written (without that check all 3,000 were written in one go).
    await Promise.all(Array.from({ length: 3_000 }, (_, i) => fast.put(`p/${i % 50}.txt`, 'x')));
    expect(opened.sync).toBe(3_000);
    expect(writtenWhenFired).toBeDefined();
    expect(writtenWhenFired!).toBeLessThan(3_000);
  });

  it('do not hang under fake timers (the yield is not a timer a test can freeze)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval'] });
    try {
      const started = performance.now();
      let puts = 0;
      // Long enough for several yields; a yield on a frozen timer would never return (test timeout).
      while (performance.now() - started < 50 && puts < 100_000) await fast.put(`z/${puts++ % 20}.txt`, 'x');
      expect(performance.now() - started).toBeGreaterThanOrEqual(50);
    } finally {
      vi.useRealTimers();
    }
  });
});
