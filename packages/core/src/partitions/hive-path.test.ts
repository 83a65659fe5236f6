import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors/core-error.js';
import {
  HIVE_DEFAULT_PARTITION,
  escapeHivePathValue,
  parsePartitionPath,
  partitionPath,
  unescapeHivePathValue,
} from './hive-path.js';

describe('Hive partition paths', () => {
  it('writes unpadded integer partitions in key order', () => {
    expect(partitionPath({ year: 2025, month: 1, day: 31 })).toBe('year=2025/month=1/day=31');
    expect(partitionPath({})).toBe('');
  });

  it('escapes the characters Hive escapes and keeps non-ASCII text', () => {
    expect(escapeHivePathValue('a/b=c')).toBe('a%2Fb%3Dc');
    expect(escapeHivePathValue('50% off: "yes"?')).toBe('50%25 off%3A %22yes%22%3F');
    expect(escapeHivePathValue('tab\there')).toBe('tab%09here');
    expect(escapeHivePathValue('Müller')).toBe('Müller');
    expect(escapeHivePathValue("it's#[1]^{x}*\\")).toBe('it%27s%23%5B1%5D%5E%7Bx}%2A%5C');
  });

  it('maps null and empty values to the Hive default partition', () => {
    expect(escapeHivePathValue(null)).toBe(HIVE_DEFAULT_PARTITION);
    expect(escapeHivePathValue('')).toBe(HIVE_DEFAULT_PARTITION);
    expect(unescapeHivePathValue(HIVE_DEFAULT_PARTITION)).toBeNull();
  });

  it('never produces a traversal segment or an extra separator', () => {
    const hostile = ['..', '.', '../../etc', '/abs', 'a/../b', '%2F..', '....', 'x\u0000y', '=', 'k=v/w'];
    for (const value of hostile) {
      const path = partitionPath({ region: value });
      expect(path.split('/')).toHaveLength(1);
      expect(path.split('=').slice(1).join('=')).not.toMatch(/^\.+$/);
      expect(parsePartitionPath(path)).toEqual({ region: value });
    }
  });

  it('round-trips arbitrary strings', () => {
    let text = '';
    for (let code = 1; code < 256; code++) text += String.fromCharCode(code);
    const path = partitionPath({ k: text });
    expect(path).not.toContain('/');
    expect(parsePartitionPath(path).k).toBe(text);
  });

  it('parses partition segments out of a file key and checks the expected keys', () => {
    expect(parsePartitionPath('processed/orders/year=2025/month=1/part-0.parquet')).toEqual({ year: '2025', month: '1' });
    expect(() => parsePartitionPath('processed/orders/year=2025/part-0.parquet', ['year', 'month'])).toThrow(CoreError);
    expect(() => parsePartitionPath('t/month=1/year=2025/f', ['year', 'month'])).toThrow(/expected \[year, month\]/);
  });

  it('refuses non-finite numbers', () => {
    expect(() => partitionPath({ year: Number.NaN })).toThrow(/not a finite number/);
  });
});

describe('Hive partition paths of ill-formed text', () => {
  it('refuses lone surrogates, which every file system and S3 would turn into the same U+FFFD', () => {
    // '\uD800' and '\uDBFF' used to give two paths that collide once written as UTF-8.
    expect(() => escapeHivePathValue('a\uD800')).toThrow(CoreError);
    expect(() => partitionPath({ code: '\uDC00x' })).toThrow(/not well-formed/);
    expect(escapeHivePathValue('ok 😀')).toBe('ok 😀');
  });
});
