import { connectTestMySql } from '@lakeblocks/core/testing';
import { expect, it } from 'vitest';
import { quickstart } from './quickstart.js';

it('runs the README quickstart against MariaDB', async () => {
  const db = await connectTestMySql({ database: 'lakeblocks_loaders_test' });
  try {
    const url = new URL(process.env.LAKEBLOCKS_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/');
    url.pathname = `/${db.database}`;
    const lines = await quickstart(url.toString(), `${db.tablePrefix}orders`);
    expect(lines).toEqual([
      'loaded 2 rows in 1 statement(s), then again: 2',
      '2 orders, revenue 25.00',
      `InvalidArgument: Arrow batch for table "${db.tablePrefix}orders" has no column "order_time"`,
      'glue: org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe, partitioned by year/month/day',
      'arrow: order_id:Int32, order_time:Timestamp<MICROSECOND>, total_usd:Decimal[12e+2], country:Utf8',
    ]);
  } finally {
    await db.close();
  }
});
