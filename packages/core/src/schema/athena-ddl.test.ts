import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors/core-error.js';
import { toAthenaCreateTable } from './athena-ddl.js';
import { col } from './column.js';
import { defineTable } from './define-table.js';
import { orders } from './fixtures/techstore-orders.js';

describe('toAthenaCreateTable', () => {
  it('orders: golden DDL', () => {
    expect(toAthenaCreateTable(orders, { database: 'techstore', location: 's3://lake-bucket/processed/orders' })).toBe(
      [
        'CREATE EXTERNAL TABLE IF NOT EXISTS `techstore`.`orders` (',
        "  `order_id` int COMMENT 'Order identifier',",
        "  `customer_id` int COMMENT 'Customer who placed the order (customers.customer_id)',",
        "  `order_time` timestamp COMMENT 'When the order was placed (store local time, no zone)',",
        "  `payment_method` string COMMENT 'How the order was paid',",
        "  `discount_pct` int COMMENT 'Discount applied, percent (0, 5, 10, 15 or 20)',",
        "  `subtotal_usd` decimal(12,2) COMMENT 'Sum of the line totals, USD',",
        "  `total_usd` decimal(12,2) COMMENT 'subtotal_usd * (1 - discount_pct/100), rounded to cents',",
        "  `country` string COMMENT 'ISO-3166 alpha-2 country of the customer',",
        "  `device` string COMMENT 'Device used, when known',",
        "  `source` string COMMENT 'Marketing source of the session'",
        ')',
        "COMMENT 'One row per order placed in the store. Totals are after the order\\'s discount.'",
        'PARTITIONED BY (',
        "  `year` int COMMENT 'Year of order_time (partition key)',",
        "  `month` int COMMENT 'Month (1-12) of order_time (partition key)',",
        "  `day` int COMMENT 'Day of month (1-31) of order_time (partition key)'",
        ')',
        'STORED AS PARQUET',
        "LOCATION 's3://lake-bucket/processed/orders/'",
        "TBLPROPERTIES ('parquet.compression'='SNAPPY')",
      ].join('\n'),
    );
  });

  it("escapes ' and \\ in comments the Hive way, and folds control characters", () => {
    const t = defineTable({
      name: 'notes',
      description: "Customer's notes",
      columns: { body: col.string().describe("it's a C:\\path\nnext line ' ; DROP TABLE x; --") },
    });
    const ddl = toAthenaCreateTable(t, { database: 'db', location: 's3://bucket/notes/', compression: 'ZSTD', ifNotExists: false });
    expect(ddl).toContain("COMMENT 'Customer\\'s notes'");
    expect(ddl).toContain("`body` string COMMENT 'it\\'s a C:\\\\path\\nnext line \\' ; DROP TABLE x; --'");
    expect(ddl.startsWith('CREATE EXTERNAL TABLE `db`.`notes` (')).toBe(true);
    expect(ddl).not.toContain('PARTITIONED BY');
    expect(ddl.endsWith("TBLPROPERTIES ('parquet.compression'='ZSTD')")).toBe(true);
    // every quote inside a literal is escaped: stripping escapes leaves balanced quotes
    expect(ddl.replaceAll(/\\./g, '').split("'").length % 2).toBe(1);
  });

  it('refuses bad database names and non-S3 locations', () => {
    expect(() => toAthenaCreateTable(orders, { database: 'tech-store', location: 's3://b/x/' })).toThrow(CoreError);
    expect(() => toAthenaCreateTable(orders, { database: 'techstore', location: '/local/path' })).toThrow(/must be an s3:\/\/bucket\/prefix URI/);
    expect(() => toAthenaCreateTable(orders, { database: 'techstore', location: "s3://bucket/x' --" })).not.toThrow();
    expect(toAthenaCreateTable(orders, { database: 'techstore', location: "s3://bucket/x' --" })).toContain("LOCATION 's3://bucket/x\\' --/'");
    expect(() => toAthenaCreateTable(orders, { database: 'techstore', location: 's3://b/x/', tableName: 'Orders' })).toThrow(/tableName "Orders"/);
  });
});
