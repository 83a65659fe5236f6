/**
 * The three TechStore business questions, answered from the curated marts:
 * 1. how the business did this month (revenue, buying customers, average ticket, change against
 *    the previous month); 2. where the funnel loses most users; 3. which countries, channels,
 *    devices and hours earn most.
 *
 * @module
 */
import { EVENT_TYPES } from '../tables.js';

/**
 * Anything answering small SQL queries over the lake's tables: a `DuckDbEngine` (local lake) or the
 * Athena client of an S3 lake (`aws/aws-lake.ts`).
 *
 * @example
 * ```ts
 * const engine: LakeQueries = await DuckDbEngine.create({ lakeDir, tables: techstoreTables, models: techstoreModels });
 * ```
 */
export interface LakeQueries {
  queryAll(sql: string): Promise<Record<string, unknown>[]>;
}

/**
 * One month's KPIs.
 *
 * @example
 * ```ts
 * const k: MonthKpis = { year: 2025, month: 10, revenue: 512345.67, orders: 493, customers: 480, avgTicket: 1039.22 };
 * ```
 */
export interface MonthKpis {
  year: number;
  month: number;
  revenue: number;
  orders: number;
  customers: number;
  avgTicket: number;
}

/**
 * One funnel stage of the month.
 *
 * @example
 * ```ts
 * const s: FunnelStage = { stage: 'add_to_cart', sessions: 700, lost: 1000, lostPct: 58.8 };
 * ```
 */
export interface FunnelStage {
  stage: string;
  sessions: number;
  /** Sessions of the previous stage that did not reach this one (0 for the first stage). */
  lost: number;
  lostPct: number;
}

/**
 * Revenue of one value of a dimension.
 *
 * @example
 * ```ts
 * const r: Ranked = { key: 'US', revenue: 123456.78, share: 18.3 };
 * ```
 */
export interface Ranked {
  key: string;
  revenue: number;
  /** Percent of the period's revenue. */
  share: number;
}

/**
 * The answers, as data.
 *
 * @example
 * ```ts
 * const answers = await businessAnswers(engine);
 * answers.thisMonth?.revenue;
 * ```
 */
export interface BusinessAnswers {
  thisMonth?: MonthKpis;
  /** The calendar month before, when it had orders. */
  lastMonth?: MonthKpis;
  funnelMonth?: { year: number; month: number; stages: FunnelStage[]; worst?: FunnelStage };
  /** The 12 months up to this month. */
  period?: { from: string; to: string };
  countries: Ranked[];
  channels: Ranked[];
  devices: Ranked[];
  hours: Ranked[];
}

const num = (v: unknown) => Number(v ?? 0);
const ym = (year: number, month: number) => `${year}-${String(month).padStart(2, '0')}`;

/**
 * Queries the marts for the answers.
 *
 * @example
 * ```ts
 * const answers = await businessAnswers(engine);
 * console.log(formatAnswers(answers));
 * ```
 */
