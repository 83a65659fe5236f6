import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeRows } from '@lakeblocks/transform/duckdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cards, mccCodes, transactions, users } from '../tables.js';
import { openNequiLake, type NequiLake } from '../testing/nequi-lake.js';
import { nequiModels } from './index.js';

let lake: NequiLake;

const user = { retirement_age: 67, birth_month: 6, address: '1 Main Street', latitude: 40.1, longitude: -75.2, per_capita_income: '20000.00', num_credit_cards: 1 };
const card = { card_number: '************1234', expires: '2024-01-01', has_chip: true, num_cards_issued: 1, acct_open_date: '2010-01-01', year_pin_last_changed: 2012, card_on_dark_web: false };
const tx = { use_chip: 'Swipe Transaction', merchant_id: 500, merchant_city: 'Beulah', merchant_state: 'ND', zip: '58523', errors: null };

beforeAll(async () => {
  lake = await openNequiLake();
  const { engine } = lake;
  await writeRows(engine, users, [
    { ...user, user_id: 1, current_age: 30, birth_year: 1989, gender: 'Female', yearly_income: '60000.00', total_debt: '30000.00', credit_score: 720 },
    { ...user, user_id: 2, current_age: 50, birth_year: 1969, gender: 'Male', yearly_income: '20000.00', total_debt: '90000.00', credit_score: 600 },
    { ...user, user_id: 3, current_age: 22, birth_year: 1997, gender: 'Female', yearly_income: '160000.00', total_debt: '0.00', credit_score: 650 },
    { ...user, user_id: 4, current_age: 40, birth_year: 1979, gender: 'Male', yearly_income: '50000.00', total_debt: '10000.00', credit_score: 760 },
  ]);
  await writeRows(engine, cards, [
    { ...card, card_id: 10, client_id: 1, card_brand: 'Visa', card_type: 'Credit', credit_limit: '1000.00' },
    { ...card, card_id: 11, client_id: 1, card_brand: 'Mastercard', card_type: 'desconocido', credit_limit: '500.00' },
    { ...card, card_id: 20, client_id: 2, card_brand: 'Amex', card_type: 'Credit', credit_limit: '2000.00', card_on_dark_web: true },
    { ...card, card_id: 40, client_id: 4, card_brand: 'Discover', card_type: 'Debit', credit_limit: '5000.00' },
  ]);
  await writeRows(engine, mccCodes, [
    { mcc: 3000, description: 'Airlines' },
    { mcc: 5411, description: 'Grocery Stores, Supermarkets' },
    { mcc: 5812, description: 'Eating Places and Restaurants' },
  ]);
  await writeRows(engine, transactions, [
    { ...tx, transaction_id: 1, transaction_time: '2019-01-05T10:00:00', client_id: 1, card_id: 10, amount: '100.00', mcc: 5411 },
    { ...tx, transaction_id: 2, transaction_time: '2019-01-20T12:30:00', client_id: 1, card_id: 10, amount: '-20.00', mcc: 5411 },
    { ...tx, transaction_id: 3, transaction_time: '2019-02-03T09:15:00', client_id: 1, card_id: 10, amount: '50.26', mcc: 5812, use_chip: 'Chip Transaction', errors: 'Bad PIN,Insufficient Balance' },
    { ...tx, transaction_id: 4, transaction_time: '2019-02-28T23:59:00', client_id: 1, card_id: 11, amount: '300.10', mcc: 3000, use_chip: 'Online Transaction', merchant_city: 'ONLINE', merchant_state: 'desconocido', zip: null },
    { ...tx, transaction_id: 5, transaction_time: '2018-12-31T23:00:00', client_id: 2, card_id: 20, amount: '10.00', mcc: 5411 },
    { ...tx, transaction_id: 6, transaction_time: '2019-01-01T00:00:00', client_id: 2, card_id: 20, amount: '5.56', mcc: 1234, merchant_city: 'Rome', merchant_state: 'Italy', zip: null },
    { ...tx, transaction_id: 7, transaction_time: '2019-01-10T08:00:00', client_id: 7, card_id: 99, amount: '42.00', mcc: 5411 }, // client and card unknown
    { ...tx, transaction_id: 8, transaction_time: '2019-03-15T18:45:00', client_id: 4, card_id: 40, amount: '200.00', mcc: 5812 },
  ]);
  await engine.runAll();
});

