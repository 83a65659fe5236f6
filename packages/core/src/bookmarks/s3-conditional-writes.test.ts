/**
 * The S3 path of StorageBookmarkStore against an in-memory S3 (aws-sdk-client-mock on a real
 * S3Client) that enforces `If-None-Match` / `If-Match` the way AWS S3 does since 2024 — which
 * s3rver does not. Shows the requests carry the conditions and that a 412 becomes `LeaseHeld`
 * (lease) or `LeaseLost` (commit), and runs the whole shared suite, race tests included.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors/core-error.js';
import { sleep } from '../retry/retry.js';
import { S3Storage } from '../s3/s3-storage.js';
import { describeBookmarkStoreSuite } from './bookmark-store-suite.js';
import { JobBookmarks } from './job-bookmarks.js';
import { StorageBookmarkStore } from './storage-bookmark-store.js';

interface FakeObject {
  body: Buffer;
  etag: string;
  lastModified: Date;
}

function s3Error(name: string, status: number): Error {
  return Object.assign(new Error(`${name} (fake S3)`), { name, $metadata: { httpStatusCode: status }, $fault: 'client' });
}

/** An in-memory bucket behind a mocked S3Client, enforcing conditional puts like AWS S3. */
function fakeS3() {
  const objects = new Map<string, FakeObject>();
  const puts: Array<{ Key: string; IfNoneMatch?: string; IfMatch?: string }> = [];
  /** Keys (suffixes) whose next PutObject fails with 412, to simulate losing a race. */
  const fail412 = new Set<string>();
  const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const mock = mockClient(client);
  mock.on(PutObjectCommand).callsFake((input: { Key: string; Body: Uint8Array; IfNoneMatch?: string; IfMatch?: string }) => {
    puts.push({ Key: input.Key, IfNoneMatch: input.IfNoneMatch, IfMatch: input.IfMatch });
    for (const suffix of fail412) {
      if (input.Key.endsWith(suffix)) {
        fail412.delete(suffix);
        throw s3Error('PreconditionFailed', 412);
      }
    }
    const current = objects.get(input.Key);
    if (input.IfNoneMatch === '*' && current !== undefined) throw s3Error('PreconditionFailed', 412);
    if (input.IfMatch !== undefined && (current === undefined || `"${current.etag}"` !== input.IfMatch)) {
      throw s3Error(current === undefined ? 'NoSuchKey' : 'PreconditionFailed', current === undefined ? 404 : 412);
    }
    const body = Buffer.from(input.Body);
    const etag = createHash('md5').update(body).digest('hex');
    objects.set(input.Key, { body, etag, lastModified: new Date() });
    return { ETag: `"${etag}"` };
  });
  mock.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    const o = objects.get(input.Key);
    if (o === undefined) throw s3Error('NoSuchKey', 404);
    const bytes = new Uint8Array(o.body);
    return { ETag: `"${o.etag}"`, Body: { transformToByteArray: async () => bytes } };
  });
  mock.on(HeadObjectCommand).callsFake((input: { Key: string }) => {
    const o = objects.get(input.Key);
    if (o === undefined) throw s3Error('NotFound', 404);
    return { ETag: `"${o.etag}"`, ContentLength: o.body.length, LastModified: o.lastModified };
  });
  mock.on(DeleteObjectCommand).callsFake((input: { Key: string }) => {
    objects.delete(input.Key);
    return {};
  });
  mock.on(ListObjectsV2Command).callsFake((input: { Prefix?: string; MaxKeys?: number; ContinuationToken?: string }) => {
    const keys = [...objects.keys()].filter((k) => k.startsWith(input.Prefix ?? '')).sort();
    const start = input.ContinuationToken === undefined ? 0 : Number(input.ContinuationToken);
    const max = input.MaxKeys ?? 1000;
    const page = keys.slice(start, start + max);
    const truncated = start + max < keys.length;
    return {
      Contents: page.map((Key) => {
        const o = objects.get(Key) as FakeObject;
        return { Key, Size: o.body.length, ETag: `"${o.etag}"`, LastModified: o.lastModified };
      }),
      IsTruncated: truncated,
      ...(truncated ? { NextContinuationToken: String(start + max) } : {}),
    };
  });
  return { client, objects, puts, fail412 };
}

