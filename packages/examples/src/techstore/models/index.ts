/**
 * The TechStore curated models: facts, then the marts of the three business questions.
 *
 * @module
 */
import { breakdownCountryMonthly, breakdownDeviceMonthly, breakdownHourWeekdayMonthly, breakdownSourceMonthly } from './breakdowns.js';
import { eventsEnriched } from './events-enriched.js';
import { factOrderItemsEnriched } from './fact-order-items-enriched.js';
import { factOrdersEnriched } from './fact-orders-enriched.js';
import { funnelMonthly } from './funnel-monthly.js';
import { kpiMonthly } from './kpi-monthly.js';

export { breakdownCountryMonthly, breakdownDeviceMonthly, breakdownHourWeekdayMonthly, breakdownSourceMonthly } from './breakdowns.js';
export { eventsEnriched } from './events-enriched.js';
export { factOrderItemsEnriched } from './fact-order-items-enriched.js';
export { factOrdersEnriched } from './fact-orders-enriched.js';
export { funnelMonthly } from './funnel-monthly.js';
export { kpiMonthly } from './kpi-monthly.js';

/**
 * Every TechStore model, inputs first.
 *
 * @example
 * ```ts
 * const engine = await DuckDbEngine.create({ lakeDir, tables: techstoreTables, models: techstoreModels });
 * await engine.runAll();
 * ```
 */
export const techstoreModels = [
  factOrderItemsEnriched,
  factOrdersEnriched,
  eventsEnriched,
  kpiMonthly,
  funnelMonthly,
  breakdownCountryMonthly,
  breakdownSourceMonthly,
  breakdownDeviceMonthly,
  breakdownHourWeekdayMonthly,
] as const;
