import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors/core-error.js';
import { pseudoRandomChunks } from '../storage/storage-suite.js';
import { classifyS3Error } from './classify-s3-error.js';
import { createS3Client } from './create-s3-client.js';
import { S3Storage } from './s3-storage.js';
import type { S3SendClient, S3StorageOptions } from './s3-storage.js';
import { parseS3Uri } from './s3-uri.js';

const MiB = 1024 * 1024;

const COMMANDS = {
  PutObject: PutObjectCommand,
  GetObject: GetObjectCommand,
  HeadObject: HeadObjectCommand,
  DeleteObject: DeleteObjectCommand,
  ListObjectsV2: ListObjectsV2Command,
  CreateMultipartUpload: CreateMultipartUploadCommand,
  UploadPart: UploadPartCommand,
  CompleteMultipartUpload: CompleteMultipartUploadCommand,
  AbortMultipartUpload: AbortMultipartUploadCommand,
} as const;
type Op = keyof typeof COMMANDS;

interface Call {
  op: Op;
  input: Record<string, unknown>;
}

/** A fake `send`: records every call and answers with `handler`. */
function fakeClient(handler: (op: Op, input: Record<string, unknown>, signal: AbortSignal | undefined, n: number) => Promise<unknown>) {
  const calls: Call[] = [];
  const client: S3SendClient = {
    async send(command, options) {
      const op = (Object.keys(COMMANDS) as Op[]).find((name) => command instanceof COMMANDS[name]);
      if (!op) throw new Error('unexpected command');
      const input = (command as { input: Record<string, unknown> }).input;
      calls.push({ op, input });
      return handler(op, input, options?.abortSignal, calls.filter((c) => c.op === op).length);
    },
  };
  const count = (op: Op) => calls.filter((c) => c.op === op).length;
  return { client, calls, count };
}

function s3Error(name: string, status: number, message = `${name} happened`): S3ServiceException {
  return new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message });
}

function storageWith(client: S3SendClient, options: Partial<S3StorageOptions> = {}): S3Storage {
  return new S3Storage('s3://bucket/root', { client, timeoutMs: 1_000, retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 }, ...options });
}

/** A send that never answers, but rejects when aborted (as the SDK does). */
function hang(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))));
}

function isTag(tag: CoreError['_tag']) {
  return (error: unknown) => error instanceof CoreError && error._tag === tag;
}

