import { z } from 'zod';
import { CoreError } from '../errors/core-error.js';
import type { BookmarkObject, BookmarkState } from './bookmark.js';

/**
 * The bookmark format this version of lakeblocks writes. Older formats are upgraded on read by
 * {@link BOOKMARK_MIGRATIONS}; a newer one is refused with `BookmarkCorrupt`.
 *
 * @example
 * ```ts
 * JSON.parse(encodeBookmark(state)).formatVersion === BOOKMARK_FORMAT_VERSION; // true
 * ```
 */
export const BOOKMARK_FORMAT_VERSION = 1;

/**
 * A stored bookmark document before validation, as parsed from JSON.
 *
 * @example
 * ```ts
 * const doc: BookmarkDocument = JSON.parse(text);
 * ```
 */
export type BookmarkDocument = Record<string, unknown>;

/**
 * One step of the format migration chain: `migrations[n]` turns a document of `formatVersion` n
 * into one of `formatVersion` n + 1 (and must set `formatVersion` accordingly).
 *
 * @example
 * ```ts
 * const migrations: BookmarkMigrations = {
 *   1: (doc) => ({ ...doc, formatVersion: 2, objects: doc.entries }),
 * };
 * ```
 */
export type BookmarkMigrations = Readonly<Record<number, (doc: BookmarkDocument) => BookmarkDocument>>;

/**
 * The migrations from each older format to the next. Empty while format 1 is the only one; when
 * format 2 arrives, add `1: (doc) => …` here and bump {@link BOOKMARK_FORMAT_VERSION}.
 *
 * @example
 * ```ts
 * Object.keys(BOOKMARK_MIGRATIONS).length; // 0 for now
 * ```
 */
export const BOOKMARK_MIGRATIONS: BookmarkMigrations = Object.freeze({});

const isoDate = z.iso.datetime({ offset: true });
const objectSchema = z.object({
  key: z.string().min(1),
  size: z.number().int().nonnegative(),
  etag: z.string().optional(),
  lastModified: isoDate,
});
const documentSchemaV1 = z.object({
  formatVersion: z.literal(1),
  job: z.string().min(1),
  version: z.number().int().nonnegative(),
  committedAt: isoDate.optional(),
  owner: z.string().optional(),
  operation: z.enum(['commit', 'rewind', 'reset']).optional(),
  rewoundTo: z.number().int().nonnegative().optional(),
  highWater: isoDate.nullable().optional(),
  compactedBefore: isoDate.nullable().optional(),
  objects: z.array(objectSchema),
});

/**
 * Where a bookmark was read from, for error messages.
 *
 * @example
 * ```ts
 * const source: BookmarkSource = { job: 'raw-to-processed/orders', location: 's3://lake/_state/bookmarks/raw-to-processed/orders.json' };
 * ```
 */
export interface BookmarkSource {
  /** The job whose bookmark this is. */
  job: string;
  /** Where it is stored (`s3://bucket/_state/bookmarks/x.json`, `mysql table lakeblocks_bookmarks`). */
  location: string;
}

/**
 * Serialises a bookmark version to the stored JSON (current {@link BOOKMARK_FORMAT_VERSION}).
 *
 * @example
 * ```ts
 * await storage.put('_state/bookmarks/raw-to-processed/orders.json', encodeBookmark(state));
 * ```
 */
export function encodeBookmark(state: BookmarkState): string {
  const doc = {
    formatVersion: BOOKMARK_FORMAT_VERSION,
    job: state.job,
    version: state.version,
    committedAt: state.committedAt?.toISOString(),
    owner: state.owner,
    operation: state.operation,
    rewoundTo: state.rewoundTo,
    highWater: state.highWater?.toISOString() ?? null,
    compactedBefore: state.compactedBefore?.toISOString() ?? null,
    objects: state.objects.map((o) => ({
      key: o.key,
      size: o.size,
      ...(o.etag === undefined ? {} : { etag: o.etag }),
      lastModified: o.lastModified.toISOString(),
    })),
  };
  return JSON.stringify(doc);
}

