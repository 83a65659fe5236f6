import { toArrowSchema, col, defineTable } from '@lakeblocks/core';
import { describe, expect, it } from 'vitest';
import type { CellValue } from '../cleaning/value-parsers.js';
import { columnBuilderFor, recordBatchOf } from './column-builder.js';

const table = defineTable({
  name: 'kinds',
  columns: {
    i: col.int().nullable(),
    d: col.double().nullable(),
    ts: col.timestamp().nullable(),
    big: col.bigint().nullable(),
    dec: col.decimal(20, 2).nullable(),
    s: col.string().nullable(),
    e: col.enum(['page_view', 'añadir', '👍']).nullable(),
    b: col.boolean().nullable(),
  },
});
const schema = toArrowSchema(table);

/**
 * Rows of values (null for null), appended, finished and read back: each cell as Arrow gives it,
 * except int64 and decimal cells, read from the raw buffers as bigints.
 */
function roundTrip(rows: (CellValue | null)[][], capacity: number): unknown[][] {
  const builders = table.fileColumns.map((c, k) => columnBuilderFor(c.type, schema.fields[k]!.type, capacity));
  const out: unknown[][] = [];
  // Two batches from the same builders: `finish` must leave them empty and reusable.
  for (const part of [rows.slice(0, 5), rows.slice(5)]) {
    for (const row of part) row.forEach((v, k) => (v === null ? builders[k]!.appendNull() : builders[k]!.append(v)));
    const batch = recordBatchOf(schema, builders.map((b) => b.finish()), part.length);
    const raw = (k: number) => batch.getChildAt(k)!.data[0]!;
    batch.toArray().forEach((r, i) => {
      const cells: unknown[] = table.fileColumns.map((c) => (r as Record<string, unknown>)[c.name]);
      for (const k of [2, 3]) if (cells[k] !== null) cells[k] = (raw(k).values as BigInt64Array)[i];
      if (cells[4] !== null) {
        const w = (raw(4).values as Uint32Array).subarray(i * 4, i * 4 + 4);
        cells[4] = BigInt.asIntN(128, [...w].reduceRight((acc, x) => (acc << 32n) | BigInt(x), 0n));
      }
      out.push(cells);
    });
  }
  return out;
}

describe('column builders', () => {
  it('store every kind exactly, with nulls, across growth and finish', () => {
    const rows: (CellValue | null)[][] = [];
    for (let k = 0; k < 40; k++) {
      const n = k % 4 === 3;
      rows.push([
        n ? null : k * 1000 - 2_147_483,
        n ? null : k / 3,
        n ? null : k % 2 === 0 ? 1_738_364_862_000_000 + k : -86_400_000_000 * k - 1,
        n ? null : k % 3 === 0 ? 2n ** 62n + BigInt(k) : -(2 ** 40) - k,
        n ? null : k % 5 === 0 ? -(10n ** 19n) - BigInt(k) : 10715 * (k % 2 === 0 ? 1 : -1) - k,
        n ? null : ['', 'ascii', 'Müller', '日本語👍', 'x'.repeat(100)][k % 5]!,
        n ? null : ['page_view', 'añadir', '👍', 'not an enum value'][k % 4]!,
        n ? null : k % 2 === 0,
      ]);
    }
    const back = roundTrip(rows, 8);
    expect(back.map((r) => r[0])).toEqual(rows.map((r) => r[0]));
    expect(back.map((r) => r[1])).toEqual(rows.map((r) => r[1]));
    for (const k of [2, 3, 4]) expect(back.map((r) => r[k])).toEqual(rows.map((r) => (r[k] === null ? null : BigInt(r[k] as number | bigint))));
    expect(back.map((r) => r[5])).toEqual(rows.map((r) => r[5]));
    expect(back.map((r) => r[6])).toEqual(rows.map((r) => r[6]));
    expect(back.map((r) => r[7])).toEqual(rows.map((r) => r[7]));
  });
});