describe('S3Storage retries and error classification', () => {
  it('retries 503 SlowDown and 500 InternalError, then succeeds', async () => {
    const fake = fakeClient(async (_op, _input, _signal, n) => {
      if (n === 1) throw s3Error('SlowDown', 503, 'Please reduce your request rate.');
      if (n === 2) throw s3Error('InternalError', 500);
      return { ETag: '"0cc175b9c0f1b6a831c399e269772661"' };
    });
    const retried: unknown[] = [];
    const storage = storageWith(fake.client, { retry: { attempts: 4, baseDelayMs: 1, onRetry: (e) => retried.push(e) } });
    const info = await storage.put('raw/a.txt', 'a');
    expect(fake.count('PutObject')).toBe(3);
    expect(info.etag).toBe('0cc175b9c0f1b6a831c399e269772661');
    expect(retried).toHaveLength(2);
    expect(retried.every((e) => e instanceof CoreError && e.isRetryable)).toBe(true);
  });

  it('retries with aws-sdk-client-mock on a real S3Client', async () => {
    const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const mock = mockClient(client);
    mock
      .on(HeadObjectCommand)
      .rejectsOnce(s3Error('SlowDown', 503))
      .rejectsOnce(s3Error('ServiceUnavailable', 503))
      .resolves({ ContentLength: 3, ETag: '"abc"', LastModified: new Date('2025-01-31T00:00:00Z') });
    const storage = storageWith(client);
    const info = await storage.stat('processed/orders/part-0.parquet');
    expect(info).toEqual({ key: 'processed/orders/part-0.parquet', size: 3, etag: 'abc', lastModified: new Date('2025-01-31T00:00:00Z') });
    expect(mock.commandCalls(HeadObjectCommand)).toHaveLength(3);
    expect(mock.commandCalls(HeadObjectCommand)[0]?.args[0].input).toEqual({ Bucket: 'bucket', Key: 'root/processed/orders/part-0.parquet' });
    mock.restore();
  });

  it('gives up after the configured attempts, with the last retryable error', async () => {
    const fake = fakeClient(async () => {
      throw s3Error('SlowDown', 503);
    });
    const error = await storageWith(fake.client, { retry: { attempts: 3, baseDelayMs: 1 } }).get('a/b').catch((e: unknown) => e);
    expect(fake.count('GetObject')).toBe(3);
    expect(isTag('StorageFailure')(error)).toBe(true);
    expect((error as CoreError).isRetryable).toBe(true);
  });

  it('fails at once on a permanent 403, naming the key', async () => {
    const fake = fakeClient(async () => {
      throw s3Error('AccessDenied', 403, 'Access Denied');
    });
    const error = await storageWith(fake.client).put('curated/sales/part-0.parquet', 'x').catch((e: unknown) => e);
    expect(fake.count('PutObject')).toBe(1);
    expect(error).toBeInstanceOf(CoreError);
    const e = error as CoreError;
    expect(e._tag).toBe('StorageFailure');
    expect(e.isRetryable).toBe(false);
    expect(e.message).toContain('AccessDenied');
    expect(e.message).toContain('HTTP 403');
    expect(e.message).toContain('curated/sales/part-0.parquet');
    expect(e.message).toContain('s3://bucket/root/curated/sales/part-0.parquet');
    expect(e.context.key).toBe('curated/sales/part-0.parquet');
  });

  it('turns a hanging call into a Timeout within the configured bound', async () => {
    const fake = fakeClient(async (_op, _input, signal) => hang(signal));
    const started = Date.now();
    const error = await storageWith(fake.client, { timeoutMs: 50, retry: { attempts: 2, baseDelayMs: 1 } })
      .get('slow/key')
      .catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(isTag('Timeout')(error)).toBe(true);
    expect((error as CoreError).isRetryable).toBe(true);
    expect((error as CoreError).message).toContain('slow/key');
    expect(fake.count('GetObject')).toBe(2);
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('times out even when the client ignores the abort signal', async () => {
    const fake = fakeClient(() => new Promise(() => undefined));
    const error = await storageWith(fake.client, { timeoutMs: 30, retry: { attempts: 1 } }).stat('k').catch((e: unknown) => e);
    expect(isTag('Timeout')(error)).toBe(true);
  });

  it('maps 412 to PreconditionFailed without retrying', async () => {
    const fake = fakeClient(async () => {
      throw s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');
    });
    const error = await storageWith(fake.client).put('_state/lease', 'x', { ifNoneMatch: '*' }).catch((e: unknown) => e);
    expect(isTag('PreconditionFailed')(error)).toBe(true);
    expect(fake.count('PutObject')).toBe(1);
  });

  it('retries a connection reset', async () => {
    const fake = fakeClient(async (_op, _input, _signal, n) => {
      if (n === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      return {};
    });
    await storageWith(fake.client).delete('a/b');
    expect(fake.count('DeleteObject')).toBe(2);
  });

  it('maps NoSuchKey to NotFound, and a 404 HEAD to an absent stat', async () => {
    const fake = fakeClient(async (op) => {
      throw op === 'HeadObject' ? s3Error('NotFound', 404, 'UnknownError') : s3Error('NoSuchKey', 404);
    });
    const storage = storageWith(fake.client);
    await expect(storage.get('nope')).rejects.toSatisfy(isTag('NotFound'));
    expect(await storage.stat('nope')).toBeUndefined();
    expect(await storage.exists('nope')).toBe(false);
    expect(fake.count('GetObject')).toBe(1);
  });

  it('stops retrying when the caller aborts, with the caller’s reason', async () => {
    const fake = fakeClient(async (_op, _input, signal) => hang(signal));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user cancelled')), 20);
    await expect(storageWith(fake.client, { timeoutMs: 5_000 }).get('k', { signal: controller.signal })).rejects.toThrow(
      'user cancelled',
    );
    expect(fake.count('GetObject')).toBe(1);
  });

  it('recognises a retried conditional put whose first attempt landed', async () => {
    const body = '{"owner":"run-1"}';
    const md5 = createHash('md5').update(body).digest('hex');
    const fake = fakeClient(async (op, _input, signal, n) => {
      if (op === 'HeadObject') return { ETag: `"${md5}"`, ContentLength: body.length };
      if (n === 1) return hang(signal); // written, but the response is lost
      throw s3Error('PreconditionFailed', 412);
    });
    const info = await storageWith(fake.client, { timeoutMs: 30 }).put('_state/lease', body, { ifNoneMatch: '*' });
    expect(info.etag).toBe(md5);
    expect(fake.count('PutObject')).toBe(2);
  });

  it('recognises a retried conditional put by its upload token when the ETag is not an MD5 (SSE-KMS)', async () => {
    const body = '{"owner":"run-1"}';
    let token: unknown;
    const fake = fakeClient(async (op, input, signal, n) => {
      if (op === 'HeadObject') return { ETag: '"kms-opaque-etag"', ContentLength: body.length, Metadata: { 'lakeblocks-upload': token } };
      token ??= (input.Metadata as Record<string, string> | undefined)?.['lakeblocks-upload'];
      if (n === 1) return hang(signal);
      throw s3Error('PreconditionFailed', 412);
    });
    const info = await storageWith(fake.client, { timeoutMs: 30 }).put('_state/lease', body, { ifNoneMatch: '*' });
    expect(typeof token).toBe('string');
    expect(info.etag).toBe('kms-opaque-etag');
  });

  it('a put carrying another write\'s token (or another size) is not taken for ours', async () => {
    const body = 'mine';
    for (const head of [{ Metadata: { 'lakeblocks-upload': 'someone-else' }, ContentLength: body.length }, { ContentLength: 99 }]) {
      let token: unknown;
      const fake = fakeClient(async (op, input, signal, n) => {
        if (op === 'HeadObject') return { ETag: '"x"', Metadata: { 'lakeblocks-upload': token }, ...head };
        token ??= (input.Metadata as Record<string, string> | undefined)?.['lakeblocks-upload'];
        if (n === 1) return hang(signal);
        throw s3Error('PreconditionFailed', 412);
      });
      await expect(storageWith(fake.client, { timeoutMs: 30 }).put('_state/lease', body, { ifNoneMatch: '*' })).rejects.toSatisfy(
        isTag('PreconditionFailed'),
      );
    }
  });

  it('still reports PreconditionFailed when the object that won is not ours', async () => {
    const fake = fakeClient(async (op, _input, signal, n) => {
      if (op === 'HeadObject') return { ETag: '"someone-else"' };
      if (n === 1) return hang(signal);
      throw s3Error('PreconditionFailed', 412);
    });
    await expect(
      storageWith(fake.client, { timeoutMs: 30 }).put('_state/lease', 'mine', { ifNoneMatch: '*' }),
    ).rejects.toSatisfy(isTag('PreconditionFailed'));
  });
});

describe('S3Storage requests', () => {
  it('sends conditional headers and content type, and strips ETag quotes', async () => {
    const fake = fakeClient(async () => ({ ETag: '"e1"' }));
    const storage = storageWith(fake.client);
    await storage.put('a.json', '{}', { ifNoneMatch: '*', contentType: 'application/json' });
    await storage.put('a.json', '{}', { ifMatch: 'e1' });
    expect(fake.calls[0]?.input).toMatchObject({ Bucket: 'bucket', Key: 'root/a.json', IfNoneMatch: '*', ContentType: 'application/json', ContentLength: 2 });
    expect(fake.calls[0]?.input.IfMatch).toBeUndefined();
    expect(fake.calls[1]?.input).toMatchObject({ IfMatch: '"e1"' });
    await expect(storage.put('a.json', '{}', { ifMatch: 'e1', ifNoneMatch: '*' })).rejects.toSatisfy(isTag('InvalidArgument'));
  });

  it('lists with prefix, page size and token; keys relative, folder markers skipped', async () => {
    const fake = fakeClient(async (_op, input) => ({
      IsTruncated: input.ContinuationToken === undefined,
      NextContinuationToken: input.ContinuationToken === undefined ? 'tok-2' : undefined,
      Contents:
        input.ContinuationToken === undefined
          ? [
              { Key: 'root/p/', Size: 0, ETag: '"d41d8cd98f00b204e9800998ecf8427e"' },
              { Key: 'root/p/a', Size: 1, ETag: '"aa"', LastModified: new Date(1) },
            ]
          : [{ Key: 'root/p/b', Size: 2, ETag: '"bb-2"', LastModified: new Date(2) }],
    }));
    const storage = storageWith(fake.client);
    const first = await storage.list('p/', { pageSize: 10 });
    expect(first).toEqual({ objects: [{ key: 'p/a', size: 1, etag: 'aa', lastModified: new Date(1) }], nextToken: 'tok-2' });
    expect(fake.calls[0]?.input).toEqual({ Bucket: 'bucket', Prefix: 'root/p/', MaxKeys: 10, ContinuationToken: undefined });
    const second = await storage.list('p/', { pageSize: 5000, continuationToken: 'tok-2' });
    expect(second).toEqual({ objects: [{ key: 'p/b', size: 2, etag: 'bb-2', lastModified: new Date(2) }] });
    expect(fake.calls[1]?.input).toMatchObject({ MaxKeys: 1000, ContinuationToken: 'tok-2' });
    const all: string[] = [];
    for await (const o of storage.listAll('p/')) all.push(o.key);
    expect(all).toEqual(['p/a', 'p/b']);
  });

  it('getStream returns the body as a Node Readable', async () => {
    const fake = fakeClient(async () => ({ Body: Readable.from([Buffer.from('hello '), Buffer.from('stream')]) }));
    const stream = await storageWith(fake.client).getStream('x');
    expect(stream).toBeInstanceOf(Readable);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hello stream');
  });

  it('rejects part sizes under 5 MiB', () => {
    expect(() => storageWith(fakeClient(async () => ({})).client, { partSize: MiB })).toThrow(CoreError);
  });
});

describe('S3Storage multipart putStream', () => {
  /** A fake multipart backend; `failPart` fails that part permanently. */
  function multipartFake(options: { failPart?: number; partDelayMs?: number } = {}) {
    let active = 0;
    let maxActive = 0;
    const fake = fakeClient(async (op, input) => {
      switch (op) {
        case 'CreateMultipartUpload':
          return { UploadId: 'up-1' };
        case 'UploadPart': {
          active++;
          maxActive = Math.max(maxActive, active);
          try {
            await new Promise((resolve) => setTimeout(resolve, options.partDelayMs ?? 5));
            if (input.PartNumber === options.failPart) throw s3Error('AccessDenied', 403);
            const md5 = createHash('md5').update(input.Body as Buffer).digest('hex');
            return { ETag: `"${md5}"` };
          } finally {
            active--;
          }
        }
        case 'CompleteMultipartUpload':
          return { ETag: '"final-5"' };
        default:
          return {};
      }
    });
    return { ...fake, maxActive: () => maxActive };
  }

  it('uploads parts of partSize with at most queueSize in flight, and completes in order', async () => {
    const fake = multipartFake({ partDelayMs: 20 });
    const storage = storageWith(fake.client, { partSize: 5 * MiB, queueSize: 2 });
    const size = 23 * MiB + 7;
    const info = await storage.putStream('big/file.bin', Readable.from(pseudoRandomChunks(size, 300 * 1024, 9)), {
      contentType: 'application/octet-stream',
      ifNoneMatch: '*',
    });
    expect(info).toMatchObject({ key: 'big/file.bin', size, etag: 'final-5' });
    const parts = fake.calls.filter((c) => c.op === 'UploadPart');
    expect(parts.map((c) => (c.input.Body as Buffer).byteLength)).toEqual([5 * MiB, 5 * MiB, 5 * MiB, 5 * MiB, 3 * MiB + 7]);
    expect(fake.maxActive()).toBeLessThanOrEqual(2);
    const complete = fake.calls.find((c) => c.op === 'CompleteMultipartUpload')!;
    const completed = (complete.input.MultipartUpload as { Parts: { PartNumber: number }[] }).Parts;
    expect(completed.map((p) => p.PartNumber)).toEqual([1, 2, 3, 4, 5]);
    expect(complete.input).toMatchObject({ UploadId: 'up-1', IfNoneMatch: '*' });
    expect(fake.calls.find((c) => c.op === 'CreateMultipartUpload')?.input).toMatchObject({
      Key: 'root/big/file.bin',
      ContentType: 'application/octet-stream',
    });
    expect(fake.count('AbortMultipartUpload')).toBe(0);
  });

  it('sends a body smaller than one part as a single PutObject', async () => {
    const fake = fakeClient(async () => ({ ETag: '"small"' }));
    const info = await storageWith(fake.client).putStream('s.txt', Readable.from([Buffer.from('tiny')]));
    expect(info).toMatchObject({ size: 4, etag: 'small' });
    expect(fake.calls.map((c) => c.op)).toEqual(['PutObject']);
  });

  it('aborts the upload when a part fails, so no object appears', async () => {
    const fake = multipartFake({ failPart: 2 });
    const error = await storageWith(fake.client, { partSize: 5 * MiB })
      .putStream('big/fail.bin', Readable.from(pseudoRandomChunks(16 * MiB, MiB, 1)))
      .catch((e: unknown) => e);
    expect(isTag('StorageFailure')(error)).toBe(true);
    expect((error as CoreError).message).toContain('AccessDenied');
    expect(fake.count('CompleteMultipartUpload')).toBe(0);
    expect(fake.calls.find((c) => c.op === 'AbortMultipartUpload')?.input).toMatchObject({ UploadId: 'up-1', Key: 'root/big/fail.bin' });
  });

  it('aborts the upload when the body fails midway', async () => {
    const fake = multipartFake();
    async function* failing() {
      yield* pseudoRandomChunks(11 * MiB, MiB, 2);
      throw new Error('disk read error');
    }
    await expect(storageWith(fake.client, { partSize: 5 * MiB }).putStream('big/x', failing())).rejects.toThrow('disk read error');
    expect(fake.count('CompleteMultipartUpload')).toBe(0);
    expect(fake.count('AbortMultipartUpload')).toBe(1);
  });

  it('aborts the upload when the caller aborts, with the caller’s reason', async () => {
    const fake = multipartFake({ partDelayMs: 50 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 30);
    await expect(
      storageWith(fake.client, { partSize: 5 * MiB }).putStream('big/y', Readable.from(pseudoRandomChunks(30 * MiB, MiB, 3)), {
        signal: controller.signal,
      }),
    ).rejects.toThrow('shutting down');
    expect(fake.count('CompleteMultipartUpload')).toBe(0);
    expect(fake.count('AbortMultipartUpload')).toBe(1);
  });

  it('recognises a retried CompleteMultipartUpload that had completed', async () => {
    const partMd5s: string[] = [];
    const fake = fakeClient(async (op, input, _signal, n) => {
      if (op === 'CreateMultipartUpload') return { UploadId: 'up-2' };
      if (op === 'UploadPart') {
        const md5 = createHash('md5').update(input.Body as Buffer).digest('hex');
        partMd5s[(input.PartNumber as number) - 1] = md5;
        return { ETag: `"${md5}"` };
      }
      if (op === 'CompleteMultipartUpload') {
        if (n === 1) throw s3Error('InternalError', 500); // completed, but answered 500
        throw s3Error('NoSuchUpload', 404);
      }
      if (op === 'HeadObject') {
        const hash = createHash('md5');
        for (const md5 of partMd5s) hash.update(Buffer.from(md5, 'hex'));
        return { ETag: `"${hash.digest('hex')}-${partMd5s.length}"` };
      }
      return {};
    });
    const info = await storageWith(fake.client, { partSize: 5 * MiB }).putStream(
      'big/z',
      Readable.from(pseudoRandomChunks(11 * MiB, MiB, 4)),
    );
    expect(info.etag).toMatch(/-3$/);
    expect(fake.count('CompleteMultipartUpload')).toBe(2);
    expect(fake.count('AbortMultipartUpload')).toBe(0);
  });
});

describe('S3Storage multipart whose CompleteMultipartUpload outcome is unknown', () => {
  function uploadWith(headFor: (token: unknown, size: number) => unknown) {
    let token: unknown;
    let size = 0;
    const fake = fakeClient(async (op, input, signal) => {
      if (op === 'CreateMultipartUpload') {
        token = (input.Metadata as Record<string, string> | undefined)?.['lakeblocks-upload'];
        return { UploadId: 'up-3' };
      }
      if (op === 'UploadPart') {
        size += (input.Body as Buffer).byteLength;
        return { ETag: '"part"' };
      }
      if (op === 'CompleteMultipartUpload') return hang(signal); // every response lost
      if (op === 'HeadObject') return headFor(token, size);
      return {};
    });
    const storage = storageWith(fake.client, { partSize: 5 * MiB, timeoutMs: 50, retry: { attempts: 1 } });
    return { fake, put: () => storage.putStream('big/t', Readable.from(pseudoRandomChunks(11 * MiB, MiB, 5))) };
  }

  it('is a success when HeadObject shows this upload\'s token and size, whatever the ETag', async () => {
    const { fake, put } = uploadWith((token, size) => ({ ETag: '"opaque"', ContentLength: size, Metadata: { 'lakeblocks-upload': token } }));
    const info = await put();
    expect(info.etag).toBe('opaque');
    expect(fake.count('CompleteMultipartUpload')).toBe(1);
    expect(fake.count('AbortMultipartUpload')).toBe(0);
  });

  it('stays a failure (and the upload is aborted) when the object there is not this upload', async () => {
    const { fake, put } = uploadWith((_token, size) => ({ ETag: '"opaque"', ContentLength: size, Metadata: { 'lakeblocks-upload': 'other' } }));
    await expect(put()).rejects.toSatisfy(isTag('Timeout'));
    expect(fake.count('AbortMultipartUpload')).toBe(1);
  });
});

describe('classifyS3Error', () => {
  it.each([
    [s3Error('NoSuchKey', 404), 'NotFound', false],
    [s3Error('NotFound', 404), 'NotFound', false],
    [s3Error('PreconditionFailed', 412), 'PreconditionFailed', false],
    [s3Error('AccessDenied', 403), 'StorageFailure', false],
    [s3Error('InvalidAccessKeyId', 403), 'StorageFailure', false],
    [s3Error('NoSuchBucket', 404), 'StorageFailure', false],
    [s3Error('InvalidArgument', 400), 'StorageFailure', false],
    [s3Error('SlowDown', 503), 'StorageFailure', true],
    [s3Error('InternalError', 500), 'StorageFailure', true],
    [s3Error('BadGateway', 502), 'StorageFailure', true],
    [s3Error('RequestTimeout', 400), 'StorageFailure', true],
    [s3Error('TooManyRequests', 429), 'StorageFailure', true],
    [s3Error('ConditionalRequestConflict', 409), 'StorageFailure', true],
    [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'StorageFailure', true],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'StorageFailure', true],
    [Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }), 'Timeout', true],
    [new Error('something odd'), 'StorageFailure', false],
  ] as const)('%s → %s (retryable: %s)', (error, tag, retryable) => {
    const classified = classifyS3Error(error, { op: 'GetObject', key: 'k' });
    expect(classified._tag).toBe(tag);
    expect(classified.isRetryable).toBe(retryable);
    expect(classified.cause).toBe(error);
    expect(classified.message).toContain('key="k"');
  });

  it('returns a CoreError unchanged', () => {
    const error = new CoreError('Timeout', 'x', { isRetryable: true });
    expect(classifyS3Error(error)).toBe(error);
  });
});

describe('parseS3Uri', () => {
  it.each([
    ['s3://lake', { bucket: 'lake', prefix: '' }],
    ['s3://lake/', { bucket: 'lake', prefix: '' }],
    ['s3://my-lake/techstore', { bucket: 'my-lake', prefix: 'techstore' }],
    ['s3://my.lake/a/b/', { bucket: 'my.lake', prefix: 'a/b' }],
    ['s3a://lake/x', { bucket: 'lake', prefix: 'x' }],
  ])('%s', (uri, expected) => {
    expect(parseS3Uri(uri)).toEqual(expected);
  });

  it.each(['lake/prefix', 'https://lake/x', 's3://', 's3://UPPER/x', 's3://lake//x', 's3://lake/../x'])('rejects %s', (uri) => {
    expect(() => parseS3Uri(uri)).toThrow(CoreError);
  });
});

describe('createS3Client', () => {
  it('configures endpoint, path style, no SDK retries', async () => {
    const client = createS3Client({ endpoint: 'http://127.0.0.1:9000', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    expect(client.config.forcePathStyle).toBe(true);
    expect(await client.config.region()).toBe('us-east-1');
    expect(await client.config.maxAttempts()).toBe(1);
    client.destroy();
  });
});
