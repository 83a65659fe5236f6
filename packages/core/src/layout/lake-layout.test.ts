import { describe, expect, it } from 'vitest';
import { LAKE_LAYERS, lakeLayout, parseLakeLocation } from './lake-layout.js';

describe('lake layout', () => {
  it('builds the keys of DESIGN.md', () => {
    expect(LAKE_LAYERS).toEqual(['raw', 'processed', 'curated', 'rejects', 'reports', '_state']);
    expect(lakeLayout.rawFile('orders', '2025-12', 'orders_2025_12.csv')).toBe('raw/orders/2025-12/orders_2025_12.csv');
    expect(lakeLayout.partitionPrefix('processed', 'orders', { year: 2025, month: 1, day: 31 })).toBe(
      'processed/orders/year=2025/month=1/day=31/',
    );
    expect(lakeLayout.partitionPrefix('curated', 'kpi_monthly')).toBe('curated/kpi_monthly/');
    expect(lakeLayout.dataFile('curated', 'fact_orders_enriched', { year: 2025, month: 10 }, 'part-0.parquet')).toBe(
      'curated/fact_orders_enriched/year=2025/month=10/part-0.parquet',
    );
    expect(lakeLayout.rejectsFile('orders', 'run-1')).toBe('rejects/orders/run-1.csv');
    expect(lakeLayout.reportFile('dashboard.html')).toBe('reports/dashboard.html');
    expect(lakeLayout.bookmarkFile('raw-to-processed/orders')).toBe('_state/bookmarks/raw-to-processed/orders.json');
    expect(lakeLayout.runLogFile('2025-01-31T23-07-42-000Z-abc')).toBe('_state/runs/2025-01-31T23-07-42-000Z-abc.json');
  });

  it('refuses names that could escape their directory', () => {
    expect(() => lakeLayout.rawFile('orders', '..', 'x.csv')).toThrow(/batch/);
    expect(() => lakeLayout.rawFile('orders', 'b1', '../../etc/passwd')).toThrow(/file name/);
    expect(() => lakeLayout.rawFile('../orders', 'b1', 'x.csv')).toThrow(/table name/);
    expect(() => lakeLayout.rawFile('Orders', 'b1', 'x.csv')).toThrow(/table name/);
    expect(() => lakeLayout.rejectsFile('orders', 'a/b')).toThrow(/run id/);
    expect(() => lakeLayout.runLogFile('has space')).toThrow(/run id/);
    expect(() => lakeLayout.bookmarkFile('../x')).toThrow(/job name/);
    expect(() => lakeLayout.bookmarkFile('a/../../x')).toThrow();
    expect(() => lakeLayout.layerPrefix('secret' as never)).toThrow(/Unknown lake layer/);
  });

  it('keeps hostile partition values inside the partition directory', () => {
    const key = lakeLayout.dataFile('processed', 'events', { country: '../../x' }, 'f.parquet');
    expect(key).toBe('processed/events/country=..%2F..%2Fx/f.parquet');
    expect(key.split('/')).toHaveLength(4);
  });

  it('parses local and S3 locations', () => {
    expect(parseLakeLocation('s3://my-bucket/lakes/techstore/')).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: 'lakes/techstore' });
    expect(parseLakeLocation('s3://my-bucket')).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: '' });
    expect(parseLakeLocation('./.lake')).toEqual({ kind: 'local', path: './.lake' });
    expect(parseLakeLocation('file:///data/my%20lake')).toEqual({ kind: 'local', path: '/data/my lake' });
    expect(() => parseLakeLocation('s3://Bad_Bucket/x')).toThrow(/bucket/);
    expect(() => parseLakeLocation('s3://bucket/a/../b')).toThrow();
    expect(() => parseLakeLocation('gs://bucket/x')).toThrow(/Unsupported/);
  });
});