afterAll(async () => {
  await lake.dispose();
});

describe('every Nequi model on DuckDB', () => {
  it.each(nequiModels.map((m) => [m.name, m] as const))('%s has exactly its declared columns, in order, partition keys last', async (name, model) => {
    const [row] = await lake.engine.queryAll(`SELECT * FROM ${name} LIMIT 1`);
    const declared = [...new Set([...model.output.columns.map((c) => c.name), ...model.output.partitionKeys.map((k) => k.name)])];
    expect(Object.keys(row ?? {})).toEqual(declared);
  });
});

describe('transactions_enriched', () => {
  it('joins code, card and client; keeps a transaction whose card, client or code is unknown', async () => {
    const rows = await lake.engine.queryAll('SELECT * FROM transactions_enriched ORDER BY transaction_id');
    expect(rows).toHaveLength(8);
    expect(rows[3]).toEqual({
      transaction_id: 4, transaction_time: new Date('2019-02-28T23:59:00Z'), transaction_date: '2019-02-28', client_id: 1, card_id: 11,
      amount: '300.10', is_refund: false, use_chip: 'Online Transaction', merchant_id: 500, merchant_city: 'ONLINE', merchant_state: 'desconocido', zip: null,
      mcc: 3000, mcc_description: 'Airlines', mcc_category: 'travel', errors: null, has_error: false,
      card_brand: 'Mastercard', card_type: 'desconocido', credit_limit: '500.00', card_on_dark_web: false,
      client_age: 30, yearly_income: '60000.00', total_debt: '30000.00', credit_score: 720, year: 2019, month: 2,
    });
    expect(rows[1]).toMatchObject({ amount: '-20.00', is_refund: true, mcc_category: 'food_grocery' });
    expect(rows[2]).toMatchObject({ errors: 'Bad PIN,Insufficient Balance', has_error: true, mcc_description: 'Eating Places and Restaurants', mcc_category: 'restaurants_bars' });
    expect(rows[5]).toMatchObject({ mcc: 1234, mcc_description: null, mcc_category: 'other', merchant_state: 'Italy', card_on_dark_web: true });
    expect(rows[6]).toMatchObject({ client_id: 7, card_brand: null, card_type: null, credit_limit: null, client_age: null, credit_score: null });
  });

  it('is partitioned by year and month of transaction_time, in the path only', async () => {
    const dir = join(lake.lakeDir, 'curated', 'transactions_enriched');
    expect((await readdir(dir)).sort()).toEqual(['year=2018', 'year=2019']);
    expect((await readdir(join(dir, 'year=2019'))).sort()).toEqual(['month=1', 'month=2', 'month=3']);
  });
});

describe('client_risk_profile', () => {
  it('computes the indicators and the risk level of every client (hand-computed)', async () => {
    const rows = await lake.engine.queryAll('SELECT * FROM client_risk_profile ORDER BY client_id');
    expect(rows).toEqual([
      {
        client_id: 1, credit_score: 720, yearly_income: '60000.00', total_debt: '30000.00', debt_to_income: 0.5, num_cards: 2, cards_on_dark_web: 0,
        total_credit_limit: '1500.00', transactions: 4, error_transactions: 1, error_rate: 0.25, refunds: 1, refund_amount: '20.00', spend: '450.36',
        active_months: 2, avg_monthly_spend: 225.18, spend_to_limit: 0.1501, risk_level: 'high', // error rate 25 %
      },
      {
        client_id: 2, credit_score: 600, yearly_income: '20000.00', total_debt: '90000.00', debt_to_income: 4.5, num_cards: 1, cards_on_dark_web: 1,
        total_credit_limit: '2000.00', transactions: 2, error_transactions: 0, error_rate: 0, refunds: 0, refund_amount: '0.00', spend: '15.56',
        active_months: 2, avg_monthly_spend: 7.78, spend_to_limit: 0.0039, risk_level: 'high', // dark web, debt 4.5× income
      },
      {
        client_id: 3, credit_score: 650, yearly_income: '160000.00', total_debt: '0.00', debt_to_income: 0, num_cards: 0, cards_on_dark_web: 0,
        total_credit_limit: '0.00', transactions: 0, error_transactions: 0, error_rate: null, refunds: 0, refund_amount: '0.00', spend: '0.00',
        active_months: 0, avg_monthly_spend: null, spend_to_limit: null, risk_level: 'medium', // credit score < 670
      },
      {
        client_id: 4, credit_score: 760, yearly_income: '50000.00', total_debt: '10000.00', debt_to_income: 0.2, num_cards: 1, cards_on_dark_web: 0,
        total_credit_limit: '5000.00', transactions: 1, error_transactions: 0, error_rate: 0, refunds: 0, refund_amount: '0.00', spend: '200.00',
        active_months: 1, avg_monthly_spend: 200, spend_to_limit: 0.04, risk_level: 'low',
      },
    ]);
  });
});

