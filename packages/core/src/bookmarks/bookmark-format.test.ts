import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors/core-error.js';
import { applyCommit, emptyBookmark } from './bookmark.js';
import { BOOKMARK_FORMAT_VERSION, decodeBookmark, encodeBookmark, migrateBookmarkDocument } from './bookmark-format.js';

const where = { job: 'raw-to-processed/orders', location: '/lake/_state/bookmarks/raw-to-processed/orders.json' };
const catchError = (fn: () => unknown): CoreError => {
  try {
    fn();
  } catch (error) {
    return error as CoreError;
  }
  throw new Error('expected an error');
};

describe('bookmark format', () => {
  it('round-trips a bookmark', () => {
    const state = applyCommit(
      emptyBookmark(where.job),
      [
        { key: 'raw/a.csv', size: 3, etag: 'x', lastModified: new Date('2025-01-01T00:00:00.123Z') },
        { key: 'raw/b.csv', size: 4, lastModified: new Date('2025-01-02T00:00:00Z') },
      ],
      { owner: 'me', now: new Date('2025-01-03T00:00:00Z') },
    );
    const text = encodeBookmark(state);
    expect(JSON.parse(text).formatVersion).toBe(BOOKMARK_FORMAT_VERSION);
    expect(decodeBookmark(text, where)).toEqual(state);
  });

  it('unparseable JSON is BookmarkCorrupt naming the job and location', () => {
    const e = catchError(() => decodeBookmark('{"formatVersion":1,', where));
    expect(e._tag).toBe('BookmarkCorrupt');
    expect(e.message).toContain(where.job);
    expect(e.message).toContain(where.location);
    expect(e.message).toMatch(/not valid JSON/);
  });

  it('an unknown or newer formatVersion is BookmarkCorrupt with a clear message', () => {
    expect(catchError(() => decodeBookmark('{"formatVersion":7,"objects":[]}', where)).message).toMatch(
      /formatVersion 7, but this lakeblocks reads formats up to 1/,
    );
    expect(catchError(() => decodeBookmark('{"objects":[]}', where)).message).toMatch(/no valid formatVersion/);
    expect(catchError(() => decodeBookmark('[]', where))._tag).toBe('BookmarkCorrupt');
  });

  it('a document of the wrong shape or of another job is BookmarkCorrupt', () => {
    const wrong = JSON.stringify({ formatVersion: 1, job: where.job, version: 1, objects: [{ key: 'a', size: -1, lastModified: 'x' }] });
    expect(catchError(() => decodeBookmark(wrong, where)).message).toMatch(/at objects\.0\.size/);
    const other = JSON.stringify({ formatVersion: 1, job: 'other', version: 1, objects: [] });
    expect(catchError(() => decodeBookmark(other, where)).message).toMatch(/belongs to job "other"/);
  });

  it('upgrades older formats through the migration chain, step by step', () => {
    // Pretend the current format is 3: format 1 named the list "files", format 2 lacked "owner".
    const migrations = {
      1: (doc: Record<string, unknown>) => {
        const { files, ...rest } = doc;
        return { ...rest, formatVersion: 2, objects: files };
      },
      2: (doc: Record<string, unknown>) => ({ ...doc, formatVersion: 3, owner: 'migrated' }),
    };
    const v1 = { formatVersion: 1, job: where.job, version: 4, files: [] };
    expect(migrateBookmarkDocument(v1, where, { migrations, currentFormatVersion: 3 })).toEqual({
      formatVersion: 3,
      job: where.job,
      version: 4,
      objects: [],
      owner: 'migrated',
    });
    // A gap in the chain, or a step that forgets to bump formatVersion, is BookmarkCorrupt.
    expect(catchError(() => migrateBookmarkDocument(v1, where, { migrations: {}, currentFormatVersion: 2 })).message).toMatch(
      /unknown formatVersion 1 \(no migration to 2\)/,
    );
    const sloppy = { 1: (doc: Record<string, unknown>) => ({ ...doc }) };
    expect(catchError(() => migrateBookmarkDocument(v1, where, { migrations: sloppy, currentFormatVersion: 2 }))._tag).toBe(
      'BookmarkCorrupt',
    );
    // With the real (empty) chain, format 1 decodes as is.
    expect(decodeBookmark(JSON.stringify({ ...v1, objects: [], files: undefined }), where).version).toBe(4);
  });
});
