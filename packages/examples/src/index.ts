/**
 * `@lakeblocks/examples`: the TechStore and Nequi example lakes (table definitions, cleaning rules,
 * curated models, data generators, pipelines, reports and CLIs). Run them with `pnpm techstore run`
 * and `pnpm nequi run` from the repository root.
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
export * as nequi from './nequi/index.js';