describe('segmentation features', () => {
  it('client_monthly_spend: spend, refunds and net per client and month (unknown clients included)', async () => {
    const rows = await lake.engine.queryAll('SELECT * FROM client_monthly_spend ORDER BY client_id, year, month');
    expect(rows).toEqual([
      { client_id: 1, transactions: 2, spend: '100.00', refund_amount: '20.00', net_amount: '80.00', year: 2019, month: 1 },
      { client_id: 1, transactions: 2, spend: '350.36', refund_amount: '0.00', net_amount: '350.36', year: 2019, month: 2 },
      { client_id: 2, transactions: 1, spend: '10.00', refund_amount: '0.00', net_amount: '10.00', year: 2018, month: 12 },
      { client_id: 2, transactions: 1, spend: '5.56', refund_amount: '0.00', net_amount: '5.56', year: 2019, month: 1 },
      { client_id: 4, transactions: 1, spend: '200.00', refund_amount: '0.00', net_amount: '200.00', year: 2019, month: 3 },
      { client_id: 7, transactions: 1, spend: '42.00', refund_amount: '0.00', net_amount: '42.00', year: 2019, month: 1 },
    ]);
  });

  it('client_category_spend: spend per MCC category and its share of the client\'s spend', async () => {
    const rows = await lake.engine.queryAll('SELECT * FROM client_category_spend ORDER BY client_id, mcc_category');
    expect(rows).toEqual([
      { client_id: 1, mcc_category: 'food_grocery', transactions: 2, spend: '100.00', share_of_spend: 0.222 },
      { client_id: 1, mcc_category: 'restaurants_bars', transactions: 1, spend: '50.26', share_of_spend: 0.1116 },
      { client_id: 1, mcc_category: 'travel', transactions: 1, spend: '300.10', share_of_spend: 0.6664 },
      { client_id: 2, mcc_category: 'food_grocery', transactions: 1, spend: '10.00', share_of_spend: 0.6427 },
      { client_id: 2, mcc_category: 'other', transactions: 1, spend: '5.56', share_of_spend: 0.3573 },
      { client_id: 4, mcc_category: 'restaurants_bars', transactions: 1, spend: '200.00', share_of_spend: 1 },
      { client_id: 7, mcc_category: 'food_grocery', transactions: 1, spend: '42.00', share_of_spend: 1 },
    ]);
  });

  it('client_segments: age and income bands, activity and top category per client', async () => {
    const rows = await lake.engine.queryAll('SELECT * FROM client_segments ORDER BY client_id');
    expect(rows).toEqual([
      { client_id: 1, current_age: 30, age_band: '25-34', gender: 'Female', yearly_income: '60000.00', income_band: '50k-75k', active_months: 2, total_spend: '450.36', avg_monthly_spend: 225.18, top_mcc_category: 'travel' },
      { client_id: 2, current_age: 50, age_band: '45-54', gender: 'Male', yearly_income: '20000.00', income_band: 'under_25k', active_months: 2, total_spend: '15.56', avg_monthly_spend: 7.78, top_mcc_category: 'food_grocery' },
      { client_id: 3, current_age: 22, age_band: '18-24', gender: 'Female', yearly_income: '160000.00', income_band: '150k+', active_months: 0, total_spend: '0.00', avg_monthly_spend: null, top_mcc_category: null },
      { client_id: 4, current_age: 40, age_band: '35-44', gender: 'Male', yearly_income: '50000.00', income_band: '50k-75k', active_months: 1, total_spend: '200.00', avg_monthly_spend: 200, top_mcc_category: 'restaurants_bars' },
    ]);
  });

  it('rebuilds one month of the monthly models from new input without touching the others', async () => {
    const { engine } = lake;
    await writeRows(engine, transactions, [
      { ...tx, transaction_id: 1, transaction_time: '2019-01-05T10:00:00', client_id: 1, card_id: 10, amount: '999.99', mcc: 5411 }, // changed in Jan, Jan not rebuilt
      { ...tx, transaction_id: 5, transaction_time: '2018-12-31T23:00:00', client_id: 2, card_id: 20, amount: '10.00', mcc: 5411 },
      { ...tx, transaction_id: 9, transaction_time: '2019-03-20T10:00:00', client_id: 4, card_id: 40, amount: '0.50', mcc: 5411 }, // new in March
      { ...tx, transaction_id: 8, transaction_time: '2019-03-15T18:45:00', client_id: 4, card_id: 40, amount: '200.00', mcc: 5812 },
    ]);
    const march = [{ year: 2019, month: 3 }];
    expect((await engine.run('transactions_enriched', { partitions: march })).partitionsWritten).toEqual(['year=2019/month=3']);
    expect((await engine.run('client_monthly_spend', { partitions: march })).partitionsWritten).toEqual(['year=2019/month=3']);
    const rows = await engine.queryAll('SELECT client_id, year, month, transactions, spend FROM client_monthly_spend ORDER BY year, month, client_id');
    expect(rows).toEqual([
      { client_id: 2, year: 2018, month: 12, transactions: 1, spend: '10.00' },
      { client_id: 1, year: 2019, month: 1, transactions: 2, spend: '100.00' },
      { client_id: 2, year: 2019, month: 1, transactions: 1, spend: '5.56' },
      { client_id: 7, year: 2019, month: 1, transactions: 1, spend: '42.00' },
      { client_id: 1, year: 2019, month: 2, transactions: 2, spend: '350.36' },
      { client_id: 4, year: 2019, month: 3, transactions: 2, spend: '200.50' },
    ]);
  });
});