/**
 * Parses a stored bookmark, upgrading older formats through `migrations`. Fails with CoreError
 * `BookmarkCorrupt` naming the job and location when the text is not JSON, has an unknown or newer
 * `formatVersion`, does not match the format, or belongs to another job.
 *
 * @example
 * ```ts
 * const state = decodeBookmark(text, { job: 'raw-to-processed/orders', location: storage.uri(key) });
 * ```
 */
export function decodeBookmark(
  text: string,
  source: BookmarkSource,
  options: { migrations?: BookmarkMigrations; currentFormatVersion?: number } = {},
): BookmarkState {
  const corrupt = (why: string, cause?: unknown): never => {
    throw new CoreError(
      'BookmarkCorrupt',
      `Bookmark of job ${JSON.stringify(source.job)} at ${source.location} is unreadable: ${why}. ` +
        'Fix or remove it, or rewind/reset the job to a known state',
      { context: { job: source.job, location: source.location }, cause },
    );
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return corrupt(`not valid JSON (${(error as Error).message})`, error);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return corrupt('not a JSON object');
  const doc = migrateBookmarkDocument(parsed as BookmarkDocument, source, options);
  const result = documentSchemaV1.safeParse(doc);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
    return corrupt(`does not match format ${BOOKMARK_FORMAT_VERSION}${where}: ${issue?.message ?? 'invalid'}`, result.error);
  }
  const d = result.data;
  if (d.job !== source.job) return corrupt(`it belongs to job ${JSON.stringify(d.job)}`);
  const objects: BookmarkObject[] = d.objects.map((o) => {
    const object: BookmarkObject = { key: o.key, size: o.size, lastModified: new Date(o.lastModified) };
    if (o.etag !== undefined) object.etag = o.etag;
    return object;
  });
  const state: BookmarkState = { job: d.job, version: d.version, objects };
  if (d.committedAt !== undefined) state.committedAt = new Date(d.committedAt);
  if (d.owner !== undefined) state.owner = d.owner;
  if (d.operation !== undefined) state.operation = d.operation;
  if (d.rewoundTo !== undefined) state.rewoundTo = d.rewoundTo;
  if (d.highWater != null) state.highWater = new Date(d.highWater);
  if (d.compactedBefore != null) state.compactedBefore = new Date(d.compactedBefore);
  return state;
}

/**
 * Upgrades a parsed bookmark document step by step to `currentFormatVersion` (default
 * {@link BOOKMARK_FORMAT_VERSION}). Throws `BookmarkCorrupt` for a missing, newer or unmigratable
 * `formatVersion`.
 *
 * @example
 * ```ts
 * const doc = migrateBookmarkDocument({ formatVersion: 1, job: 'j', version: 0, objects: [] }, { job: 'j', location: 'memory' });
 * ```
 */
export function migrateBookmarkDocument(
  doc: BookmarkDocument,
  source: BookmarkSource,
  options: { migrations?: BookmarkMigrations; currentFormatVersion?: number } = {},
): BookmarkDocument {
  const migrations = options.migrations ?? BOOKMARK_MIGRATIONS;
  const current = options.currentFormatVersion ?? BOOKMARK_FORMAT_VERSION;
  const fail = (why: string): never => {
    throw new CoreError(
      'BookmarkCorrupt',
      `Bookmark of job ${JSON.stringify(source.job)} at ${source.location} ${why}`,
      { context: { job: source.job, location: source.location } },
    );
  };
  let version = doc.formatVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return fail(`has no valid formatVersion (got ${JSON.stringify(version)})`);
  }
  if (version > current) {
    return fail(
      `has formatVersion ${version}, but this lakeblocks reads formats up to ${current}: upgrade @lakeblocks/core`,
    );
  }
  let out = doc;
  while (version < current) {
    const step = migrations[version];
    if (step === undefined) return fail(`has unknown formatVersion ${version} (no migration to ${version + 1})`);
    out = step(out);
    if (out.formatVersion !== version + 1) {
      return fail(`migration from formatVersion ${version} did not produce formatVersion ${version + 1}`);
    }
    version += 1;
  }
  return out;
}
