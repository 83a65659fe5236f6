import { col, defineTable, type RowOf } from '@lakeblocks/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineModel, sortModels, type Model } from './define-model.js';
import { refsOf, renderRefs } from './refs.js';

const table = (name: string) => defineTable({ name, columns: { x: col.int() } });

describe('refs', () => {
  it('lists distinct refs in order and renders them', () => {
    const sql = "SELECT * FROM {{ ref('a') }} JOIN {{ref('b')}} USING (x) JOIN {{ ref( 'a' ) }} USING (x)";
    expect(refsOf(sql)).toEqual(['a', 'b']);
    expect(renderRefs(sql, (n) => `"db"."${n}"`)).toBe('SELECT * FROM "db"."a" JOIN "db"."b" USING (x) JOIN "db"."a" USING (x)');
  });

  it('refuses bad names and other templates', () => {
    expect(() => refsOf("SELECT * FROM {{ ref('Orders') }}")).toThrow(expect.objectContaining({ _tag: 'InvalidModel' }));
    expect(() => refsOf("SELECT * FROM {{ source('orders') }}")).toThrow(/only \{\{ ref\('name'\) \}\}/);
  });
});

describe('defineModel', () => {
  it('derives inputs and defaults, keeping the output table type', () => {
    const output = defineTable({ name: 'm', columns: { x: col.int(), total_usd: col.decimal(12, 2).nullable() } });
    const m = defineModel({ output, sql: " SELECT x FROM {{ ref('t') }} " });
    expectTypeOf(m).toEqualTypeOf<Model<typeof output>>();
    expectTypeOf<RowOf<typeof m.output>>().toEqualTypeOf<{ x: number; total_usd: string | null }>();
    expect(m).toMatchObject({ name: 'm', inputs: ['t'], writeMode: 'replace', sql: "SELECT x FROM {{ ref('t') }}" });
    expect(Object.isFrozen(m)).toBe(true);
  });

  it('refuses self refs, trailing semicolons and overwrite_partitions on unpartitioned output', () => {
    expect(() => defineModel({ output: table('m'), sql: "SELECT x FROM {{ ref('m') }}" })).toThrow(/ref itself/);
    expect(() => defineModel({ output: table('m'), sql: 'SELECT 1 AS x;' })).toThrow(/trailing/);
    expect(() => defineModel({ output: table('m'), sql: 'SELECT 1 AS x', writeMode: 'overwrite_partitions' })).toThrow(/partitioned/);
  });
});

describe('sortModels', () => {
  it('puts inputs first and detects cycles', () => {
    const a = defineModel({ output: table('a'), sql: "SELECT x FROM {{ ref('t') }}" });
    const b = defineModel({ output: table('b'), sql: "SELECT x FROM {{ ref('a') }}" });
    const c = defineModel({ output: table('c'), sql: "SELECT x FROM {{ ref('b') }} JOIN {{ ref('a') }} USING (x)" });
    expect(sortModels([c, b, a]).map((m) => m.name)).toEqual(['a', 'b', 'c']);
    const p = defineModel({ output: table('p'), sql: "SELECT x FROM {{ ref('q') }}" });
    const q = defineModel({ output: table('q'), sql: "SELECT x FROM {{ ref('p') }}" });
    expect(() => sortModels([p, q])).toThrow(/cycle: p → q → p/);
  });
});