export async function businessAnswers(engine: LakeQueries): Promise<BusinessAnswers> {
  const kpis = await engine.queryAll('SELECT year, month, revenue_usd, orders, customers, avg_ticket_usd FROM kpi_monthly ORDER BY year DESC, month DESC LIMIT 2');
  const toKpis = (r: Record<string, unknown>): MonthKpis => ({
    year: num(r['year']),
    month: num(r['month']),
    revenue: num(r['revenue_usd']),
    orders: num(r['orders']),
    customers: num(r['customers']),
    avgTicket: num(r['avg_ticket_usd']),
  });
  const answers: BusinessAnswers = { countries: [], channels: [], devices: [], hours: [] };
  const [latest, before] = kpis.map(toKpis);
  if (!latest) return answers;
  answers.thisMonth = latest;
  if (before && before.year * 12 + before.month === latest.year * 12 + latest.month - 1) answers.lastMonth = before;

  // The funnel of this month (or the latest month with events).
  const [fm] = await engine.queryAll(
    `SELECT year, month FROM funnel_monthly WHERE year * 12 + month <= ${latest.year * 12 + latest.month} ORDER BY year DESC, month DESC LIMIT 1`,
  );
  if (fm) {
    const year = num(fm['year']);
    const month = num(fm['month']);
    const rows = await engine.queryAll(`SELECT stage, sessions FROM funnel_monthly WHERE year = ${year} AND month = ${month}`);
    const by = new Map(rows.map((r) => [String(r['stage']), num(r['sessions'])]));
    const stages: FunnelStage[] = [];
    for (const stage of EVENT_TYPES) {
      const sessions = by.get(stage) ?? 0;
      const prev = stages.at(-1);
      const lost = prev ? Math.max(0, prev.sessions - sessions) : 0;
      stages.push({ stage, sessions, lost, lostPct: prev && prev.sessions > 0 ? round1((100 * lost) / prev.sessions) : 0 });
    }
    const worst = stages.slice(1).reduce<FunnelStage | undefined>((w, s) => (w === undefined || s.lost > w.lost ? s : w), undefined);
    answers.funnelMonth = { year, month, stages, ...(worst ? { worst } : {}) };
  }

  // Breakdowns over the 12 months up to this month.
  const to = latest.year * 12 + latest.month;
  const window = `year * 12 + month BETWEEN ${to - 11} AND ${to}`;
  const fromIndex = to - 12;
  answers.period = { from: ym(Math.floor(fromIndex / 12), (fromIndex % 12) + 1), to: ym(latest.year, latest.month) };
  const ranked = async (table: string, key: string, limit: number): Promise<Ranked[]> => {
    const rows = await engine.queryAll(
      `SELECT CAST(${key} AS VARCHAR) AS k, CAST(sum(revenue_usd) AS DOUBLE) AS revenue, CAST(100 * sum(revenue_usd) / sum(sum(revenue_usd)) OVER () AS DOUBLE) AS share
       FROM ${table} WHERE ${window} GROUP BY ${key} ORDER BY revenue DESC LIMIT ${limit}`,
    );
    return rows.map((r) => ({ key: String(r['k']), revenue: num(r['revenue']), share: round1(num(r['share'])) }));
  };
  answers.countries = await ranked('breakdown_country_monthly', 'country', 5);
  answers.channels = await ranked('breakdown_source_monthly', 'source', 6);
  answers.devices = await ranked('breakdown_device_monthly', 'device', 3);
  answers.hours = await ranked('breakdown_hour_weekday_monthly', 'hour', 5);
  return answers;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const monthName = (year: number, month: number) => `${MONTHS[month - 1] ?? month} ${year}`;
const usd = (x: number) => `USD ${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const int = (x: number) => x.toLocaleString('en-US');
const change = (now: number, before: number | undefined) => {
  if (before === undefined || before === 0) return '';
  const pct = (100 * (now - before)) / before;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)} % vs last month`;
};

/**
 * Formats the answers for a terminal.
 *
 * @example
 * ```ts
 * process.stdout.write(formatAnswers(await businessAnswers(engine)));
 * ```
 */
export function formatAnswers(a: BusinessAnswers): string {
  const out: string[] = [];
  const rows = (list: [string, string, string][], alignRight = true) => {
    const w0 = Math.max(...list.map((r) => r[0].length));
    const w1 = Math.max(...list.map((r) => r[1].length));
    for (const [k, v, c] of list) out.push(`  ${k.padEnd(w0)}  ${alignRight ? v.padStart(w1) : v}${c ? `  ${c}` : ''}`.trimEnd());
  };
  if (!a.thisMonth) return 'No orders in the lake yet: nothing to answer.\n';
  const t = a.thisMonth;
  const l = a.lastMonth;
  out.push(`1. How did the business do this month? ${monthName(t.year, t.month)}${l ? ` (against ${monthName(l.year, l.month)})` : ' (no orders the month before)'}`);
  rows([
    ['revenue', usd(t.revenue), change(t.revenue, l?.revenue)],
    ['buying customers', int(t.customers), change(t.customers, l?.customers)],
    ['orders', int(t.orders), change(t.orders, l?.orders)],
    ['average ticket', usd(t.avgTicket), change(t.avgTicket, l?.avgTicket)],
  ]);
  out.push('');
  const f = a.funnelMonth;
  if (f) {
    out.push(`2. Where does the funnel lose most users? ${monthName(f.year, f.month)}, sessions reaching each stage`);
    rows(f.stages.map((s, i) => [s.stage, int(s.sessions), i === 0 ? '' : s.lost === 0 ? 'none lost' : `-${s.lostPct.toFixed(1)} % (${int(s.lost)} lost)${s === f.worst ? '  <- most users lost' : ''}`]));
    if (f.worst) {
      const prev = f.stages[f.stages.indexOf(f.worst) - 1];
      out.push(`  Most users are lost between ${prev?.stage ?? '?'} and ${f.worst.stage}.`);
    }
  } else out.push('2. Where does the funnel lose most users? No events in the lake yet.');
  out.push('');
  const p = a.period;
  out.push(`3. Which countries, channels and hours earn most? Revenue ${p ? `${p.from} .. ${p.to}` : ''}`);
  const list = (items: Ranked[], label: (k: string) => string = (k) => k) => items.map((r) => `${label(r.key)} ${r.share.toFixed(1)} %`).join(', ');
  rows([
    ['countries', list(a.countries), ''],
    ['channels', list(a.channels), ''],
    ['devices', list(a.devices), ''],
    ['hours', list(a.hours, (h) => `${h.padStart(2, '0')}h`), ''],
  ], false);
  return `${out.join('\n')}\n`;
}
