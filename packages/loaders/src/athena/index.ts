/**
 * `@lakeblocks/loaders/athena`: the Athena query client (needs the optional peer
 * `@aws-sdk/client-athena`).
 *
 * @example
 * ```ts
 * import { AthenaClient } from '@aws-sdk/client-athena';
 * import { AthenaQueryClient } from '@lakeblocks/loaders/athena';
 * const athena = new AthenaQueryClient({ client: new AthenaClient({ maxAttempts: 1 }), workGroup: 'primary' });
 * const rows = await (await athena.execute('SELECT 1 AS one')).toArray();
 * ```
 *
 * @module
 */
export { AthenaQueryClient, AthenaQueryResult, ATHENA_PAGE_SIZE } from './athena-client.js';
export type { AthenaQueryClientOptions, ExecuteOptions, AthenaQueryStatistics, AthenaColumn, AthenaRow, AthenaQueryExecution } from './athena-client.js';
export { parseAthenaValue, athenaLiteral } from './athena-values.js';
export type { AthenaValue, AthenaParameter } from './athena-values.js';
export { athenaArrowSchema, athenaCellsToArrow } from './athena-arrow.js';
export type { ArrowSourceColumn } from './athena-arrow.js';
