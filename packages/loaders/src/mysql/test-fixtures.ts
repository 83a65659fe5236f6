/**
 * Test fixtures of the MySQL loader: a table using every column kind, deterministic rows, and the
 * same rows as Arrow record batches built buffer by buffer (exact decimals and microsecond
 * timestamps). Test-only; not exported from the package.
 *
 * @example
 * ```ts
 * const batch = toArrowBatch(lineItems, makeRows(0, 100));
 * ```
 *
 * @module
 */
import { col, defineTable, toArrowSchema, type AnyTable, type RowOf } from '@lakeblocks/core';
import { makeData, RecordBatch, Struct, vectorFromArray, type Data, type Field } from 'apache-arrow';

/** A table with one column of every kind. */
export const lineItems = defineTable({
  name: 'line_items',
  description: "One row per order line (it's a test table).",
  columns: {
    item_id: col.int(),
    order_ref: col.bigint(),
    price_usd: col.decimal(12, 2),
    weight: col.double(),
    sold_at: col.timestamp(),
    ship_day: col.date().nullable(),
    gift: col.boolean(),
    note: col.string().nullable(),
    channel: col.enum(['web', 'app']),
  },
  primaryKey: ['item_id'],
});

/** A row of {@link lineItems}. */
export type LineItem = RowOf<typeof lineItems>;

/** `count` deterministic rows starting at id `from`; `variant` changes non-key values. */
export function makeRows(from: number, count: number, variant = 0): LineItem[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    const cents = BigInt(i) * 1_234n + BigInt(variant) + 5n;
    return {
      item_id: i,
      order_ref: 9_007_199_254_740_993n + BigInt(i),
      price_usd: `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`,
      weight: i / 8,
      sold_at: new Date(Date.UTC(2025, 0, 1 + (i % 28), i % 24, i % 60, i % 60, i % 1000)),
      ship_day: i % 5 === 0 ? null : `2025-02-${String(1 + (i % 28)).padStart(2, '0')}`,
      gift: i % 2 === 0,
      note: i % 7 === 0 ? null : `note ${i} it's "quoted" \\ back; DROP TABLE x; -- ${variant}`,
      channel: i % 3 === 0 ? 'app' : 'web',
    };
  });
}

function decimalWords(values: string[], scale: number): Uint32Array {
  const words = new Uint32Array(values.length * 4);
  values.forEach((text, i) => {
    const [whole = '0', frac = ''] = text.replace('-', '').split('.');
    let n = BigInt(whole + frac.padEnd(scale, '0'));
    if (text.startsWith('-')) n = (1n << 128n) - n;
    for (let w = 0; w < 4; w++) words[i * 4 + w] = Number((n >> BigInt(32 * w)) & 0xffffffffn);
  });
  return words;
}

/**
 * Rows as one Arrow batch with the table's Arrow schema. Timestamps get `extraMicros` added (to
 * prove sub-millisecond precision survives).
 */
export function toArrowBatch(table: AnyTable, rows: readonly Record<string, unknown>[], extraMicros = 0): RecordBatch {
  const schema = toArrowSchema(table);
  const children: Data[] = schema.fields.map((field: Field) => {
    const column = table.column(field.name);
    const values = rows.map((r) => r[field.name]);
    switch (column.type.kind) {
      case 'decimal':
        return makeData({ type: field.type, length: rows.length, data: decimalWords(values as string[], column.type.scale) });
      case 'timestamp':
        return makeData({
          type: field.type,
          length: rows.length,
          data: BigInt64Array.from(values as Date[], (d) => BigInt(d.getTime()) * 1000n + BigInt(extraMicros)),
        });
      case 'date':
        return vectorFromArray(values.map((v) => (v === null ? null : new Date(`${v as string}T00:00:00Z`))), field.type).data[0] as Data;
      default:
        return vectorFromArray(values, field.type).data[0] as Data;
    }
  });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, children, nullCount: 0 }));
}
