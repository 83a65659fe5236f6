/**
 * Renders the TechStore dashboard: one self-contained HTML page (inline CSS and SVG, no script, no
 * network) answering the three business questions — monthly revenue and customers with
 * month-over-month change, the funnel with the drop-off per stage, revenue by country, channel and
 * device, orders by hour and weekday. Deterministic: the same data gives the same bytes.
 *
 * @module
 */
import type { DashboardData } from './dashboard-data.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const usd = (x: number) => `$${x.toLocaleString('en-US', { maximumFractionDigits: 0 })}`;
const int = (x: number) => x.toLocaleString('en-US');
const pct = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} %`;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Monthly revenue bars with the customers line over them. */
function monthlyChart(months: DashboardData['months']): string {
  const w = 900;
  const h = 260;
  const pad = { l: 70, r: 60, t: 16, b: 34 };
  const n = Math.max(months.length, 1);
  const bw = (w - pad.l - pad.r) / n;
  const maxRev = Math.max(1, ...months.map((m) => m.revenue));
  const maxCust = Math.max(1, ...months.map((m) => m.customers));
  const y = (v: number, max: number) => pad.t + (h - pad.t - pad.b) * (1 - v / max);
  const bars = months
    .map((m, i) => {
      const top = y(m.revenue, maxRev);
      return `<rect class="bar" data-month="${m.year}-${m.month}" x="${(pad.l + i * bw + bw * 0.1).toFixed(1)}" y="${top.toFixed(1)}" width="${(bw * 0.8).toFixed(1)}" height="${(h - pad.b - top).toFixed(1)}"><title>${MONTHS[m.month - 1]} ${m.year}: revenue ${usd(m.revenue)}, ${int(m.customers)} customers${m.revenueMomPct === null ? '' : `, ${pct(m.revenueMomPct)} vs previous month`}</title></rect>`;
    })
    .join('');
  const line = months.map((m, i) => `${(pad.l + i * bw + bw / 2).toFixed(1)},${y(m.customers, maxCust).toFixed(1)}`).join(' ');
  const labels = months
    .map((m, i) => (m.month === 1 || i === 0 ? `<text x="${(pad.l + i * bw).toFixed(1)}" y="${h - 12}" class="axis">${m.year}</text>` : ''))
    .join('');
  return `<svg viewBox="0 0 ${w} ${h}" class="chart" role="img" aria-label="Monthly revenue and customers">
