/**
 * The HTML report of risk and segmentation (issue 7), rendered from the curated models with ad-hoc
 * queries on the local engine: one self-contained page, no scripts, every value escaped.
 *
 * @module
 */
import type { DuckDbEngine } from '@lakeblocks/transform/duckdb';

type Row = Record<string, unknown>;

const escape = (v: unknown): string =>
  String(v === null || v === undefined ? '—' : typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : v).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function table(title: string, rows: readonly Row[], note = ''): string {
  const columns = Object.keys(rows[0] ?? {});
  const head = columns.map((c) => `<th>${escape(c)}</th>`).join('');
  const body = rows.map((r) => `<tr>${columns.map((c) => `<td>${escape(r[c])}</td>`).join('')}</tr>`).join('\n');
  return `<section><h2>${escape(title)}</h2>${note === '' ? '' : `<p>${escape(note)}</p>`}\n<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></section>`;
}

/**
 * The queries of the report, by section title (run on the curated models of the lake).
 *
 * @example
 * ```ts
 * Object.keys(NEQUI_REPORT_QUERIES)[0]; // 'Clients by risk level'
 * ```
 */
export const NEQUI_REPORT_QUERIES: Readonly<Record<string, string>> = {
  'Clients by risk level': `SELECT risk_level, count(*) AS clients, round(avg(credit_score), 0) AS avg_credit_score, round(avg(debt_to_income), 2) AS avg_debt_to_income,
    sum(cards_on_dark_web) AS cards_on_dark_web, round(avg(error_rate), 4) AS avg_error_rate FROM client_risk_profile GROUP BY risk_level ORDER BY risk_level`,
  'Highest-risk clients (top 20)': `SELECT client_id, risk_level, credit_score, debt_to_income, cards_on_dark_web, error_rate, refunds, spend, spend_to_limit
    FROM client_risk_profile ORDER BY CASE risk_level WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, credit_score, client_id LIMIT 20`,
  'Segments: age band × income band': `SELECT age_band, income_band, count(*) AS clients, round(avg(avg_monthly_spend), 2) AS avg_monthly_spend
    FROM client_segments GROUP BY age_band, income_band ORDER BY age_band, income_band`,
  'Spend by merchant category': `SELECT mcc_category, sum(transactions) AS transactions, sum(spend) AS spend, count(*) AS clients
    FROM client_category_spend GROUP BY mcc_category ORDER BY spend DESC`,
  'Monthly spend (all clients)': `SELECT year, month, sum(transactions) AS transactions, sum(spend) AS spend, sum(refund_amount) AS refunds, count(*) AS active_clients
    FROM client_monthly_spend GROUP BY year, month ORDER BY year, month`,
};

/**
 * Renders the report from the curated models the engine sees.
 *
 * @example
 * ```ts
 * await storage.put(lakeLayout.reportFile('nequi-report.html'), await nequiHtmlReport(engine));
 * ```
 */
export async function nequiHtmlReport(engine: DuckDbEngine, options: { generatedAt?: Date } = {}): Promise<string> {
  const sections: string[] = [];
  for (const [title, sql] of Object.entries(NEQUI_REPORT_QUERIES)) sections.push(table(title, await engine.queryAll(sql)));
  const at = (options.generatedAt ?? new Date()).toISOString();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Nequi lake — risk and segmentation</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin-bottom:2rem}th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}</style>
</head><body>
<h1>Nequi lake — risk and segmentation</h1>
<p>Generated ${escape(at)} from the curated models <code>client_risk_profile</code>, <code>client_segments</code>, <code>client_category_spend</code> and <code>client_monthly_spend</code>.</p>
${sections.join('\n')}
</body></html>
`;
}
