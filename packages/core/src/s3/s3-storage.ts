import { createHash, randomBytes } from 'node:crypto';
import { addAbortSignal, Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type {
  CompletedPart,
  CompleteMultipartUploadCommandOutput,
  CreateMultipartUploadCommandOutput,
  GetObjectCommandOutput,
  HeadObjectCommandOutput,
  ListObjectsV2CommandOutput,
  PutObjectCommandOutput,
  UploadPartCommandOutput,
} from '@aws-sdk/client-s3';
import { CoreError } from '../errors/core-error.js';
import { retry, withTimeout } from '../retry/retry.js';
import type { RetryOptions } from '../retry/retry.js';
import { assertValidKey } from '../storage/keys.js';
import type { ListOptions, ListPage, ObjectInfo, PutOptions, Storage, StreamBody } from '../storage/storage.js';
import { classifyS3Error } from './classify-s3-error.js';
import { parseS3Uri } from './s3-uri.js';
import type { S3Location } from './s3-uri.js';
import { listAllPages, pageOptions } from '../storage/list-all.js';

/**
 * The part of an S3 client that {@link S3Storage} uses: `send(command, { abortSignal })`. An
 * `S3Client` from `@aws-sdk/client-s3` fits, so does a test fake.
 *
 * @example
 * ```ts
 * const client: S3SendClient = new S3Client({ region: 'us-east-1' });
 * ```
 */
export interface S3SendClient {
  send(command: object, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/**
 * Options of {@link S3Storage}.
 *
 * @example
 * ```ts
 * const options: S3StorageOptions = { client: createS3Client(), timeoutMs: 10_000, retry: { attempts: 8 }, partSize: 16 * 1024 * 1024 };
 * ```
 */
export interface S3StorageOptions {
  /**
   * The client to send requests with, e.g. from {@link createS3Client}. Give it `maxAttempts: 1`:
   * S3Storage retries by itself, and SDK retries would multiply its attempts.
   */
  client: S3SendClient;
  /** Bound on each attempt of each request, including reading a `get` body (default 30 000 ms). */
  timeoutMs?: number;
  /** Retries of retryable failures (5xx, throttling, timeouts, resets), with full jitter (default 5 attempts, 100 ms base, 5 s cap). */
  retry?: Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs' | 'onRetry'>;
  /** Multipart part size in bytes for `putStream`, at least 5 MiB (default 8 MiB). Smaller bodies go in one PutObject. */
  partSize?: number;
  /** Parts uploaded concurrently; memory stays under `(queueSize + 1) × partSize` (default 4). */
  queueSize?: number;
}

const MiB = 1024 * 1024;
const MIN_PART_SIZE = 5 * MiB;
const MAX_PARTS = 10_000;
/**
 * User metadata (`x-amz-meta-lakeblocks-upload`) carrying a random token per write, so a retry can
 * tell "my earlier attempt landed, its response was lost" from "someone else's object is there",
 * whatever ETag scheme the server uses (SSE-KMS, SSE-C and s3rver do not use MD5 ETags).
 */
const UPLOAD_MARKER = 'lakeblocks-upload';
const CHECKSUM_FIELDS = ['ChecksumCRC32', 'ChecksumCRC32C', 'ChecksumCRC64NVME', 'ChecksumSHA1', 'ChecksumSHA256'] as const;

/**
 * A {@link Storage} on `s3://bucket/prefix` (or any S3-compatible store), through a client you pass.
 *
 * - Every request attempt is bounded by `timeoutMs`, and retryable failures (5xx, `SlowDown` and
 *   other throttling, timeouts, connection resets) are retried with exponential backoff and full
 *   jitter; see {@link classifyS3Error} for what counts as retryable. Errors are {@link CoreError}s
 *   naming the key.
 * - `putStream` splits the body into `partSize` parts and uploads them as one multipart upload,
 *   `queueSize` parts at a time, so memory stays bounded whatever the size. S3 shows the object only
 *   when CompleteMultipartUpload succeeds; on any failure or abort the upload is aborted. (If the
 *   process dies, parts linger until a bucket lifecycle rule `AbortIncompleteMultipartUpload` removes
 *   them — set one.) Bodies smaller than one part go in a single PutObject.
 * - `ifNoneMatch: '*'` and `ifMatch` are sent as `If-None-Match` / `If-Match` (on PutObject, or on
 *   CompleteMultipartUpload). AWS S3 enforces them atomically; some S3-compatible servers, among
 *   them s3rver used in tests, ignore them and overwrite. A retry whose earlier attempt did land
 *   (its response was lost) is recognised and reported as a success, not as `PreconditionFailed`
 *   or a failed CompleteMultipartUpload: every write carries a random token in user metadata
 *   `x-amz-meta-lakeblocks-upload`, and after an ambiguous failure a HeadObject finds the token (and
 *   the size) of this very write — which works whatever the ETag scheme (SSE-KMS, SSE-C, s3rver);
 *   the MD5 / multipart ETag is still accepted as well.
 * - ETags have their quotes stripped. `put` returns the ETag S3 answered with and the local time as
 *   `lastModified` (use `stat` for S3's own time).
 * - `list` uses ListObjectsV2 (at most 1000 keys a page, S3's cap); keys are relative to the prefix,
 *   and zero-byte "folder" markers (keys ending in `/`) are skipped.
 *
 * @example
 * ```ts
 * import { S3Storage, createS3Client } from '@lakeblocks/core/s3';
 * const storage = new S3Storage('s3://my-lake/techstore', { client: createS3Client({ region: 'us-east-1' }) });
 * await storage.put('_state/hello.txt', 'hi');
 * storage.uri('_state/hello.txt'); // 's3://my-lake/techstore/_state/hello.txt'
 * ```
 */
export class S3Storage implements Storage {
  readonly root: string;
  /** Bucket name. */
  readonly bucket: string;
  /** Key prefix inside the bucket, without trailing `/` (`''` for the bucket root). */
  readonly prefix: string;
  private readonly client: S3SendClient;
  private readonly timeoutMs: number;
  private readonly retryOptions: S3StorageOptions['retry'];
  private readonly partSize: number;
  private readonly queueSize: number;

  /**
   * @param location `s3://bucket/prefix`, or the parsed `{ bucket, prefix }`.
   */
  constructor(location: string | S3Location, options: S3StorageOptions) {
    const { bucket, prefix } = typeof location === 'string' ? parseS3Uri(location) : location;
    if (prefix !== '') assertValidKey(prefix);
    this.bucket = bucket;
    this.prefix = prefix;
    this.root = prefix === '' ? `s3://${bucket}` : `s3://${bucket}/${prefix}`;
    this.client = options.client;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retryOptions = { attempts: 5, ...options.retry };
    this.partSize = options.partSize ?? 8 * MiB;
    this.queueSize = options.queueSize ?? 4;
    if (!Number.isInteger(this.partSize) || this.partSize < MIN_PART_SIZE) {
      throw new CoreError('InvalidArgument', `partSize must be an integer of at least 5 MiB (S3's minimum), got ${this.partSize}`);
    }
    if (!Number.isInteger(this.queueSize) || this.queueSize < 1) {
      throw new CoreError('InvalidArgument', `queueSize must be a positive integer, got ${this.queueSize}`);
    }
  }

  uri(key: string): string {
    assertValidKey(key);
    return `s3://${this.bucket}/${this.fullKey(key)}`;
  }

  async get(key: string, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    assertValidKey(key);
    return this.call('GetObject', key, options.signal, async (abortSignal) => {
      const out = (await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }), {
        abortSignal,
      })) as GetObjectCommandOutput;
      return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    });
  }

  async getStream(key: string, options: { signal?: AbortSignal } = {}): Promise<Readable> {
    assertValidKey(key);
    const body = await this.call('GetObject', key, options.signal, async (abortSignal) => {
      const out = (await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }), {
        abortSignal,
      })) as GetObjectCommandOutput;
      return out.Body;
    });
    const stream = toReadable(body);
    return options.signal ? addAbortSignal(options.signal, stream) : stream;
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<ObjectInfo> {
    assertValidKey(key);
    checkConditions(key, options);
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    let md5: string | undefined;
    const token = newUploadToken();
    const out = await this.call('PutObject', key, options.signal, async (abortSignal, attempt) => {
      try {
        return (await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.fullKey(key),
            Body: bytes,
            ContentLength: bytes.byteLength,
            ContentType: options.contentType,
            Metadata: { [UPLOAD_MARKER]: token },
            IfNoneMatch: options.ifNoneMatch,
            IfMatch: quote(options.ifMatch),
          }),
          { abortSignal },
        )) as PutObjectCommandOutput;
      } catch (error) {
        // An earlier attempt may have landed with its response lost: then the object is ours.
        if (attempt > 1 && isPreconditionFailed(error)) {
          md5 ??= createHash('md5').update(bytes).digest('hex');
          const landed = await this.landed(key, token, bytes.byteLength, abortSignal, md5);
          if (landed !== undefined) return { ETag: landed } as PutObjectCommandOutput;
        }
        throw error;
      }
    });
    return { key, size: bytes.byteLength, etag: unquote(out.ETag), lastModified: new Date() };
  }

  async putStream(key: string, body: StreamBody, options: PutOptions = {}): Promise<ObjectInfo> {
    assertValidKey(key);
    checkConditions(key, options);
    options.signal?.throwIfAborted();
    const parts = partsOf(body, this.partSize);
    let first: IteratorResult<Buffer>;
    let second: IteratorResult<Buffer>;
    try {
      first = await parts.next();
      second = first.done ? first : await parts.next();
    } catch (error) {
      await parts.return(undefined).catch(() => undefined);
      throw options.signal?.aborted ? options.signal.reason : bodyError(error, key, this.uri(key));
    }
    if (first.done) return this.put(key, new Uint8Array(), options);
    if (second.done) return this.put(key, first.value, options);
    return this.multipart(key, first.value, second.value, parts, options);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    assertValidKey(prefix, { allowTrailingSlash: true, allowEmpty: true });
    const pageSize = options.pageSize ?? 1000;
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      throw new CoreError('InvalidArgument', `pageSize must be a positive integer, got ${pageSize}`, {
        context: { key: prefix },
      });
    }
    const root = this.prefix === '' ? '' : `${this.prefix}/`;
    const out = await this.call('ListObjectsV2', prefix, undefined, async (abortSignal) => {
      return (await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: root + prefix,
          MaxKeys: Math.min(pageSize, 1000),
          ContinuationToken: options.continuationToken,
        }),
        { abortSignal },
      )) as ListObjectsV2CommandOutput;
    });
    const objects: ObjectInfo[] = [];
    for (const item of out.Contents ?? []) {
      if (item.Key === undefined || !item.Key.startsWith(root) || item.Key.endsWith('/')) continue;
      objects.push({
        key: item.Key.slice(root.length),
        size: item.Size ?? 0,
        etag: unquote(item.ETag),
        lastModified: item.LastModified ?? new Date(0),
      });
    }
    const nextToken = out.IsTruncated ? out.NextContinuationToken : undefined;
    return nextToken ? { objects, nextToken } : { objects };
  }

  listAll(prefix: string, options: Omit<ListOptions, 'continuationToken'> = {}): AsyncIterable<ObjectInfo> {
    return listAllPages((token) => this.list(prefix, pageOptions(options, token)));
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.call('DeleteObject', key, undefined, async (abortSignal) =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }), { abortSignal }),
    );
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== undefined;
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    assertValidKey(key);
    try {
      const out = await this.call('HeadObject', key, undefined, (abortSignal) => this.head(key, abortSignal));
      return {
        key,
        size: out.ContentLength ?? 0,
        etag: unquote(out.ETag),
        lastModified: out.LastModified ?? new Date(0),
      };
    } catch (error) {
      if (error instanceof CoreError && error._tag === 'NotFound') return undefined;
      throw error;
    }
  }

  // ---------------------------------------------------------------------------------------------

  private fullKey(key: string): string {
    return this.prefix === '' ? key : `${this.prefix}/${key}`;
  }

  private async head(key: string, abortSignal: AbortSignal): Promise<HeadObjectCommandOutput> {
    return (await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }), {
      abortSignal,
    })) as HeadObjectCommandOutput;
  }

  /**
   * Whether the object now at `key` is the one written with upload `token` (user metadata) and
   * `size` bytes, or has the ETag this write would have (`expectedEtag`, MD5-based): its etag then,
   * else `undefined` (also when absent or unreadable; one attempt, for retry checks).
   */
  private async landed(key: string, token: string, size: number, abortSignal: AbortSignal, expectedEtag: string): Promise<string | undefined> {
    let out: HeadObjectCommandOutput;
    try {
      out = await this.head(key, abortSignal);
    } catch {
      return undefined;
    }
    const etag = unquote(out.ETag);
    const sizeMatches = out.ContentLength === undefined || out.ContentLength === size;
    if (sizeMatches && (out.Metadata?.[UPLOAD_MARKER] === token || etag === expectedEtag)) return etag;
    return undefined;
  }

  /** One S3 request: each attempt bounded by `timeoutMs`, retryable failures retried with jitter. */
  private async call<T>(
    op: string,
    key: string,
    signal: AbortSignal | undefined,
    fn: (abortSignal: AbortSignal, attempt: number) => Promise<T>,
  ): Promise<T> {
    const uri = `s3://${this.bucket}/${this.fullKey(key)}`;
    return retry(
      async (attempt) => {
        try {
          return await withTimeout(this.timeoutMs, `S3 ${op} ${uri}`, (abortSignal) => fn(abortSignal, attempt), signal);
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          if (error instanceof CoreError && error._tag === 'Timeout') {
            throw new CoreError('Timeout', error.message, { cause: error, isRetryable: true, context: { key, uri, op } });
          }
          throw classifyS3Error(error, { op, key, uri });
        }
      },
      { ...this.retryOptions, signal },
    );
  }

  private async multipart(
    key: string,
    first: Buffer,
    second: Buffer,
    parts: AsyncGenerator<Buffer>,
    options: PutOptions,
  ): Promise<ObjectInfo> {
    const Bucket = this.bucket;
    const Key = this.fullKey(key);
    // Aborts the other in-flight parts as soon as one fails, or when the caller aborts.
    const controller = new AbortController();
    const onAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let uploadId: string | undefined;
    try {
      const token = newUploadToken();
      const created = await this.call('CreateMultipartUpload', key, controller.signal, async (abortSignal) => {
        return (await this.client.send(
          new CreateMultipartUploadCommand({ Bucket, Key, ContentType: options.contentType, Metadata: { [UPLOAD_MARKER]: token } }),
          { abortSignal },
        )) as CreateMultipartUploadCommandOutput;
      });
      uploadId = created.UploadId;
      if (!uploadId) throw new CoreError('StorageFailure', 'CreateMultipartUpload returned no UploadId', { context: { key } });
      const UploadId = uploadId;

      const completed: CompletedPart[] = [];
      const inFlight = new Set<Promise<void>>();
      let failure: { error: unknown } | undefined;
      let size = 0;
      let partNumber = 0;
      const upload = (data: Buffer) => {
        const PartNumber = ++partNumber;
        if (PartNumber > MAX_PARTS) {
          throw new CoreError('InvalidArgument', `Body needs more than ${MAX_PARTS} parts of ${this.partSize} bytes; raise partSize`, {
            context: { key },
          });
        }
        size += data.byteLength;
        const task = this.call('UploadPart', key, controller.signal, async (abortSignal) => {
          return (await this.client.send(
            new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body: data, ContentLength: data.byteLength }),
            { abortSignal },
          )) as UploadPartCommandOutput;
        }).then(
          (out) => {
            const part: CompletedPart = { PartNumber, ETag: out.ETag };
            for (const field of CHECKSUM_FIELDS) if (out[field] !== undefined) part[field] = out[field];
            completed.push(part);
          },
          (error: unknown) => {
            failure ??= { error };
            controller.abort(error);
          },
        );
        const tracked: Promise<void> = task.finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
      };

      upload(first);
      for (let next: IteratorResult<Buffer> = { done: false, value: second }; !next.done; ) {
        upload(next.value);
        while (inFlight.size >= this.queueSize && !failure) await Promise.race(inFlight);
        if (failure || controller.signal.aborted) break;
        try {
          next = await parts.next();
        } catch (error) {
          throw controller.signal.aborted ? controller.signal.reason : bodyError(error, key, this.uri(key));
        }
      }
      await Promise.all(inFlight);
      if (failure) throw failure.error;
      controller.signal.throwIfAborted();

      completed.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
      const expected = multipartEtag(completed);
      const complete = this.call('CompleteMultipartUpload', key, controller.signal, async (abortSignal, attempt) => {
        try {
          return (await this.client.send(
            new CompleteMultipartUploadCommand({
              Bucket,
              Key,
              UploadId,
              MultipartUpload: { Parts: completed },
              IfNoneMatch: options.ifNoneMatch,
              IfMatch: quote(options.ifMatch),
            }),
            { abortSignal },
          )) as CompleteMultipartUploadCommandOutput;
        } catch (error) {
          // A lost response of an earlier attempt that did complete: NoSuchUpload or 412 now.
          if (attempt > 1) {
            const landed = await this.landed(key, token, size, abortSignal, expected);
            if (landed !== undefined) return { ETag: landed } as CompleteMultipartUploadCommandOutput;
          }
          throw error;
        }
      });
      let out: CompleteMultipartUploadCommandOutput;
      try {
        out = await complete;
      } catch (error) {
        // Retries exhausted (or a non-retryable answer) after an attempt whose outcome is unknown:
        // if this upload's token is at the key, the object did land whole.
        if (options.signal?.aborted) throw error;
        const landed = await withTimeout(this.timeoutMs, `S3 HeadObject ${this.uri(key)}`, (abortSignal) =>
          this.landed(key, token, size, abortSignal, expected),
        ).catch(() => undefined);
        if (landed === undefined) throw error;
        out = { ETag: landed } as CompleteMultipartUploadCommandOutput;
      }
      uploadId = undefined; // completed: nothing to abort
      return { key, size, etag: unquote(out.ETag), lastModified: new Date() };
    } catch (error) {
      controller.abort(error);
      await parts.return(undefined).catch(() => undefined);
      if (uploadId !== undefined) await this.abortUpload(key, uploadId);
      throw options.signal?.aborted ? options.signal.reason : error;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Best-effort AbortMultipartUpload, so no parts linger (and are billed). */
  private async abortUpload(key: string, uploadId: string): Promise<void> {
    try {
      await this.call('AbortMultipartUpload', key, undefined, async (abortSignal) =>
        this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.fullKey(key), UploadId: uploadId }), {
          abortSignal,
        }),
      );
    } catch {
      // Leave the rest to the bucket's AbortIncompleteMultipartUpload lifecycle rule.
    }
  }
}

