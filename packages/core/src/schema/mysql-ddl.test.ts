import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors/core-error.js';
import { col } from './column.js';
import { defineTable } from './define-table.js';
import { allTypes } from './fixtures/all-types.js';
import { orders } from './fixtures/techstore-orders.js';
import { toMySqlCreateTable } from './mysql-ddl.js';

describe('toMySqlCreateTable', () => {
  it('orders: golden DDL', () => {
    expect(toMySqlCreateTable(orders)).toBe(
      [
        'CREATE TABLE IF NOT EXISTS `orders` (',
        "  `order_id` INT NOT NULL COMMENT 'Order identifier',",
        "  `customer_id` INT NOT NULL COMMENT 'Customer who placed the order (customers.customer_id)',",
        "  `order_time` DATETIME(6) NOT NULL COMMENT 'When the order was placed (store local time, no zone)',",
        "  `payment_method` VARCHAR(6) NOT NULL COMMENT 'How the order was paid',",
        "  `discount_pct` INT NOT NULL COMMENT 'Discount applied, percent (0, 5, 10, 15 or 20)',",
        "  `subtotal_usd` DECIMAL(12,2) NOT NULL COMMENT 'Sum of the line totals, USD',",
        "  `total_usd` DECIMAL(12,2) NOT NULL COMMENT 'subtotal_usd * (1 - discount_pct/100), rounded to cents',",
        "  `country` VARCHAR(2) NOT NULL COMMENT 'ISO-3166 alpha-2 country of the customer',",
        "  `device` VARCHAR(7) NULL COMMENT 'Device used, when known',",
        "  `source` VARCHAR(8) NOT NULL COMMENT 'Marketing source of the session',",
        '  PRIMARY KEY (`order_id`),',
        "  CHECK (`payment_method` IN ('card', 'paypal', 'wallet', 'cod')),",
        "  CHECK (`device` IN ('mobile', 'desktop', 'tablet')),",
        "  CHECK (`source` IN ('organic', 'direct', 'paid', 'social', 'email', 'referral'))",
        ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='One row per order placed in the store. Totals are after the order''s discount.';",
      ].join('\n'),
    );
  });

  it('includes the time partition keys on request', () => {
    const ddl = toMySqlCreateTable(orders, { includePartitionColumns: true, tableName: 'fact_orders', ifNotExists: false });
    expect(ddl.startsWith('CREATE TABLE `fact_orders` (')).toBe(true);
    expect(ddl).toContain(
      "  `year` INT NOT NULL COMMENT 'Year of order_time (partition key)',\n" +
        "  `month` INT NOT NULL COMMENT 'Month (1-12) of order_time (partition key)',\n" +
        "  `day` INT NOT NULL COMMENT 'Day of month (1-31) of order_time (partition key)',\n" +
        '  PRIMARY KEY (`order_id`)',
    );
  });

  it('every type; string key VARCHAR(255) with a binary collation; no comment when undescribed', () => {
    const ddl = toMySqlCreateTable(allTypes);
    expect(ddl).toContain("  `code` VARCHAR(255) COLLATE utf8mb4_bin NOT NULL COMMENT 'Natural key',\n");
    expect(ddl).toContain('  `n_big` BIGINT NOT NULL,\n');
    expect(ddl).toContain('  `ratio` DOUBLE NULL,\n');
    expect(ddl).toContain('  `amount` DECIMAL(38,10) NOT NULL,\n');
    expect(ddl).toContain('  `note` TEXT NULL,\n');
    expect(ddl).toContain('  `flag` BOOLEAN NOT NULL,\n');
    expect(ddl).toContain('  `signup_date` DATE NOT NULL,\n');
    expect(ddl).toContain('  `seen_at` DATETIME(6) NULL,\n');
    expect(ddl).toContain('  `region` VARCHAR(5) NOT NULL,\n');
  });

  it('escapes quotes and backslashes in comments', () => {
    const t = defineTable({ name: 'notes', description: "O'Brien's \\ notes", columns: { body: col.string().describe("it's C:\\tmp") } });
    const ddl = toMySqlCreateTable(t);
    expect(ddl).toContain("`body` TEXT NOT NULL COMMENT 'it''s C:\\\\tmp'");
    expect(ddl.endsWith("COMMENT='O''Brien''s \\\\ notes';")).toBe(true);
  });

  it('refuses a primary key too long for InnoDB, and bad table names', () => {
    const wide = defineTable({
      name: 'wide',
      columns: { a: col.string({ maxLength: 500 }), b: col.string({ maxLength: 500 }) },
      primaryKey: ['a', 'b'],
    });
    expect(() => toMySqlCreateTable(wide)).toThrow(/primary key of table "wide" \(a, b\) is too long.*4000 bytes/);
    expect(() => toMySqlCreateTable(orders, { tableName: 'orders`; DROP' })).toThrow(CoreError);
  });
});
