/**
 * The TechStore dashboard (the QuickSight part): data from the marts, rendered as one HTML page.
 *
 * @module
 */
export { dashboardData } from './dashboard-data.js';
export type { DashboardData } from './dashboard-data.js';
export { renderDashboard } from './render-dashboard.js';
