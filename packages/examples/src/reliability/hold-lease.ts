/**
 * Child process of `lease-after-crash.reliability.test.ts`: takes the bookmark lease of a job on a
 * local lake the way the ingest job does (`JobBookmarks.begin`, default owner `<host>:<pid>` and
 * TTL), prints `held`, and waits to be killed. Test-only.
 *
 * Usage: node --import tsx --conditions=@lakeblocks/source hold-lease.ts LAKE_DIR JOB
 *
 * @module
 */
import { JobBookmarks, LocalStorage, StorageBookmarkStore } from '@lakeblocks/core';

const [lakeDir, job] = process.argv.slice(2);
if (lakeDir === undefined || job === undefined) throw new Error('usage: hold-lease.ts LAKE_DIR JOB');
const bookmarks = new JobBookmarks(new StorageBookmarkStore(new LocalStorage(lakeDir, { durable: false })));
await bookmarks.begin(job);
process.stdout.write('held\n');
setInterval(() => undefined, 60_000);
