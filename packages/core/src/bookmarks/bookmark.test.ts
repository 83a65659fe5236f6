import { describe, expect, it } from 'vitest';
import { applyCommit, emptyBookmark, indexBookmark, isConsumed, newObjects, type BookmarkObject } from './bookmark.js';

const T0 = Date.parse('2025-03-01T00:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const obj = (key: string, minute: number, etag: string | null = `e-${key}`, size = 1): BookmarkObject =>
  etag === null ? { key, size, lastModified: at(minute) } : { key, size, etag, lastModified: at(minute) };
const NOW = at(10_000);

describe('isConsumed / newObjects', () => {
  it('matches on key + size + etag, falling back to lastModified without an etag', () => {
    const state = applyCommit(emptyBookmark('j'), [obj('a', 1), obj('b', 2, null)], { now: NOW });
    const index = indexBookmark(state);
    expect(isConsumed(index, obj('a', 1))).toBe(true);
    expect(isConsumed(index, obj('a', 9))).toBe(true); // same content re-uploaded
    expect(isConsumed(index, obj('a', 1, 'other'))).toBe(false);
    expect(isConsumed(index, obj('a', 1, 'e-a', 2))).toBe(false);
    expect(isConsumed(index, obj('b', 2, null))).toBe(true);
    expect(isConsumed(index, obj('b', 3, null))).toBe(false);
    expect(isConsumed(index, obj('b', 2, 'now-has-etag'))).toBe(true); // entry has no etag: compare mtime
    expect(isConsumed(index, obj('c', 3))).toBe(false);
  });

  it('returns new objects oldest first, then by key', () => {
    const fresh = newObjects(emptyBookmark('j'), [obj('z', 1), obj('b', 2), obj('a', 2)]);
    expect(fresh.map((o) => o.key)).toEqual(['z', 'a', 'b']);
  });
});

describe('applyCommit', () => {
  it('increments the version, merges by key and moves the high-water mark', () => {
    const v1 = applyCommit(emptyBookmark('j'), [obj('a', 1), obj('b', 5)], { owner: 'me', now: NOW });
    expect(v1).toMatchObject({ job: 'j', version: 1, owner: 'me', operation: 'commit', highWater: at(5) });
    const v2 = applyCommit(v1, [obj('a', 7, 'new')], { now: NOW });
    expect(v2.version).toBe(2);
    expect(v2.objects.map((o) => [o.key, o.etag])).toEqual([
      ['b', 'e-b'],
      ['a', 'new'],
    ]);
    expect(v2.highWater).toEqual(at(7));
  });

  it('drops entries behind the retention window; the watermark then covers them', () => {
    const state = applyCommit(emptyBookmark('j'), [obj('old', 0), obj('mid', 50), obj('new', 100)], {
      policy: { retainMs: 60 * 60_000 },
      now: NOW,
    });
    expect(state.compactedBefore).toEqual(at(40));
    expect(state.objects.map((o) => o.key)).toEqual(['mid', 'new']);
    const index = indexBookmark(state);
    expect(isConsumed(index, obj('old', 0, 'changed'))).toBe(true); // behind the watermark: by time only
    expect(isConsumed(index, obj('never-seen', 39))).toBe(true); // the documented trade-off
    expect(isConsumed(index, obj('late', 41))).toBe(false); // inside the window: exact
  });

  it('caps entries at maxEntries, dropping the oldest and never splitting a timestamp', () => {
    const listing = [obj('a', 1), obj('b', 2), obj('c', 2), obj('d', 3), obj('e', 4)];
    const state = applyCommit(emptyBookmark('j'), listing, { policy: { maxEntries: 3 }, now: NOW });
    // Dropping the 2 oldest would split minute 2: both go.
    expect(state.objects.map((o) => o.key)).toEqual(['d', 'e']);
    expect(state.compactedBefore?.getTime()).toBe(at(2).getTime() + 1);
    expect(newObjects(state, listing)).toEqual([]);
  });

  it('keeps the newest timestamp group even beyond maxEntries', () => {
    const listing = [obj('a', 1), obj('b', 5), obj('c', 5), obj('d', 5)];
    const state = applyCommit(emptyBookmark('j'), listing, { policy: { maxEntries: 2 }, now: NOW });
    expect(state.objects.map((o) => o.key)).toEqual(['b', 'c', 'd']);
    expect(state.compactedBefore).toEqual(at(5));
    expect(isConsumed(indexBookmark(state), obj('x', 5))).toBe(false); // same second, unseen: still new
  });

  it('does not let a future-dated object drag the window past now', () => {
    const state = applyCommit(emptyBookmark('j'), [obj('skewed', 10_000 + 60 * 24 * 365)], {
      policy: { retainMs: 60_000 },
      now: NOW,
    });
    expect(state.compactedBefore).toEqual(new Date(NOW.getTime() - 60_000));
  });

  it('refuses invalid input', () => {
    expect(() => applyCommit(emptyBookmark('j'), [], { policy: { maxEntries: 0 } })).toThrow(/maxEntries/);
    expect(() => applyCommit(emptyBookmark('j'), [], { policy: { retainMs: -1 } })).toThrow(/retainMs/);
    expect(() => applyCommit(emptyBookmark('j'), [{ key: '', size: 1, lastModified: NOW }])).toThrow(/key/);
    expect(() => applyCommit(emptyBookmark('j'), [{ key: 'k', size: 1, lastModified: new Date(NaN) }])).toThrow(/lastModified/);
  });
});
