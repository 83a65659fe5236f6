import { col, defineTable } from '@lakeblocks/core';
import { describe, expect, it } from 'vitest';
import { defineModel } from '../model/define-model.js';
import { assertSqlSubset, checkSqlSubset } from './check-sql-subset.js';

describe('checkSqlSubset', () => {
  it('accepts portable SQL (CTEs, joins, windows, casts, count distinct, extract)', () => {
    const sql = `
      WITH monthly AS (SELECT year, month, sum(total_usd) AS revenue, count(DISTINCT customer_id) AS buyers FROM {{ ref('orders') }} GROUP BY year, month)
      SELECT m.year, round(CAST(m.revenue AS DOUBLE) / m.buyers, 2) AS avg_ticket,
             lag(m.revenue) OVER (ORDER BY m.year, m.month) AS prev, extract(hour FROM "timestamp") AS h,
             date_trunc('month', CAST('2025-01-01' AS TIMESTAMP)) AS d, coalesce(x, 0) AS x, CAST(y AS DECIMAL(12,2)) AS y
      FROM monthly AS m WHERE m.year IN (2024, 2025) -- strftime( in a comment is fine
        AND note <> 'a::b strftime(x)'`;
    expect(checkSqlSubset(sql)).toEqual([]);
  });

  it.each([
    ['SELECT order_time::DATE AS d FROM t', '::'],
    ['SELECT * EXCLUDE (a) FROM t', 'EXCLUDE ('],
    ['SELECT a FROM t QUALIFY row_number() OVER (PARTITION BY a) = 1', 'QUALIFY'],
    ['SELECT `a` FROM t', '`'],
    ["SELECT a FROM t WHERE b ILIKE 'x%'", 'ILIKE'],
    ["SELECT d + INTERVAL 1 DAY FROM t", 'INTERVAL 1'],
    ['SELECT [1, 2] AS l FROM t', '['],
    ['SELECT a FROM t GROUP BY ALL', 'GROUP BY ALL'],
  ])('denies DuckDB-only syntax: %s', (sql, match) => {
    expect(checkSqlSubset(sql)).toContainEqual(expect.objectContaining({ code: 'denied_syntax', match }));
  });

  it.each(['strftime', 'epoch_ms', 'list_sum', 'struct_pack', 'read_parquet', 'dayofweek', 'date_part', 'string_agg'])('flags %s()', (fn) => {
    const issues = checkSqlSubset(`SELECT ${fn}(x) FROM t`);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.code).toMatch(/denied_function|unknown_function/);
    expect(issues[0]?.match).toBe(fn);
  });

  it('assertSqlSubset throws a SqlSubset error naming the model and every issue', () => {
    const model = defineModel({ output: defineTable({ name: 'bad', columns: { d: col.date() } }), sql: "SELECT order_time::DATE AS d, strftime(order_time, '%Y') AS y FROM {{ ref('orders') }}" });
    expect(() => assertSqlSubset(model)).toThrow(expect.objectContaining({ _tag: 'SqlSubset', message: expect.stringMatching(/"bad".*::.*strftime/) }));
  });

  it.each([
    ['SELECT concat(a, b) AS c FROM t', 'concat'], // DuckDB skips NULL arguments, Trino returns NULL
    ['SELECT greatest(a, b) AS c FROM t', 'greatest'], // DuckDB ignores NULLs, Trino returns NULL
    ['SELECT least(a, b) AS c FROM t', 'least'],
    ["SELECT regexp_replace(a, 'x', 'y') AS c FROM t", 'regexp_replace'], // DuckDB: first match only; Trino: all
    ['SELECT day_of_year(d) AS c FROM t', 'day_of_year'], // not a DuckDB function
    ['SELECT approx_distinct(a) AS c FROM t', 'approx_distinct'], // not a DuckDB function
    ["SELECT date_diff('month', a, b) AS c FROM t", 'date_diff'], // DuckDB counts boundaries crossed, Trino whole units
  ])('flags functions whose results differ between DuckDB and Athena: %s', (sql, fn) => {
    expect(checkSqlSubset(sql).map((i) => i.match)).toContain(fn);
  });

  it("accepts date_diff('day', …), which both engines compute alike on dates", () => {
    expect(checkSqlSubset("SELECT date_diff('day', DATE '1970-01-05', order_date) % 7 AS w FROM t")).toEqual([]);
  });
});
