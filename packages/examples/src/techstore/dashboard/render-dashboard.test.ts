import { describe, expect, it } from 'vitest';
import type { DashboardData } from './dashboard-data.js';
import { renderDashboard } from './render-dashboard.js';

const data: DashboardData = {
  months: [
    { year: 2025, month: 9, revenue: 1000, customers: 10, orders: 12, avgTicket: 83.33, revenueMomPct: null },
    { year: 2025, month: 10, revenue: 1500, customers: 8, orders: 15, avgTicket: 100, revenueMomPct: 50 },
  ],
  funnel: [
    { stage: 'page_view', month: 100, all: 1000 },
    { stage: 'add_to_cart', month: 40, all: 400 },
    { stage: 'checkout', month: 30, all: 300 },
    { stage: 'purchase', month: 15, all: 150 },
  ],
  funnelMonth: '2025-10',
  countries: [{ key: 'US', revenue: 900 }, { key: 'GB', revenue: 600 }],
  channels: [{ key: 'organic', revenue: 1500 }],
  devices: [{ key: 'mobile', revenue: 1000 }, { key: 'desktop', revenue: 500 }],
  heatmap: [{ weekday: 1, hour: 20, orders: 3, revenue: 300 }],
  period: '2024-11 .. 2025-10',
};

describe('renderDashboard', () => {
  it('draws every chart from the data, self-contained and deterministic', () => {
    const html = renderDashboard(data);
    expect(html).toBe(renderDashboard(structuredClone(data)));
    expect(html).not.toMatch(/<script|<link|https?:\/\//);
    expect(html.match(/<rect class="bar"/g)).toHaveLength(2);
    expect(html).toContain('+50.0 % vs previous month'); // revenue
    expect(html).toContain('-20.0 % vs previous month'); // customers
    expect(html).toContain('Most users are lost at <b>page_view → add_to_cart</b> (60 sessions)');
    expect(html).toContain('US: $900 · 60.0 %');
    expect(html.match(/<rect class="cell"/g)).toHaveLength(1);
    expect(html).toContain('<title>TechStore — Oct 2025</title>');
  });

  it('escapes text and copes with an empty lake', () => {
    const html = renderDashboard({ ...data, months: [], countries: [{ key: '<b>', revenue: 1 }] });
    expect(html).toContain('&lt;b&gt;');
    expect(html).toContain('No orders yet.');
  });
});