describe('incremental monthly batch', () => {
  it('rebuilding only the months a new batch touched equals a from-scratch rebuild', async () => {
    const other = await openNequiLake();
    try {
      const { engine } = other;
      await writeRows(engine, users, [{ ...user, user_id: 1, current_age: 30, birth_year: 1989, gender: 'Female', yearly_income: '60000.00', total_debt: '30000.00', credit_score: 720 }]);
      await writeRows(engine, cards, [{ ...card, card_id: 10, client_id: 1, card_brand: 'Visa', card_type: 'Credit', credit_limit: '1000.00' }]);
      await writeRows(engine, mccCodes, [{ mcc: 5411, description: 'Grocery Stores, Supermarkets' }]);
      const t = (id: number, time: string, amount: string) => ({ ...tx, transaction_id: id, transaction_time: time, client_id: 1, card_id: 10, amount, mcc: 5411 });
      const january = [t(1, '2019-01-05T10:00:00', '10.00'), t(2, '2019-01-31T23:59:00', '-2.50')];
      await writeRows(engine, transactions, january);
      await engine.runAll();
      // The March batch arrives: only year=2019/month=3 is rebuilt in the partitioned models.
      await writeRows(engine, transactions, [...january, t(3, '2019-03-01T00:00:00', '7.25'), t(4, '2019-03-31T12:00:00', '1.00')]);
      const march = [{ year: 2019, month: 3 }];
      await engine.run('transactions_enriched', { partitions: march });
      await engine.run('client_monthly_spend', { partitions: march });
      for (const name of ['client_category_spend', 'client_risk_profile', 'client_segments']) await engine.run(name);
      const snapshot = async () => {
        const out: Record<string, unknown>[][] = [];
        for (const n of ['transactions_enriched', 'client_monthly_spend', 'client_category_spend', 'client_risk_profile', 'client_segments']) out.push(await engine.queryAll(`SELECT * FROM ${n} ORDER BY ALL`));
        return out;
      };
      const incremental = await snapshot();
      expect(incremental[1]).toHaveLength(2);
      await engine.runAll(); // from scratch
      expect(await snapshot()).toEqual(incremental);
    } finally {
      await other.dispose();
    }
  });
});
