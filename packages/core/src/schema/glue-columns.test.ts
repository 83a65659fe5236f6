import { describe, expect, it } from 'vitest';
import { col } from './column.js';
import { defineTable } from './define-table.js';
import { allTypes } from './fixtures/all-types.js';
import { orders } from './fixtures/techstore-orders.js';
import { toGlueColumns, toGluePartitionKeys } from './glue-columns.js';

describe('Glue columns', () => {
  it('orders: storage descriptor columns', () => {
    expect(toGlueColumns(orders)).toEqual([
      { Name: 'order_id', Type: 'int', Comment: 'Order identifier' },
      { Name: 'customer_id', Type: 'int', Comment: 'Customer who placed the order (customers.customer_id)' },
      { Name: 'order_time', Type: 'timestamp', Comment: 'When the order was placed (store local time, no zone)' },
      { Name: 'payment_method', Type: 'string', Comment: 'How the order was paid' },
      { Name: 'discount_pct', Type: 'int', Comment: 'Discount applied, percent (0, 5, 10, 15 or 20)' },
      { Name: 'subtotal_usd', Type: 'decimal(12,2)', Comment: 'Sum of the line totals, USD' },
      { Name: 'total_usd', Type: 'decimal(12,2)', Comment: 'subtotal_usd * (1 - discount_pct/100), rounded to cents' },
      { Name: 'country', Type: 'string', Comment: 'ISO-3166 alpha-2 country of the customer' },
      { Name: 'device', Type: 'string', Comment: 'Device used, when known' },
      { Name: 'source', Type: 'string', Comment: 'Marketing source of the session' },
    ]);
  });

  it('orders: partition keys are int', () => {
    expect(toGluePartitionKeys(orders)).toEqual([
      { Name: 'year', Type: 'int', Comment: 'Year of order_time (partition key)' },
      { Name: 'month', Type: 'int', Comment: 'Month (1-12) of order_time (partition key)' },
      { Name: 'day', Type: 'int', Comment: 'Day of month (1-31) of order_time (partition key)' },
    ]);
  });

  it('columns partitioning: keys take the column type and are not storage columns; no Comment when undescribed', () => {
    expect(toGluePartitionKeys(allTypes).map((k) => [k.Name, k.Type])).toEqual([
      ['region', 'string'],
      ['signup_date', 'date'],
    ]);
    const columns = toGlueColumns(allTypes);
    expect(columns.map((c) => c.Name)).not.toContain('region');
    expect(columns.find((c) => c.Name === 'n_big')).toEqual({ Name: 'n_big', Type: 'bigint' });
    expect(columns.find((c) => c.Name === 'amount')).toEqual({ Name: 'amount', Type: 'decimal(38,10)' });
    expect(columns.find((c) => c.Name === 'flag')).toEqual({ Name: 'flag', Type: 'boolean' });
  });

  it('unpartitioned table has no partition keys; long comments are cut to 255 characters', () => {
    const t = defineTable({ name: 'products', columns: { product_id: col.int().describe('x'.repeat(300)) } });
    expect(toGluePartitionKeys(t)).toEqual([]);
    const comment = toGlueColumns(t)[0]?.Comment ?? '';
    expect([...comment]).toHaveLength(255);
    expect(comment.endsWith('…')).toBe(true);
  });
});