<text x="4" y="${pad.t + 10}" class="axis">${esc(usd(maxRev))}</text><text x="${w - pad.r + 6}" y="${pad.t + 10}" class="axis cust">${int(maxCust)} cust.</text>
<line x1="${pad.l}" x2="${w - pad.r}" y1="${h - pad.b}" y2="${h - pad.b}" class="rule"/>${bars}<polyline points="${line}" class="line"/>${labels}</svg>`;
}

/** Horizontal bars. */
function barList(items: { key: string; value: number; label: string }[], cls = ''): string {
  const max = Math.max(1, ...items.map((i) => i.value));
  const rowH = 26;
  const w = 420;
  const rows = items
    .map((it, i) => {
      // Bars start at x=90; keep 160 px to their right for the value label ("$255,797 · 100.0 %").
      const bw = Math.max(1, ((w - 90 - 160) * it.value) / max);
      return `<text x="0" y="${i * rowH + 17}" class="label">${esc(it.key)}</text><rect class="hbar ${cls}" x="90" y="${i * rowH + 4}" width="${bw.toFixed(1)}" height="${rowH - 8}"><title>${esc(it.key)}: ${esc(it.label)}</title></rect><text x="${(96 + bw).toFixed(1)}" y="${i * rowH + 17}" class="value">${esc(it.label)}</text>`;
    })
    .join('');
  return `<svg viewBox="0 0 ${w} ${Math.max(1, items.length) * rowH}" class="chart small" role="img">${rows}</svg>`;
}

/** Orders heatmap, weekday × hour. */
function heatmap(cells: DashboardData['heatmap']): string {
  const max = Math.max(1, ...cells.map((c) => c.orders));
  const cw = 30;
  const ch = 24;
  const rects = cells
    .map(
      (c) =>
        `<rect class="cell" x="${40 + c.hour * cw}" y="${(c.weekday - 1) * ch}" width="${cw - 2}" height="${ch - 2}" fill-opacity="${(0.08 + (0.92 * c.orders) / max).toFixed(3)}"><title>${WEEKDAYS[c.weekday - 1]} ${String(c.hour).padStart(2, '0')}h: ${int(c.orders)} orders, ${usd(c.revenue)}</title></rect>`,
    )
    .join('');
  const days = WEEKDAYS.map((d, i) => `<text x="0" y="${i * ch + 16}" class="label">${d}</text>`).join('');
  const hours = Array.from({ length: 24 }, (_, hr) => (hr % 3 === 0 ? `<text x="${40 + hr * cw}" y="${7 * ch + 14}" class="axis">${String(hr).padStart(2, '0')}h</text>` : '')).join('');
  return `<svg viewBox="0 0 ${40 + 24 * cw} ${7 * ch + 20}" class="chart" role="img" aria-label="Orders by weekday and hour">${days}${rects}${hours}</svg>`;
}

/**
 * The dashboard page for `data`.
 *
 * @example
 * ```ts
 * await writeFile('reports/techstore-dashboard.html', renderDashboard(await dashboardData(engine)));
 * ```
 */
export function renderDashboard(data: DashboardData): string {
  const last = data.months.at(-1);
  const prev = data.months.at(-2);
  const samePrev = last && prev && prev.year * 12 + prev.month === last.year * 12 + last.month - 1 ? prev : undefined;
  const kpi = (label: string, value: string, now: number, before: number | undefined) =>
    `<div class="kpi"><div class="kpi-label">${label}</div><div class="kpi-value">${esc(value)}</div><div class="kpi-change ${before === undefined || now >= before ? 'up' : 'down'}">${before ? `${pct((100 * (now - before)) / before)} vs previous month` : '&nbsp;'}</div></div>`;
  const kpis = last
    ? [
        kpi('Revenue', usd(last.revenue), last.revenue, samePrev?.revenue),
        kpi('Buying customers', int(last.customers), last.customers, samePrev?.customers),
        kpi('Orders', int(last.orders), last.orders, samePrev?.orders),
        kpi('Average ticket', `$${last.avgTicket.toFixed(2)}`, last.avgTicket, samePrev?.avgTicket),
      ].join('')
    : '<p>No orders yet.</p>';
  const funnelRows = data.funnel.map((f, i) => {
    const before = data.funnel[i - 1];
    const drop = before && before.month > 0 ? (100 * Math.max(0, before.month - f.month)) / before.month : 0;
    return { key: f.stage, value: f.month, label: `${int(f.month)} sessions${i > 0 ? ` (−${drop.toFixed(1)} %)` : ''}` };
  });
  const worst = funnelRows.slice(1).reduce<{ key: string; lost: number } | undefined>((w, r, i) => {
    const lost = (funnelRows[i]?.value ?? 0) - r.value;
    return w === undefined || lost > w.lost ? { key: `${funnelRows[i]?.key} → ${r.key}`, lost } : w;
  }, undefined);
  const total = (list: { revenue: number }[]) => list.reduce((s, x) => s + x.revenue, 0) || 1;
  const share = (list: { key: string; revenue: number }[]) => list.map((x) => ({ key: x.key, value: x.revenue, label: `${usd(x.revenue)} · ${((100 * x.revenue) / total(list)).toFixed(1)} %` }));
  const title = last ? `TechStore — ${MONTHS[last.month - 1]} ${last.year}` : 'TechStore';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2330;color:#fff;padding:16px 28px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;color:#aab}
main{padding:20px 28px;display:grid;gap:20px;grid-template-columns:repeat(auto-fit,minmax(440px,1fr))}
section{background:#fff;border-radius:8px;padding:16px 20px;box-shadow:0 1px 3px rgba(0,0,0,.08)}section.wide{grid-column:1/-1}
h2{font-size:15px;margin:0 0 12px}.kpis{display:flex;gap:16px;flex-wrap:wrap}.kpi{flex:1;min-width:150px;background:#f6f7f9;border-radius:6px;padding:10px 14px}
.kpi-label{color:#667;font-size:12px}.kpi-value{font-size:22px;font-weight:600}.kpi-change.up{color:#18794e}.kpi-change.down{color:#c4320a}
.chart{width:100%;height:auto}.bar{fill:#4f7cff}.line{fill:none;stroke:#f59e0b;stroke-width:2}.rule{stroke:#ccd}.axis{font-size:11px;fill:#667}.cust{fill:#b7791f}
.hbar{fill:#4f7cff}.hbar.funnel{fill:#7c5cff}.label{font-size:12px;fill:#1d2330}.value{font-size:11px;fill:#445}.cell{fill:#4f7cff}.note{color:#556;margin:8px 0 0}
</style></head><body>
<header><h1>${esc(title)}</h1><p>Curated TechStore lake · breakdowns over ${esc(data.period || '—')} · generated by lakeblocks</p></header>
<main>
<section class="wide" id="kpis"><h2>1. How is the business doing this month?</h2><div class="kpis">${kpis}</div></section>
<section class="wide" id="monthly"><h2>Monthly revenue (bars) and buying customers (line)</h2>${monthlyChart(data.months)}</section>
<section id="funnel"><h2>2. Where does the funnel lose most users? ${esc(data.funnelMonth ?? '')}</h2>${barList(funnelRows, 'funnel')}${worst ? `<p class="note">Most users are lost at <b>${esc(worst.key)}</b> (${int(worst.lost)} sessions).</p>` : ''}</section>
<section id="countries"><h2>3. Revenue by country</h2>${barList(share(data.countries.slice(0, 10)))}</section>
<section id="channels"><h2>Revenue by channel</h2>${barList(share(data.channels))}</section>
<section id="devices"><h2>Revenue by device</h2>${barList(share(data.devices))}</section>
<section class="wide" id="hours"><h2>Orders by weekday and hour</h2>${heatmap(data.heatmap)}</section>
</main></body></html>
`;
}
