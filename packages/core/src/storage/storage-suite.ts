import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CoreError } from '../errors/core-error.js';
import { compareKeys } from './key-order.js';
import type { ObjectInfo, Storage } from './storage.js';

/**
 * A store under test and how to dispose of it.
 *
 * @example
 * ```ts
 * const fixture: StorageFixture = { storage: new LocalStorage(dir), cleanup: () => rm(dir, { recursive: true }) };
 * ```
 */
export interface StorageFixture {
  storage: Storage;
  cleanup(): Promise<void>;
}

/**
 * Options of {@link describeStorageSuite}: known deviations of a backend, each with its reason.
 *
 * @example
 * ```ts
 * const options: StorageSuiteOptions = { conditionalWritesUnsupported: 's3rver ignores If-None-Match/If-Match' };
 * ```
 */
export interface StorageSuiteOptions {
  /**
   * Set when the store does not enforce `ifNoneMatch` / `ifMatch` (s3rver, some S3-compatible
   * servers): the conditional-write tests are skipped, with this reason in their names.
   */
  conditionalWritesUnsupported?: string;
  /**
   * Set when the store does not list in S3's byte order for keys with characters sorting before
   * `/` (s3rver walks directories): order checks compare sets instead, and the test paging through
   * such keys is skipped, with this reason in its name.
   */
  keyOrderUnsupported?: string;
}

/**
 * The one behavioural test suite every {@link Storage} must pass, run once per backend (local
 * directory, S3 via s3rver …), in the drizzle style. `makeStorage` is called before each test and
 * must return an empty store; `cleanup` runs after it. Test-only: imports vitest, never export it
 * from a package entry.
 *
 * @example
 * ```ts
 * describeStorageSuite('LocalStorage', async () => {
 *   const dir = await mkdtemp(join(tmpdir(), 'lake-'));
 *   return { storage: new LocalStorage(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
 * });
 * ```
 */
