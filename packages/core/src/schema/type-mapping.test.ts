import { Bool, DateDay, Decimal, Float64, Int32, Int64, TimeUnit, Timestamp, Type, Utf8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { ColumnType } from './column-type.js';
import { formatColumnType } from './column-type.js';
import { toArrowType, toDuckDbType, toHiveType, toMySqlType, tsTypeName } from './type-mapping.js';

const cases: [ColumnType, string, string, string, string, string][] = [
  // type, formatted, ts, hive, duckdb, mysql
  [{ kind: 'int' }, 'int', 'number', 'int', 'INTEGER', 'INT'],
  [{ kind: 'bigint' }, 'bigint', 'bigint', 'bigint', 'BIGINT', 'BIGINT'],
  [{ kind: 'double' }, 'double', 'number', 'double', 'DOUBLE', 'DOUBLE'],
  [{ kind: 'decimal', precision: 12, scale: 2 }, 'decimal(12,2)', 'string', 'decimal(12,2)', 'DECIMAL(12,2)', 'DECIMAL(12,2)'],
  [{ kind: 'string' }, 'string', 'string', 'string', 'VARCHAR', 'TEXT'],
  [{ kind: 'string', maxLength: 2 }, 'string(2)', 'string', 'string', 'VARCHAR', 'VARCHAR(2)'],
  [{ kind: 'string', maxLength: 20000 }, 'string(20000)', 'string', 'string', 'VARCHAR', 'TEXT'],
  [{ kind: 'boolean' }, 'boolean', 'boolean', 'boolean', 'BOOLEAN', 'BOOLEAN'],
  [{ kind: 'date' }, 'date', 'string', 'date', 'DATE', 'DATE'],
  [{ kind: 'timestamp' }, 'timestamp', 'Date', 'timestamp', 'TIMESTAMP', 'DATETIME(6)'],
  [{ kind: 'enum', values: ['card', 'paypal', 'wallet', 'cod'] }, 'enum(card|paypal|wallet|cod)', '"card" | "paypal" | "wallet" | "cod"', 'string', 'VARCHAR', 'VARCHAR(6)'],
];

describe('type mapping', () => {
  it.each(cases)('%j', (type, formatted, ts, hive, duckdb, mysql) => {
    expect(formatColumnType(type)).toBe(formatted);
    expect(tsTypeName(type)).toBe(ts);
    expect(toHiveType(type)).toBe(hive);
    expect(toDuckDbType(type)).toBe(duckdb);
    expect(toMySqlType(type)).toBe(mysql);
  });

  it('MySQL: a string key column without maxLength is VARCHAR(255); enum length counts characters', () => {
    expect(toMySqlType({ kind: 'string' }, { primaryKey: true })).toBe('VARCHAR(255)');
    expect(toMySqlType({ kind: 'string', maxLength: 40 }, { primaryKey: true })).toBe('VARCHAR(40)');
    expect(toMySqlType({ kind: 'enum', values: ['é', 'añob'] })).toBe('VARCHAR(4)');
  });

  it('Arrow types', () => {
    expect(toArrowType({ kind: 'int' })).toBeInstanceOf(Int32);
    expect(toArrowType({ kind: 'bigint' })).toBeInstanceOf(Int64);
    expect(toArrowType({ kind: 'double' })).toBeInstanceOf(Float64);
    expect(toArrowType({ kind: 'boolean' })).toBeInstanceOf(Bool);
    expect(toArrowType({ kind: 'string' })).toBeInstanceOf(Utf8);
    expect(toArrowType({ kind: 'enum', values: ['a'] })).toBeInstanceOf(Utf8);
    expect(toArrowType({ kind: 'date' })).toBeInstanceOf(DateDay);
    const decimal = toArrowType({ kind: 'decimal', precision: 12, scale: 2 }) as Decimal;
    expect(decimal).toBeInstanceOf(Decimal);
    expect([decimal.precision, decimal.scale, decimal.bitWidth]).toEqual([12, 2, 128]);
    const ts = toArrowType({ kind: 'timestamp' }) as Timestamp;
    expect(ts.typeId).toBe(Type.Timestamp);
    expect(ts.unit).toBe(TimeUnit.MICROSECOND);
    expect(ts.timezone ?? null).toBeNull();
  });
});
