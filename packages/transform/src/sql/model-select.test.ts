import { col, defineTable } from '@lakeblocks/core';
import { describe, expect, it } from 'vitest';
import { defineModel } from '../model/define-model.js';
import { athenaDialect, duckDbDialect } from './dialect.js';
import { filterPredicate, outputColumns, partitionPredicate, renderModelSelect } from './model-select.js';

const monthly = defineTable({
  name: 'monthly',
  columns: { id: col.int(), at: col.date(), amount: col.decimal(12, 2), kind: col.enum(['a', 'b']) },
  partitioning: { kind: 'time', column: 'at', granularity: 'month' },
});
const byCountry = defineTable({ name: 'by_country', columns: { id: col.bigint(), country: col.string() }, partitioning: { kind: 'columns', columns: ['country'] } });

describe('outputColumns', () => {
  it('casts file columns to their declared type per dialect and derives time keys last', () => {
    expect(outputColumns(monthly, athenaDialect)).toEqual([
      { name: 'id', expression: 'CAST("id" AS INTEGER)', isPartitionKey: false },
      { name: 'at', expression: 'CAST("at" AS DATE)', isPartitionKey: false },
      { name: 'amount', expression: 'CAST("amount" AS DECIMAL(12,2))', isPartitionKey: false },
      { name: 'kind', expression: 'CAST("kind" AS VARCHAR)', isPartitionKey: false },
      { name: 'year', expression: 'CAST(year(CAST("at" AS DATE)) AS INTEGER)', isPartitionKey: true },
      { name: 'month', expression: 'CAST(month(CAST("at" AS DATE)) AS INTEGER)', isPartitionKey: true },
    ]);
    expect(outputColumns(byCountry, duckDbDialect).map((c) => c.expression)).toEqual(['CAST("id" AS BIGINT)', 'CAST("country" AS VARCHAR)']);
  });
});

describe('partition predicates', () => {
  it('renders a partition list, checking keys and value types', () => {
    expect(partitionPredicate(monthly, [{ year: 2025, month: 1 }, { year: '2025', month: '2' }], duckDbDialect)).toBe(
      '("year" = 2025 AND "month" = 1) OR ("year" = 2025 AND "month" = 2)',
    );
    expect(partitionPredicate(byCountry, [{ country: "O'Hare" }], duckDbDialect)).toBe(`("country" = 'O''Hare')`);
    expect(partitionPredicate(monthly, [], duckDbDialect)).toBe('1 = 0');
    expect(() => partitionPredicate(monthly, [{ year: 2025 }], duckDbDialect)).toThrow(/exactly \[year, month\]/);
    expect(() => partitionPredicate(monthly, [{ year: 'x', month: 1 }], duckDbDialect)).toThrow(/not an integer/);
  });

  it('renders a core partition filter', () => {
    expect(filterPredicate(monthly, 'year = 2025 and month >= 10', duckDbDialect)).toBe('"year" = 2025 AND "month" >= 10');
    expect(filterPredicate(monthly, { year: { in: [2024, 2025] }, month: { ne: 1, lt: 6 } }, duckDbDialect)).toBe('"year" IN (2024, 2025) AND "month" <> 1 AND "month" < 6');
    expect(() => filterPredicate(monthly, 'day = 1', duckDbDialect)).toThrow(/not a partition key/);
  });

  it('wraps the model SQL with the projection and the partition predicate', () => {
    const model = defineModel({ output: monthly, sql: "SELECT * FROM {{ ref('raw') }}", writeMode: 'overwrite_partitions' });
    const sql = renderModelSelect(model, athenaDialect, { resolveRef: (n) => `"db"."${n}"`, partitions: [{ year: 2025, month: 1 }], filter: { year: 2025 } });
    expect(sql).toContain('SELECT * FROM "db"."raw"');
    expect(sql.split('\n')[0]).toBe('SELECT "id", "at", "amount", "kind", "year", "month"');
    expect(sql.split('\n').at(-1)).toBe('WHERE (("year" = 2025 AND "month" = 1)) AND ("year" = 2025)');
  });
});
