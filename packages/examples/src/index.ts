/**
 * `@lakeblocks/examples`: the TechStore example lake (table definitions, curated models, data
 * generator, pipeline, dashboard and CLI). Run it with `pnpm techstore run` from the repository root.
 *
 * @example
 * ```ts
 * import { techstore } from '@lakeblocks/examples';
 * await techstore.runTechstore({ lakeDir: './.lake' });
 * ```
 *
 * @packageDocumentation
 */
export * as techstore from './techstore/index.js';