function checkConditions(key: string, options: PutOptions): void {
  if (options.ifNoneMatch !== undefined && options.ifNoneMatch !== '*') {
    throw new CoreError('InvalidArgument', `ifNoneMatch only accepts '*', got ${JSON.stringify(options.ifNoneMatch)}`, {
      context: { key },
    });
  }
  if (options.ifNoneMatch !== undefined && options.ifMatch !== undefined) {
    throw new CoreError('InvalidArgument', 'ifNoneMatch and ifMatch cannot be combined', { context: { key } });
  }
}

function isPreconditionFailed(error: unknown): boolean {
  return classifyS3Error(error)._tag === 'PreconditionFailed';
}

/** A random token marking one write (see UPLOAD_MARKER). */
function newUploadToken(): string {
  return randomBytes(16).toString('hex');
}

function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^(W\/)?"(.*)"$/, '$2');
}

function quote(etag: string | undefined): string | undefined {
  return etag === undefined ? undefined : `"${unquote(etag)}"`;
}

/** The ETag S3 gives a multipart object: MD5 of the parts' binary MD5s, then `-<number of parts>`. */
function multipartEtag(parts: CompletedPart[]): string {
  const hash = createHash('md5');
  for (const part of parts) hash.update(Buffer.from(unquote(part.ETag), 'hex'));
  return `${hash.digest('hex')}-${parts.length}`;
}

