import { describe, expect, it } from 'vitest';
import { col } from './column.js';
import { toDataDictionary } from './data-dictionary.js';
import { defineTable } from './define-table.js';
import { allTypes } from './fixtures/all-types.js';
import { orders } from './fixtures/techstore-orders.js';

describe('toDataDictionary', () => {
  it('orders: one table document', () => {
    expect(toDataDictionary(orders)).toBe(
      [
        '# `orders`',
        '',
        "One row per order placed in the store. Totals are after the order's discount.",
        '',
        '- **Primary key:** `order_id`',
        '- **Time column:** `order_time`',
        '- **Partitioning:** by day of `order_time`: keys `year` int, `month` int, `day` int, derived from the column and kept in the path only (`year=2025/month=1/day=1`)',
        '',
        '| column | type | nullable | keys | description |',
        '|---|---|---|---|---|',
        '| `order_id` | int | no | PK | Order identifier |',
        '| `customer_id` | int | no |  | Customer who placed the order (customers.customer_id) |',
        '| `order_time` | timestamp | no | time, partition source | When the order was placed (store local time, no zone) |',
        '| `payment_method` | enum(card\\|paypal\\|wallet\\|cod) | no |  | How the order was paid |',
        '| `discount_pct` | int | no |  | Discount applied, percent (0, 5, 10, 15 or 20) |',
        '| `subtotal_usd` | decimal(12,2) | no |  | Sum of the line totals, USD |',
        '| `total_usd` | decimal(12,2) | no |  | subtotal_usd * (1 - discount_pct/100), rounded to cents |',
        '| `country` | string(2) | no |  | ISO-3166 alpha-2 country of the customer |',
        '| `device` | enum(mobile\\|desktop\\|tablet) | yes |  | Device used, when known |',
        '| `source` | enum(organic\\|direct\\|paid\\|social\\|email\\|referral) | no |  | Marketing source of the session |',
        '',
      ].join('\n'),
    );
  });

  it('a list of tables: title, contents, one section per table, columns partitioning explained', () => {
    const products = defineTable({ name: 'products', columns: { product_id: col.int(), name: col.string().describe('Name | with pipe\nand newline') } });
    const md = toDataDictionary([orders, allTypes, products], { title: 'TechStore lake' });
    expect(md.startsWith('# TechStore lake\n\n- [`orders`](#orders) — One row per order')).toBe(true);
    expect(md).toContain('- [`products`](#products)\n');
    expect(md).toContain('\n## `orders`\n');
    expect(md).toContain('\n## `all_types`\n');
    expect(md).toContain(
      '- **Partitioning:** by column values: keys `region` enum(north\\|south), `signup_date` date; these columns live in the path, not inside the Parquet files',
    );
    expect(md).toContain('| `region` | enum(north\\|south) | no | partition |  |');
    expect(md).toContain('| `seen_at` | timestamp | yes | time |  |');
    expect(md).toContain('- **Primary key:** none\n- **Time column:** none\n- **Partitioning:** none (all files in one directory)');
    expect(md).toContain('| `name` | string | no |  | Name \\| with pipe and newline |');
  });
});