describeBookmarkStoreSuite(
  'StorageBookmarkStore on S3Storage (mocked S3 enforcing conditional writes)',
  async () => {
    const s3 = fakeS3();
    const storage = new S3Storage(`s3://lake/t-${randomBytes(3).toString('hex')}`, { client: s3.client });
    return {
      store: new StorageBookmarkStore(storage),
      corrupt: async (job, text) => void (await storage.put(`_state/bookmarks/${job}.json`, text)),
      cleanup: async () => undefined,
    };
  },
  { enforcesConditionalWrites: true },
);

describe('StorageBookmarkStore on S3: conditional requests', () => {
  const job = 'raw-to-processed/orders';
  const leaseKey = `p/_state/bookmarks/${job}.lease.json`;
  const bookmarkKey = `p/_state/bookmarks/${job}.json`;

  it('creates the lease with If-None-Match: * and takes an expired one over with If-Match: "<etag>"', async () => {
    const s3 = fakeS3();
    const bookmarks = new JobBookmarks(new StorageBookmarkStore(new S3Storage('s3://lake/p', { client: s3.client })));
    const first = await bookmarks.begin(job, { ttlMs: 100 });
    expect(s3.puts.at(-1)).toEqual({ Key: leaseKey, IfNoneMatch: '*', IfMatch: undefined });
    const etag = s3.objects.get(leaseKey)?.etag;
    await sleep(200);
    const second = await bookmarks.begin(job);
    expect(s3.puts.at(-1)).toEqual({ Key: leaseKey, IfNoneMatch: undefined, IfMatch: `"${etag}"` });
    await second.release();
    expect(s3.puts.at(-1)?.IfMatch).toMatch(/^"[0-9a-f]{32}"$/);
    await first.release();
  });

  it('commits with If-None-Match: * first, then If-Match on the etag read at begin', async () => {
    const s3 = fakeS3();
    const bookmarks = new JobBookmarks(new StorageBookmarkStore(new S3Storage('s3://lake/p', { client: s3.client })));
    const obj = { key: 'raw/orders/b1/orders.csv', size: 10, etag: 'abc', lastModified: new Date() };
    let run = await bookmarks.begin(job);
    await run.commit([obj]);
    expect(s3.puts.filter((p) => p.Key === bookmarkKey)).toEqual([{ Key: bookmarkKey, IfNoneMatch: '*', IfMatch: undefined }]);
    const etag = s3.objects.get(bookmarkKey)?.etag;
    await run.release();
    run = await bookmarks.begin(job);
    await run.commit([{ ...obj, key: 'raw/orders/b2/orders.csv' }]);
    expect(s3.puts.filter((p) => p.Key === bookmarkKey).at(-1)).toEqual({ Key: bookmarkKey, IfNoneMatch: undefined, IfMatch: `"${etag}"` });
    await run.release();
  });

  it('maps a 412 on the lease to LeaseHeld', async () => {
    const s3 = fakeS3();
    const bookmarks = new JobBookmarks(new StorageBookmarkStore(new S3Storage('s3://lake/p', { client: s3.client })));
    s3.fail412.add('.lease.json');
    const error = await bookmarks.begin(job).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoreError);
    expect((error as CoreError)._tag).toBe('LeaseHeld');
    expect((error as CoreError).isRetryable).toBe(true);
    expect(((error as CoreError).cause as CoreError)._tag).toBe('PreconditionFailed');
  });

  it('maps a 412 on the bookmark to LeaseLost, leaving the stored bookmark untouched', async () => {
    const s3 = fakeS3();
    const bookmarks = new JobBookmarks(new StorageBookmarkStore(new S3Storage('s3://lake/p', { client: s3.client })));
    const run = await bookmarks.begin(job);
    s3.fail412.add(`${job}.json`);
    const error = await run.commit([{ key: 'raw/a.csv', size: 1, etag: 'a', lastModified: new Date() }]).catch((e: unknown) => e);
    expect((error as CoreError)._tag).toBe('LeaseLost');
    expect(((error as CoreError).cause as CoreError)._tag).toBe('PreconditionFailed');
    expect(s3.objects.has(bookmarkKey)).toBe(false);
    expect((await bookmarks.read(job)).version).toBe(0);
    await run.release();
  });
});
