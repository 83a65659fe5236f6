export { MySqlBookmarkStore } from './mysql-bookmark-store.js';
export type { MySqlBookmarkStoreOptions, MySqlConnectionLike, MySqlPoolLike } from './mysql-bookmark-store.js';
export { classifyMysqlError, connectionIsBroken } from './mysql-errors.js';
export { allowBackslashEscapes, restoreSqlMode } from './sql-mode.js';
