import type { Readable } from 'node:stream';

/** What a store knows about one object. */
export interface ObjectInfo {
  /** Key relative to the storage root, `/`-separated (`raw/orders/b1/orders.csv`). */
  key: string;
  /** Size in bytes. */
  size: number;
  /** Version tag: the S3 ETag (quotes stripped), or a size+mtime digest on local disk. */
  etag: string;
  /** Last modification time. */
  lastModified: Date;
}

/** One page of a listing. */
export interface ListPage {
  objects: ObjectInfo[];
  /** Pass back as `continuationToken` to get the next page; absent on the last page. */
  nextToken?: string;
}

/** Options of {@link Storage.list}. */
export interface ListOptions {
  /** Maximum objects per page (default 1000, the S3 maximum). */
  pageSize?: number;
  /** Token from the previous page. */
  continuationToken?: string;
}

/** Options of the `put` methods. */
export interface PutOptions {
  /** MIME type recorded with the object where the store supports it. */
  contentType?: string;
  /** Write only if no object exists at the key; otherwise fail with `PreconditionFailed`. */
  ifNoneMatch?: '*';
  /** Write only if the current object's etag equals this; otherwise fail with `PreconditionFailed`. */
  ifMatch?: string;
  /** Abort the write. */
  signal?: AbortSignal;
}

/** A body for {@link Storage.putStream}. */
export type StreamBody = Readable | AsyncIterable<Uint8Array>;

/**
 * One interface over every place a lake can live: a local directory ({@link LocalStorage}) or an S3
 * bucket and prefix (`S3Storage` from `@lakeblocks/core/s3`). Keys are relative, `/`-separated, and
 * may never contain `..`, empty segments or a leading `/` (see {@link assertValidKey}).
 *
 * Writes are all-or-nothing: a reader sees the old object or the new one, never a partial one.
 *
 * @example
 * ```ts
 * import { LocalStorage } from '@lakeblocks/core';
 * const storage = new LocalStorage('./.lake');
 * await storage.put('_state/hello.txt', 'hi');
 * for await (const obj of storage.listAll('_state/')) console.log(obj.key, obj.size);
 * ```
 */
export interface Storage {
  /** Where this store points: an absolute local directory or `s3://bucket/prefix`. */
  readonly root: string;
  /** The absolute location of a key (`/abs/dir/key` or `s3://bucket/prefix/key`) for engines such as DuckDB or Athena. */
  uri(key: string): string;
  /** Reads a whole object. Fails with `NotFound` when absent. */
  get(key: string, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  /** Streams an object. Fails with `NotFound` when absent. */
  getStream(key: string, options?: { signal?: AbortSignal }): Promise<Readable>;
  /** Writes a whole object atomically. */
  put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<ObjectInfo>;
  /** Writes a stream atomically (multipart on S3 for large bodies); nothing is visible until it completes. */
  putStream(key: string, body: StreamBody, options?: PutOptions): Promise<ObjectInfo>;
  /** Lists one page of objects whose key starts with `prefix`, in key order. */
  list(prefix: string, options?: ListOptions): Promise<ListPage>;
  /** Lists every object under `prefix`, page by page. */
  listAll(prefix: string, options?: Omit<ListOptions, 'continuationToken'>): AsyncIterable<ObjectInfo>;
  /** Deletes an object; deleting an absent key is not an error. */
  delete(key: string): Promise<void>;
  /** Whether an object exists at `key`. */
  exists(key: string): Promise<boolean>;
  /** The object's info, or `undefined` when absent. */
  stat(key: string): Promise<ObjectInfo | undefined>;
}