export function describeStorageSuite(
  name: string,
  makeStorage: () => Promise<StorageFixture>,
  options: StorageSuiteOptions = {},
): void {
  describe(`Storage suite: ${name}`, () => {
    let fixture: StorageFixture;
    let storage: Storage;
    beforeEach(async () => {
      fixture = await makeStorage();
      storage = fixture.storage;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    const skipReason = options.conditionalWritesUnsupported;
    const conditional = skipReason === undefined ? it : it.skip;
    const conditionalName = (title: string) => (skipReason === undefined ? title : `${title} (skipped: ${skipReason})`);
    const orderReason = options.keyOrderUnsupported;
    const ordered = orderReason === undefined ? it : it.skip;
    const orderedName = (title: string) => (orderReason === undefined ? title : `${title} (skipped: ${orderReason})`);
    /** Listed keys equal `expected`, in order unless the store's order is known to differ. */
    const expectKeys = (listed: ObjectInfo[], expected: string[]) => {
      const keys = listed.map((o) => o.key);
      if (orderReason === undefined) expect(keys).toEqual(expected);
      else expect([...keys].sort(compareKeys)).toEqual([...expected].sort(compareKeys));
    };

    describe('put and get', () => {
      it('round-trips a string as UTF-8', async () => {
        const text = 'héllo, wörld ✓ 日本語 😀\nline 2';
        const info = await storage.put('docs/hello.txt', text, { contentType: 'text/plain; charset=utf-8' });
        expect(info.key).toBe('docs/hello.txt');
        expect(info.size).toBe(Buffer.byteLength(text));
        expect(info.etag).not.toBe('');
        expect(decode(await storage.get('docs/hello.txt'))).toBe(text);
      });

      it('round-trips binary bytes exactly', async () => {
        const bytes = new Uint8Array(512);
        for (let i = 0; i < bytes.length; i++) bytes[i] = i % 256;
        await storage.put('bin/all-bytes.bin', bytes);
        const back = await storage.get('bin/all-bytes.bin');
        expect(back).toBeInstanceOf(Uint8Array);
        expect(Buffer.from(back).equals(Buffer.from(bytes))).toBe(true);
      });

      it('round-trips an empty object', async () => {
        const info = await storage.put('empty/nothing', new Uint8Array());
        expect(info.size).toBe(0);
        expect((await storage.get('empty/nothing')).byteLength).toBe(0);
        expect((await storage.stat('empty/nothing'))?.size).toBe(0);
      });

      it('overwrites, and the etag changes', async () => {
        const first = await storage.put('over/write.txt', 'version-1');
        const second = await storage.put('over/write.txt', 'version-2'); // same size, new content
        expect(decode(await storage.get('over/write.txt'))).toBe('version-2');
        expect(second.etag).not.toBe(first.etag);
        expect((await storage.stat('over/write.txt'))?.etag).toBe(second.etag);
      });

      it('fails with NotFound for an absent key', async () => {
        await expect(storage.get('nope/missing.txt')).rejects.toSatisfy(isTag('NotFound'));
        await expect(storage.getStream('nope/missing.txt')).rejects.toSatisfy(isTag('NotFound'));
      });

      it('put returns the same info stat and list report', async () => {
        const info = await storage.put('info/a.json', '{"a":1}');
        const stat = await storage.stat('info/a.json');
        expect(stat).toMatchObject({ key: 'info/a.json', size: 7, etag: info.etag });
        expect(stat?.lastModified).toBeInstanceOf(Date);
        const listed = (await storage.list('info/')).objects;
        expect(listed).toHaveLength(1);
        expect(listed[0]).toMatchObject({ key: 'info/a.json', size: 7, etag: info.etag });
      });
    });

    describe('streams', () => {
      it('getStream reads an object', async () => {
        await storage.put('s/one.txt', 'streamed content');
        expect(decode(await readAll(await storage.getStream('s/one.txt')))).toBe('streamed content');
      });

      it('putStream writes from a Readable and from an async iterable', async () => {
        await storage.putStream('s/readable.txt', Readable.from([Buffer.from('ab'), Buffer.from('cd')]));
        expect(decode(await storage.get('s/readable.txt'))).toBe('abcd');
        async function* chunks() {
          yield new TextEncoder().encode('ef');
          yield new TextEncoder().encode('gh');
        }
        const info = await storage.putStream('s/iterable.txt', chunks());
        expect(info.size).toBe(4);
        expect(decode(await storage.get('s/iterable.txt'))).toBe('efgh');
      });

      it('putStream writes an empty stream', async () => {
        await storage.putStream('s/empty', Readable.from([]));
        expect((await storage.stat('s/empty'))?.size).toBe(0);
      });

      it('round-trips a stream of several MB', async () => {
        const size = 6 * 1024 * 1024 + 12_345;
        const expected = createHash('sha256');
        for (const chunk of pseudoRandomChunks(size, 64 * 1024, 7)) expected.update(chunk);
        const info = await storage.putStream('s/big.bin', Readable.from(pseudoRandomChunks(size, 64 * 1024, 7)));
        expect(info.size).toBe(size);
        expect((await storage.stat('s/big.bin'))?.size).toBe(size);
        const actual = createHash('sha256');
        let read = 0;
        for await (const chunk of await storage.getStream('s/big.bin')) {
          actual.update(chunk as Buffer);
          read += (chunk as Buffer).byteLength;
        }
        expect(read).toBe(size);
        expect(actual.digest('hex')).toBe(expected.digest('hex'));
      });
    });

    describe('exists, stat, delete', () => {
      it('reports, then deletes an object', async () => {
        expect(await storage.exists('d/x.txt')).toBe(false);
        expect(await storage.stat('d/x.txt')).toBeUndefined();
        await storage.put('d/x.txt', 'x');
        expect(await storage.exists('d/x.txt')).toBe(true);
        expect((await storage.stat('d/x.txt'))?.size).toBe(1);
        await storage.delete('d/x.txt');
        expect(await storage.exists('d/x.txt')).toBe(false);
        await expect(storage.get('d/x.txt')).rejects.toSatisfy(isTag('NotFound'));
      });

      it('deleting an absent key is not an error', async () => {
        await expect(storage.delete('d/never-was.txt')).resolves.toBeUndefined();
        await expect(storage.delete('never/was/at/all.txt')).resolves.toBeUndefined();
      });

      it('a prefix of an object key is not an object', async () => {
        await storage.put('dir/file.txt', 'f');
        expect(await storage.exists('dir')).toBe(false);
        expect(await storage.stat('dir')).toBeUndefined();
      });
    });

    describe('list', () => {
      it('pages through a prefix in key order', async () => {
        const keys = Array.from({ length: 25 }, (_, i) => `many/obj-${String(i).padStart(2, '0')}.txt`);
        await Promise.all(keys.map((key) => storage.put(key, key)));
        await storage.put('other/obj.txt', 'x');
        await storage.put('manyx.txt', 'x');

        const pages: ObjectInfo[][] = [];
        let token: string | undefined;
        do {
          const page = await storage.list('many/', { pageSize: 10, ...(token ? { continuationToken: token } : {}) });
          pages.push(page.objects);
          token = page.nextToken;
          expect(pages.length).toBeLessThan(10); // no endless paging
        } while (token !== undefined);

        expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
        const listed = pages.flat().map((o) => o.key);
        expect(listed).toEqual(keys);
        expect(new Set(listed).size).toBe(25);
      });

      it('has no nextToken on the last page, even when it is full', async () => {
        await Promise.all(['p/1', 'p/2', 'p/3', 'p/4'].map((k) => storage.put(k, k)));
        const first = await storage.list('p/', { pageSize: 2 });
        expect(first.objects.map((o) => o.key)).toEqual(['p/1', 'p/2']);
        expect(first.nextToken).toBeDefined();
        const second = await storage.list('p/', { pageSize: 2, continuationToken: first.nextToken! });
        expect(second.objects.map((o) => o.key)).toEqual(['p/3', 'p/4']);
        // S3 may or may not know that a full page is the last one; if it hands a token, the next page is empty.
        if (second.nextToken !== undefined) {
          const third = await storage.list('p/', { pageSize: 2, continuationToken: second.nextToken });
          expect(third).toEqual({ objects: [] });
        }
        const all = await storage.list('p/', { pageSize: 10 });
        expect(all.objects).toHaveLength(4);
        expect(all.nextToken).toBeUndefined();
      });

      it('listAll yields every object across pages', async () => {
        const keys = Array.from({ length: 25 }, (_, i) => `all/k${String(i).padStart(3, '0')}`);
        await Promise.all(keys.map((key) => storage.put(key, 'v')));
        const seen: string[] = [];
        for await (const obj of storage.listAll('all/', { pageSize: 7 })) seen.push(obj.key);
        expect(seen).toEqual(keys);
      });

      it('a prefix matches key text, so `a/b/` and `a/b` differ', async () => {
        await storage.put('a/b/1.txt', '1');
        await storage.put('a/bc/2.txt', '2');
        await storage.put('a/b.txt', '3');
        await storage.put('a/other.txt', '4');
        expectKeys((await storage.list('a/b/')).objects, ['a/b/1.txt']);
        expectKeys((await storage.list('a/b')).objects, ['a/b.txt', 'a/b/1.txt', 'a/bc/2.txt']);
        expectKeys((await storage.list('a/bc')).objects, ['a/bc/2.txt']);
      });

      ordered(orderedName('orders nested keys as S3 does (byte order, not directory order)'), async () => {
        const keys = ['o/a-b', 'o/a/c', 'o/a/c/d', 'o/a.d', 'o/ab', 'o/a/b', 'o/A', 'o/é', 'o/z', 'o/😀', 'o/\uffee'];
        // `o/a/c` and `o/a/c/d` cannot both exist on a file system; keep only storable keys.
        const storable = keys.filter((k) => k !== 'o/a/c');
        await Promise.all(storable.map((key) => storage.put(key, key)));
        const listed = (await storage.list('o/')).objects.map((o) => o.key);
        expect(listed).toEqual([...storable].sort(compareKeys));
        // and page by page, one key at a time
        const paged: string[] = [];
        for await (const obj of storage.listAll('o/', { pageSize: 1 })) paged.push(obj.key);
        expect(paged).toEqual(listed);
      });

      it('lists the whole store with an empty prefix, and nothing for an absent prefix', async () => {
        await storage.put('x/1', '1');
        await storage.put('y/2', '2');
        expect((await storage.list('')).objects.map((o) => o.key)).toEqual(['x/1', 'y/2']);
        expect(await storage.list('nothing/here/')).toEqual({ objects: [] });
      });
    });

    describe('keys', () => {
      it.each(['../x', '/abs', 'a//b', 'a/./b', 'a/../b', '', 'back\\slash'])('rejects the key %j', async (key) => {
        await expect(storage.put(key, 'x')).rejects.toSatisfy(isTag('InvalidArgument'));
        await expect(storage.get(key)).rejects.toSatisfy(isTag('InvalidArgument'));
        await expect(storage.delete(key)).rejects.toSatisfy(isTag('InvalidArgument'));
        await expect(storage.stat(key)).rejects.toSatisfy(isTag('InvalidArgument'));
        expect(() => storage.uri(key)).toThrow(CoreError);
      });

      it('rejects invalid list prefixes', async () => {
        await expect(storage.list('../')).rejects.toSatisfy(isTag('InvalidArgument'));
        await expect(storage.list('/abs/')).rejects.toSatisfy(isTag('InvalidArgument'));
      });

      it('uri places the key under the root', () => {
        const uri = storage.uri('raw/orders/b1/orders.csv');
        expect(uri.startsWith(storage.root)).toBe(true);
        expect(uri.endsWith('orders.csv')).toBe(true);
      });
    });

    describe('conditional writes', () => {
      conditional(conditionalName('ifNoneMatch "*" creates once, then fails with PreconditionFailed'), async () => {
        await storage.put('c/once.txt', 'first', { ifNoneMatch: '*' });
        await expect(storage.put('c/once.txt', 'second', { ifNoneMatch: '*' })).rejects.toSatisfy(
          isTag('PreconditionFailed'),
        );
        await expect(
          storage.putStream('c/once.txt', Readable.from([Buffer.from('third')]), { ifNoneMatch: '*' }),
        ).rejects.toSatisfy(isTag('PreconditionFailed'));
        expect(decode(await storage.get('c/once.txt'))).toBe('first');
      });

      conditional(conditionalName('ifMatch with a stale etag fails; with the current etag succeeds'), async () => {
        const v1 = await storage.put('c/cas.json', '{"v":1}');
        const v2 = await storage.put('c/cas.json', '{"v":2}');
        await expect(storage.put('c/cas.json', '{"v":3}', { ifMatch: v1.etag })).rejects.toSatisfy(
          isTag('PreconditionFailed'),
        );
        expect(decode(await storage.get('c/cas.json'))).toBe('{"v":2}');
        const v3 = await storage.put('c/cas.json', '{"v":3}', { ifMatch: v2.etag });
        expect(v3.etag).not.toBe(v2.etag);
        expect(decode(await storage.get('c/cas.json'))).toBe('{"v":3}');
      });

      conditional(conditionalName('ifMatch on an absent key fails with PreconditionFailed'), async () => {
        await expect(storage.put('c/absent.json', '{}', { ifMatch: 'abc' })).rejects.toSatisfy(
          isTag('PreconditionFailed'),
        );
        expect(await storage.exists('c/absent.json')).toBe(false);
      });

      it('rejects ifNoneMatch values other than "*"', async () => {
        await expect(
          storage.put('c/bad.txt', 'x', { ifNoneMatch: 'etag' as unknown as '*' }),
        ).rejects.toSatisfy(isTag('InvalidArgument'));
      });
    });

    describe('abort', () => {
      it('put with an aborted signal writes nothing', async () => {
        const controller = new AbortController();
        controller.abort(new Error('stop'));
        await expect(storage.put('ab/x.txt', 'x', { signal: controller.signal })).rejects.toThrow('stop');
        expect(await storage.exists('ab/x.txt')).toBe(false);
      });
    });
  });
}

/** A predicate for `rejects.toSatisfy`: a {@link CoreError} with this tag. */
function isTag(tag: CoreError['_tag']) {
  return (error: unknown) => error instanceof CoreError && error._tag === tag;
}

function decode(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/**
 * Deterministic pseudo-random bytes (xorshift), `size` in total, in chunks of `chunkSize`: test
 * bodies that do not compress and can be regenerated to check a read-back.
 *
 * @example
 * ```ts
 * await storage.putStream('big.bin', Readable.from(pseudoRandomChunks(12 * 1024 * 1024, 64 * 1024, 42)));
 * ```
 */
export function* pseudoRandomChunks(size: number, chunkSize: number, seed = 1): Generator<Buffer> {
  let state = seed >>> 0 || 1;
  for (let done = 0; done < size; done += chunkSize) {
    const chunk = Buffer.allocUnsafe(Math.min(chunkSize, size - done));
    for (let i = 0; i < chunk.length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      chunk[i] = state & 0xff;
    }
    yield chunk;
  }
}
