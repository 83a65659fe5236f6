import type { ListOptions, ListPage, ObjectInfo } from './storage.js';

/**
 * Walks every page of a paginated listing: the one implementation of `Storage.listAll`, shared by
 * every store so that paging behaves the same on local disk and S3.
 *
 * @example
 * ```ts
 * async *listAll(prefix, options = {}) {
 *   yield* listAllPages((token) => this.list(prefix, { ...options, continuationToken: token }));
 * }
 * ```
 */
export async function* listAllPages(listPage: (continuationToken: string | undefined) => Promise<ListPage>): AsyncIterable<ObjectInfo> {
  let token: string | undefined;
  do {
    const page = await listPage(token);
    yield* page.objects;
    token = page.nextToken;
  } while (token !== undefined);
}

/** Options of one page request in {@link listAllPages}: the caller's options plus the token, if any. */
export function pageOptions(options: Omit<ListOptions, 'continuationToken'>, token: string | undefined): ListOptions {
  return token === undefined ? options : { ...options, continuationToken: token };
}
