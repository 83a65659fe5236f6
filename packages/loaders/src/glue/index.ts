/**
 * `@lakeblocks/loaders/glue`: Glue Data Catalog registration from core table definitions (needs
 * the optional peer `@aws-sdk/client-glue`).
 *
 * @example
 * ```ts
 * import { GlueClient } from '@aws-sdk/client-glue';
 * import { GlueCatalog } from '@lakeblocks/loaders/glue';
 * const catalog = new GlueCatalog({ client: new GlueClient({ maxAttempts: 1 }), database: 'techstore' });
 * await catalog.ensureTable(orders, { location: 's3://lake/processed/orders/' });
 * ```
 *
 * @module
 */
export { GlueCatalog, GLUE_BATCH_CREATE_LIMIT, GLUE_BATCH_DELETE_LIMIT } from './glue-catalog.js';
export type {
  GlueCatalogOptions,
  PartitionSpecInput,
  GluePartitionInfo,
  EnsureTableResult,
  PartitionBatchResult,
  RepointResult,
  CatalogTable,
} from './glue-catalog.js';
export * from './table-input-exports.js';
