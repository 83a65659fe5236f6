/**
 * `funnel_monthly`: business question 2 — where does the funnel lose most users?
 *
 * @module
 */
import { col, defineTable } from '@lakeblocks/core';
import { defineModel } from '@lakeblocks/transform';
import { EVENT_TYPES } from '../tables.js';

/**
 * Per month and funnel stage (page_view → add_to_cart → checkout → purchase): the distinct sessions
 * with at least one event of that stage in the month, and the number of events.
 *
 * @example
 * ```ts
 * funnelMonthly.inputs; // ['events_enriched']
 * ```
 */
export const funnelMonthly = defineModel({
  output: defineTable({
    name: 'funnel_monthly',
    description: 'Distinct sessions and events per funnel stage and month.',
    columns: {
      year: col.int().describe('Year'),
      month: col.int().describe('Month (1-12)'),
      stage: col.enum(EVENT_TYPES).describe('Funnel stage'),
      sessions: col.int().describe('Distinct sessions with an event of this stage in the month'),
      events: col.int().describe('Events of this stage in the month'),
    },
    primaryKey: ['year', 'month', 'stage'],
  }),
  sql: `
SELECT year, month, event_type AS stage, count(DISTINCT session_id) AS sessions, count(*) AS events
FROM {{ ref('events_enriched') }}
WHERE event_type IN ('page_view', 'add_to_cart', 'checkout', 'purchase')
GROUP BY year, month, event_type`,
});
