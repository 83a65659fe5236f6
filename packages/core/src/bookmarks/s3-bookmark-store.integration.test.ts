import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { S3Storage } from '../s3/s3-storage.js';
import { startS3rver, type S3rverHandle } from '../testing/s3rver.js';
import { describeBookmarkStoreSuite } from './bookmark-store-suite.js';
import { StorageBookmarkStore } from './storage-bookmark-store.js';

let s3: S3rverHandle;
beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3?.close();
});

describeBookmarkStoreSuite(
  'StorageBookmarkStore on S3Storage (s3rver)',
  async () => {
    const storage = new S3Storage(`s3://${s3.bucket}/t-${randomBytes(4).toString('hex')}`, { client: s3.client });
    return {
      store: new StorageBookmarkStore(storage),
      corrupt: async (job, text) => void (await storage.put(`_state/bookmarks/${job}.json`, text)),
      cleanup: async () => undefined, // the server's directory goes with it in afterAll
    };
  },
  // s3rver ignores If-None-Match / If-Match; AWS S3 enforces them (see s3-conditional-writes.test.ts).
  { enforcesConditionalWrites: false },
);
