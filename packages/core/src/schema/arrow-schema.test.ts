import { Field, Schema, TimeUnit, Timestamp, Type } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { toArrowSchema } from './arrow-schema.js';
import { allTypes } from './fixtures/all-types.js';
import { orders } from './fixtures/techstore-orders.js';

const summary = (schema: Schema) => schema.fields.map((f: Field) => `${f.name}:${String(f.type)}:${f.nullable ? 'null' : 'notnull'}`);

describe('toArrowSchema', () => {
  it('orders: the file schema, without partition columns', () => {
    const schema = toArrowSchema(orders);
    expect(schema).toBeInstanceOf(Schema);
    expect(summary(schema)).toEqual([
      'order_id:Int32:notnull',
      'customer_id:Int32:notnull',
      'order_time:Timestamp<MICROSECOND>:notnull',
      'payment_method:Utf8:notnull',
      'discount_pct:Int32:notnull',
      'subtotal_usd:Decimal[12e+2]:notnull',
      'total_usd:Decimal[12e+2]:notnull',
      'country:Utf8:notnull',
      'device:Utf8:null',
      'source:Utf8:notnull',
    ]);
    const ts = schema.fields[2]?.type as Timestamp;
    expect(ts.typeId).toBe(Type.Timestamp);
    expect(ts.unit).toBe(TimeUnit.MICROSECOND);
    expect(ts.timezone ?? null).toBeNull();
    expect(schema.fields[0]?.metadata.get('description')).toBe('Order identifier');
  });

  it('orders with partition columns: year, month, day as non-null Int32 at the end', () => {
    expect(summary(toArrowSchema(orders, { includePartitionColumns: true })).slice(-4)).toEqual([
      'source:Utf8:notnull',
      'year:Int32:notnull',
      'month:Int32:notnull',
      'day:Int32:notnull',
    ]);
  });

  it('columns partitioning: keys leave the file schema, come back last with their own types', () => {
    const files = summary(toArrowSchema(allTypes));
    expect(files).toEqual([
      'code:Utf8:notnull',
      'n_int:Int32:notnull',
      'n_big:Int64:notnull',
      'ratio:Float64:null',
      'amount:Decimal[38e+10]:notnull',
      'note:Utf8:null',
      'iso2:Utf8:notnull',
      'flag:Bool:notnull',
      'seen_at:Timestamp<MICROSECOND>:null',
    ]);
    expect(summary(toArrowSchema(allTypes, { includePartitionColumns: true })).slice(files.length)).toEqual([
      'region:Utf8:notnull',
      'signup_date:Date32<DAY>:notnull',
    ]);
    expect(toArrowSchema(allTypes).fields[1]?.metadata.size).toBe(0);
  });
});
