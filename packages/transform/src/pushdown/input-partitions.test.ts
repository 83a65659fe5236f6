import { col, defineTable } from '@lakeblocks/core';
import { describe, expect, it } from 'vitest';
import { renderAthenaSelect } from '../athena/render.js';
import { defineModel } from '../model/define-model.js';
import { athenaDialect } from '../sql/dialect.js';
import { inputPartitionScope, inputScopePredicate, matchesInputScope } from './input-partitions.js';

const output = defineTable({
  name: 'fact_orders',
  columns: { order_id: col.int(), order_time: col.timestamp(), country: col.string().nullable() },
  partitioning: { kind: 'time', column: 'order_time', granularity: 'month' },
});
const sql = "SELECT o.order_id, o.order_time, c.country FROM {{ ref('orders') }} AS o LEFT JOIN {{ ref('customers') }} AS c ON c.customer_id = o.customer_id";
const fact = defineModel({ output, sql, writeMode: 'overwrite_partitions', inputPartitions: { orders: { year: 'year', month: 'month' } } });

describe('defineModel inputPartitions', () => {
  it('defaults to none and is frozen', () => {
    expect(defineModel({ output, sql }).inputPartitions).toEqual({});
    expect(fact.inputPartitions).toEqual({ orders: { year: 'year', month: 'month' } });
    expect(Object.isFrozen(fact.inputPartitions['orders'])).toBe(true);
  });

  it('refuses an input the SQL does not ref, an unknown output key, an empty mapping', () => {
    expect(() => defineModel({ output, sql, inputPartitions: { order_items: { year: 'year' } } })).toThrow(/does not ref\('order_items'\)/);
    expect(() => defineModel({ output, sql, inputPartitions: { orders: { year: 'day' } } })).toThrow(/"day" is not a partition key of the output \[year, month\]/);
    expect(() => defineModel({ output, sql, inputPartitions: { orders: {} } })).toThrow(expect.objectContaining({ _tag: 'InvalidModel' }));
  });
});

describe('inputPartitionScope', () => {
  it('maps named output partitions to distinct input partitions; unmapped inputs and full runs read everything', () => {
    const scope = inputPartitionScope(fact, 'orders', { partitions: [{ year: 2025, month: 11 }, { year: 2025, month: 12 }, { year: 2025, month: 11 }] });
    expect(scope).toEqual({ keys: [{ name: 'year', kind: 'int' }, { name: 'month', kind: 'int' }], partitions: [{ year: 2025, month: 11 }, { year: 2025, month: 12 }] });
    expect(inputPartitionScope(fact, 'customers', { partitions: [{ year: 2025, month: 11 }] })).toBeUndefined();
    expect(inputPartitionScope(fact, 'orders', {})).toBeUndefined();
  });

  it('keeps the filter terms on mapped keys only', () => {
    const yearly = defineModel({ output, sql, writeMode: 'overwrite_partitions', inputPartitions: { orders: { year: 'year' } } });
    expect(inputPartitionScope(yearly, 'orders', { filter: 'year >= 2024 and month = 3' })?.filter).toEqual({ year: { gte: 2024 } });
    expect(inputPartitionScope(yearly, 'orders', { filter: 'month = 3' })).toBeUndefined(); // nothing to push down
  });

  it('matches partial folder values level by level, and renders a predicate', () => {
    const scope = inputPartitionScope(fact, 'orders', { partitions: [{ year: 2025, month: 11 }], filter: { year: { gte: 2020 } } });
    if (scope === undefined) throw new Error('no scope');
    expect(matchesInputScope(scope, {})).toBe(true);
    expect(matchesInputScope(scope, { year: 2025 })).toBe(true);
    expect(matchesInputScope(scope, { year: 2024 })).toBe(false);
    expect(matchesInputScope(scope, { year: 2025, month: 11 })).toBe(true);
    expect(matchesInputScope(scope, { year: 2025, month: 1 })).toBe(false);
    expect(matchesInputScope(scope, { year: null })).toBe(false);
    expect(inputScopePredicate(scope, athenaDialect, 'orders')).toBe('(("year" = 2025 AND "month" = 11)) AND ("year" >= 2020)');
  });
});

describe('Athena pushdown', () => {
  const target = { database: 'curated_db', inputDatabase: 'processed_db', location: 's3://lake/curated/fact_orders/' };
  it('reads a mapped input through a CTE with the partition predicate, on partition rebuilds only', () => {
    const partial = renderAthenaSelect(fact, target, [{ year: 2025, month: 11 }]);
    expect(partial).toContain('\nWITH "orders" AS (SELECT * FROM "processed_db"."orders" WHERE (("year" = 2025 AND "month" = 11)))\nSELECT * FROM (\n');
    expect(partial).toMatch(/^SELECT "order_id", "order_time", "country", "year", "month"\n/); // the outer select list is unchanged
    expect(partial).toContain('FROM "orders" AS o LEFT JOIN "processed_db"."customers" AS c');
    const full = renderAthenaSelect(fact, target);
    expect(full).not.toContain('WITH');
    expect(full).toContain('FROM "processed_db"."orders" AS o');
  });
});