function bodyError(error: unknown, key: string, uri: string): CoreError {
  if (error instanceof CoreError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new CoreError('StorageFailure', `Reading the body to upload failed: ${detail}`, { cause: error, context: { key, uri } });
}

/** Cuts a body into parts of exactly `partSize` bytes (the last one shorter), copying each once. */
async function* partsOf(body: StreamBody, partSize: number): AsyncGenerator<Buffer> {
  let chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (size + buf.byteLength >= partSize) {
      const take = partSize - size;
      chunks.push(buf.subarray(0, take));
      const part = Buffer.concat(chunks, partSize);
      chunks = [];
      size = 0;
      buf = buf.subarray(take);
      yield part;
    }
    if (buf.byteLength > 0) {
      chunks.push(buf);
      size += buf.byteLength;
    }
  }
  if (size > 0) yield Buffer.concat(chunks, size);
}

function toReadable(body: GetObjectCommandOutput['Body']): Readable {
  if (body === undefined) return Readable.from([]);
  if (body instanceof Readable) return body;
  if (typeof (body as { transformToWebStream?: unknown }).transformToWebStream === 'function') {
    return Readable.fromWeb(body.transformToWebStream() as Parameters<typeof Readable.fromWeb>[0]);
  }
  return Readable.from(body as unknown as AsyncIterable<Uint8Array>);
}
