export {
  applyCommit,
  emptyBookmark,
  indexBookmark,
  isConsumed,
  newObjects,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_RETAIN_MS,
} from './bookmark.js';
export type {
  ApplyCommitOptions,
  BookmarkIndex,
  BookmarkObject,
  BookmarkOperation,
  BookmarkPolicy,
  BookmarkState,
} from './bookmark.js';
export {
  BOOKMARK_FORMAT_VERSION,
  BOOKMARK_MIGRATIONS,
  decodeBookmark,
  encodeBookmark,
  migrateBookmarkDocument,
} from './bookmark-format.js';
export type { BookmarkDocument, BookmarkMigrations, BookmarkSource } from './bookmark-format.js';
export type { BookmarkHead, BookmarkStore, Lease, LeaseRequest, StoredBookmark } from './bookmark-store.js';
export { assertValidJobName } from './job-name.js';
export { assertLeaseCovers, leaseHeldError, leaseLostError } from './lease-errors.js';
export { BookmarkRun, JobBookmarks } from './job-bookmarks.js';
export type { BeginOptions, JobBookmarksOptions } from './job-bookmarks.js';
export { StorageBookmarkStore } from './storage-bookmark-store.js';
export type { StorageBookmarkStoreOptions } from './storage-bookmark-store.js';
