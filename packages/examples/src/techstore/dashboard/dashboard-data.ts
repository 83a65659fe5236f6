/**
 * The data behind the TechStore dashboard, queried from the curated marts.
 *
 * @module
 */
import type { LakeQueries } from '../pipeline/answers.js';
import { EVENT_TYPES } from '../tables.js';

/**
 * Everything the dashboard draws.
 *
 * @example
 * ```ts
 * const data: DashboardData = { months: [], funnel: [], countries: [], channels: [], devices: [], heatmap: [], period: '' };
 * ```
 */
export interface DashboardData {
  /** Every month with orders, oldest first. */
  months: { year: number; month: number; revenue: number; customers: number; orders: number; avgTicket: number; revenueMomPct: number | null }[];
  /** Sessions per funnel stage in the latest month with events, and over all months. */
  funnel: { stage: string; month: number; all: number }[];
  funnelMonth?: string;
  /** Revenue over the 12 months up to the latest one. */
  countries: { key: string; revenue: number }[];
  channels: { key: string; revenue: number }[];
  devices: { key: string; revenue: number }[];
  /** Orders by ISO weekday (1 = Monday) and hour, over the same 12 months. */
  heatmap: { weekday: number; hour: number; orders: number; revenue: number }[];
  /** `2024-11 .. 2025-10`. */
  period: string;
}

const num = (v: unknown) => Number(v ?? 0);
const ym = (index: number) => `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;

/**
 * Queries the marts.
 *
 * @example
 * ```ts
 * const data = await dashboardData(engine);
 * ```
 */
export async function dashboardData(engine: LakeQueries): Promise<DashboardData> {
  const months = (await engine.queryAll('SELECT year, month, revenue_usd, customers, orders, avg_ticket_usd, revenue_mom_pct FROM kpi_monthly ORDER BY year, month')).map((r) => ({
    year: num(r['year']),
    month: num(r['month']),
    revenue: num(r['revenue_usd']),
    customers: num(r['customers']),
    orders: num(r['orders']),
    avgTicket: num(r['avg_ticket_usd']),
    revenueMomPct: r['revenue_mom_pct'] === null || r['revenue_mom_pct'] === undefined ? null : num(r['revenue_mom_pct']),
  }));
  const data: DashboardData = { months, funnel: [], countries: [], channels: [], devices: [], heatmap: [], period: '' };
  const last = months.at(-1);
  if (!last) return data;
  const to = last.year * 12 + last.month - 1;
  data.period = `${ym(to - 11)} .. ${ym(to)}`;
  const window = `year * 12 + month - 1 BETWEEN ${to - 11} AND ${to}`;

  const [fm] = await engine.queryAll(`SELECT year, month FROM funnel_monthly WHERE year * 12 + month - 1 <= ${to} ORDER BY year DESC, month DESC LIMIT 1`);
  const funnelRows = await engine.queryAll(
    `SELECT stage, sum(sessions) AS all_sessions, sum(CASE WHEN year = ${num(fm?.['year'])} AND month = ${num(fm?.['month'])} THEN sessions ELSE 0 END) AS month_sessions FROM funnel_monthly GROUP BY stage`,
  );
  const byStage = new Map(funnelRows.map((r) => [String(r['stage']), r]));
  data.funnel = EVENT_TYPES.map((stage) => ({ stage, month: num(byStage.get(stage)?.['month_sessions']), all: num(byStage.get(stage)?.['all_sessions']) }));
  if (fm) data.funnelMonth = ym(num(fm['year']) * 12 + num(fm['month']) - 1);

  const ranked = async (table: string, key: string) =>
    (await engine.queryAll(`SELECT CAST(${key} AS VARCHAR) AS k, CAST(sum(revenue_usd) AS DOUBLE) AS revenue FROM ${table} WHERE ${window} GROUP BY ${key} ORDER BY revenue DESC`)).map(
      (r) => ({ key: String(r['k']), revenue: num(r['revenue']) }),
    );
  data.countries = await ranked('breakdown_country_monthly', 'country');
  data.channels = await ranked('breakdown_source_monthly', 'source');
  data.devices = await ranked('breakdown_device_monthly', 'device');
  data.heatmap = (
    await engine.queryAll(`SELECT weekday, hour, CAST(sum(orders) AS INTEGER) AS orders, CAST(sum(revenue_usd) AS DOUBLE) AS revenue FROM breakdown_hour_weekday_monthly WHERE ${window} GROUP BY weekday, hour`)
  ).map((r) => ({ weekday: num(r['weekday']), hour: num(r['hour']), orders: num(r['orders']), revenue: num(r['revenue']) }));
  return data;
}
