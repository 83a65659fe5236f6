import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreError } from '../errors/core-error.js';
import { describeStorageSuite, pseudoRandomChunks } from '../storage/storage-suite.js';
import { startS3rver } from '../testing/s3rver.js';
import type { S3rverHandle } from '../testing/s3rver.js';
import { S3Storage } from './s3-storage.js';

let s3: S3rverHandle;
let run = 0;

beforeAll(async () => {
  s3 = await startS3rver({ bucket: 'lake' });
});
afterAll(async () => {
  await s3?.close();
});

/** A fresh prefix per test, so each test starts with an empty store. */
function freshStorage(options: Partial<ConstructorParameters<typeof S3Storage>[1]> = {}): S3Storage {
  run++;
  return new S3Storage(`s3://${s3.bucket}/run-${run}`, {
    client: s3.client,
    timeoutMs: 10_000,
    retry: { attempts: 3, baseDelayMs: 10 },
    ...options,
  });
}

describeStorageSuite(
  'S3Storage on s3rver',
  async () => ({ storage: freshStorage(), cleanup: async () => undefined }),
  {
    conditionalWritesUnsupported: 's3rver ignores If-None-Match/If-Match on writes',
    keyOrderUnsupported: 's3rver lists in directory-walk order, not byte order',
  },
);

describe('S3Storage on s3rver (S3 only)', () => {
  it('uploads 12 MiB in 5 MiB multipart parts and reads it back', async () => {
    const storage = freshStorage({ partSize: 5 * 1024 * 1024, queueSize: 2 });
    const size = 12 * 1024 * 1024;
    const expected = createHash('sha256');
    for (const chunk of pseudoRandomChunks(size, 256 * 1024, 42)) expected.update(chunk);

    const info = await storage.putStream('big/multipart.bin', Readable.from(pseudoRandomChunks(size, 256 * 1024, 42)));
    expect(info.size).toBe(size);
    // AWS: md5-of-part-md5s then "-3" (5 + 5 + 2 MiB); s3rver: plain md5 of the content.
    expect(info.etag).toMatch(/^[0-9a-f]{32}(-3)?$/);
    const stat = await storage.stat('big/multipart.bin');
    expect(stat).toMatchObject({ size, etag: info.etag });

    const actual = createHash('sha256');
    for await (const chunk of await storage.getStream('big/multipart.bin')) actual.update(chunk as Buffer);
    expect(actual.digest('hex')).toBe(expected.digest('hex'));
  });

  it('a multipart upload whose body fails midway leaves no object', async () => {
    const storage = freshStorage({ partSize: 5 * 1024 * 1024 });
    async function* failing() {
      yield* pseudoRandomChunks(11 * 1024 * 1024, 1024 * 1024, 3);
      throw new Error('source broke');
    }
    const error = await storage.putStream('big/broken.bin', failing()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoreError);
    expect((error as CoreError).message).toContain('source broke');
    expect(await storage.exists('big/broken.bin')).toBe(false);
  });

  it('keys are relative to the prefix and the root is the s3 uri', async () => {
    const storage = freshStorage();
    await storage.put('x/y.txt', 'y');
    expect(storage.root).toMatch(/^s3:\/\/lake\/run-\d+$/);
    expect(storage.uri('x/y.txt')).toBe(`${storage.root}/x/y.txt`);
    expect((await storage.list('')).objects.map((o) => o.key)).toEqual(['x/y.txt']);
  });

  it('works at the bucket root', async () => {
    const storage = new S3Storage({ bucket: s3.bucket, prefix: '' }, { client: s3.client, timeoutMs: 10_000 });
    await storage.put('root-level-object.txt', 'r');
    expect(storage.uri('root-level-object.txt')).toBe('s3://lake/root-level-object.txt');
    expect(await storage.exists('root-level-object.txt')).toBe(true);
    await storage.delete('root-level-object.txt');
  });
});
