/**
 * The Nequi curated models: enriched transactions, the client risk profile and the segmentation
 * features.
 *
 * @module
 */
import { clientRiskProfile } from './client-risk-profile.js';
import { clientCategorySpend, clientMonthlySpend, clientSegments } from './segmentation.js';
import { transactionsEnriched } from './transactions-enriched.js';

export { clientRiskProfile, RISK_LEVELS } from './client-risk-profile.js';
export { clientCategorySpend, clientMonthlySpend, clientSegments } from './segmentation.js';
export { transactionsEnriched } from './transactions-enriched.js';
export { MCC_CATEGORIES, MCC_CATEGORY_RANGES, mccCategoryOf, mccCategorySql, type MccCategory } from './mcc-categories.js';
export { AGE_BANDS, INCOME_BANDS, bandOf, bandSql } from './bands.js';

/**
 * Every Nequi model, inputs first.
 *
 * @example
 * ```ts
 * const engine = await DuckDbEngine.create({ lakeDir, tables: nequiTables, models: nequiModels });
 * await engine.runAll();
 * ```
 */
export const nequiModels = [transactionsEnriched, clientRiskProfile, clientMonthlySpend, clientCategorySpend, clientSegments] as const;
