import { describe, expect, it } from 'vitest';
import { ageBeforeRetirement, cardsCleaning, maskCardNumber, mccCodesCleaning, mccCodesToCsv, transactionsCleaning, usersCleaning, zipCode } from './cleaning.js';
import { readRows } from './testing/read-rows.js';

const USERS_HEADER = 'id,current_age,retirement_age,birth_year,birth_month,gender,address,latitude,longitude,per_capita_income,yearly_income,total_debt,credit_score,num_credit_cards';
const CARDS_HEADER = 'id,client_id,card_brand,card_type,card_number,expires,cvv,has_chip,num_cards_issued,credit_limit,acct_open_date,year_pin_last_changed,card_on_dark_web';
const TX_HEADER = 'id,date,client_id,card_id,amount,use_chip,merchant_id,merchant_city,merchant_state,zip,mcc,errors';

const reasons = (rejects: { line: number; column: string; reason: string }[]) => rejects.map((r) => [r.line, r.column, r.reason]);

describe('coercions of the Nequi design', () => {
  it('masks card numbers to the last four digits and refuses what is not one', () => {
    expect(maskCardNumber('4344676511950444')).toBe('************0444');
    expect(maskCardNumber('379127781357001')).toBe('***********7001');
    expect(maskCardNumber('4344-6765')).toEqual({ error: 'not a card number (12-19 digits)' });
  });
  it('turns float ZIP codes into 5 zero-padded digits', () => {
    expect(zipCode('58523.0')).toBe('58523');
    expect(zipCode('501.0')).toBe('00501');
    expect(zipCode('10001')).toBe('10001');
    expect(zipCode('58523.5')).toEqual({ error: 'not a ZIP code: "58523.5"' });
    expect(zipCode('123456.0')).toEqual({ error: 'not a ZIP code: "123456.0"' });
  });
  it('checks current_age <= retirement_age', () => {
    expect(ageBeforeRetirement.test({ current_age: 66, retirement_age: 66 } as never)).toBe(true);
    expect(ageBeforeRetirement.test({ current_age: 67, retirement_age: 66 } as never)).toBe(false);
  });
});

describe('users_data.csv → users', () => {
  const csv = [
    USERS_HEADER,
    '825,53,66,1966,11,Female,462 Rose Lane,34.15,-117.76,$29278,$59696,$127613,787,5',
    '1746,53,68,1966,12,Male,"3606 Federal Boulevard, Apt 2",40.76,-73.74,$37891,$77254,,701,0',
    '825,60,66,1959,1,Female,1 Dup Street,34.15,-117.76,$1,$2,$3,700,1', // duplicate id
    '1000,70,66,1949,3,Male,9 Old Road,30.00,-90.00,$20000,$40000,$0,650,2', // past retirement
    '1001,40,67,1979,5,Female,5 Money Way,30.00,-90.00,$12a45,$40000,$10,650,2', // malformed money
    '1002,40,67,1979,5,Female,6 Score St,30.00,-90.00,$12345,$40000,$10,7x1,2', // invalid characters in a numeric
    '1003,40,67,1979,5,Female,7 Gap Ave,30.00,-90.00,$12345,,$10,700,2', // income missing: not meaningfully 0
    '1004,40,67,1979,5,Female,8 Short St,30.00,-90.00', // wrong field count
  ].join('\n');

  it('renames id, strips $, fills total_debt with 0, and rejects the dirty rows with their reasons', async () => {
    const { rows, rejects, stats } = await readRows(usersCleaning, csv);
    expect(rows).toEqual([
      { user_id: 825, current_age: 53, retirement_age: 66, birth_year: 1966, birth_month: 11, gender: 'Female', address: '462 Rose Lane', latitude: 34.15, longitude: -117.76, per_capita_income: '29278.00', yearly_income: '59696.00', total_debt: '127613.00', credit_score: 787, num_credit_cards: 5 },
      { user_id: 1746, current_age: 53, retirement_age: 68, birth_year: 1966, birth_month: 12, gender: 'Male', address: '3606 Federal Boulevard, Apt 2', latitude: 40.76, longitude: -73.74, per_capita_income: '37891.00', yearly_income: '77254.00', total_debt: '0.00', credit_score: 701, num_credit_cards: 0 },
    ]);
    expect(reasons(rejects)).toEqual([
      [4, 'user_id', 'duplicate primary key user_id=825 (the first occurrence is kept)'],
      [5, 'current_age|retirement_age', 'current_age is greater than retirement_age'],
      [6, 'per_capita_income', 'not a money amount: "$12a45"'],
      [7, 'credit_score', expect.stringMatching(/int/)],
      [8, 'yearly_income', 'missing value in a non-null column'],
      [9, '', 'expected 14 fields, found 9'],
    ]);
    expect(stats).toMatchObject({ rowsIn: 8, rowsOut: 2, rowsRejected: 6 });
    expect(stats.rowsIn).toBe(stats.rowsOut + stats.rowsRejected);
  });
});

describe('cards_data.csv → cards', () => {
  const csv = [
    CARDS_HEADER,
    '4524,825,Visa,Debit,4344676511950444,12/2022,623,YES,2,$24295,09/2002,2008,No',
    '2731,825,Visa,,4956965974959986,12/2020,393,NO,2,$21968,04/2014,2014,Yes', // card_type missing
    '3701,1746,Mastercard,Debit (Prepaid),5722874738736011,02/2024,719,Yes,1,$46,07/2003,2004,no',
    '4524,825,Visa,Debit,4344676511950444,12/2022,623,YES,2,$24295,09/2002,2008,No', // duplicate id
    '5000,825,Amex,Credit,3767-1234,01/2021,111,YES,1,$1000,01/2010,2010,No', // not a card number
    '5001,825,Amex,Credit,379127781357001,01/2021,111,YES,1,$1k,01/2010,2010,No', // malformed money
    '5002,825,Discover,Credit,6011123412341234,13/2022,111,YES,1,$1000,01/2010,2010,No', // no month 13
    '5003,825,Visa,Gold,4000123412341234,01/2022,111,YES,1,$1000,01/2010,2010,No', // unknown card type
    '5004,825,Visa,Credit,4000123412341235,01/2022,111,MAYBE,1,$1000,01/2010,2010,No', // not a boolean
  ].join('\r\n');

  it('drops cvv before the reader, masks the card number, parses MM/YYYY and YES/No, fills card_type', async () => {
    const { rows, rejects, stats } = await readRows(cardsCleaning, csv, { dropColumns: ['cvv'] });
    expect(rows).toEqual([
      { card_id: 4524, client_id: 825, card_brand: 'Visa', card_type: 'Debit', card_number: '************0444', expires: '2022-12-01', has_chip: true, num_cards_issued: 2, credit_limit: '24295.00', acct_open_date: '2002-09-01', year_pin_last_changed: 2008, card_on_dark_web: false },
      { card_id: 2731, client_id: 825, card_brand: 'Visa', card_type: 'desconocido', card_number: '************9986', expires: '2020-12-01', has_chip: false, num_cards_issued: 2, credit_limit: '21968.00', acct_open_date: '2014-04-01', year_pin_last_changed: 2014, card_on_dark_web: true },
      { card_id: 3701, client_id: 1746, card_brand: 'Mastercard', card_type: 'Debit (Prepaid)', card_number: '************6011', expires: '2024-02-01', has_chip: true, num_cards_issued: 1, credit_limit: '46.00', acct_open_date: '2003-07-01', year_pin_last_changed: 2004, card_on_dark_web: false },
    ]);
    expect(reasons(rejects)).toEqual([
      [5, 'card_id', 'duplicate primary key card_id=4524 (the first occurrence is kept)'],
      [6, 'card_number', 'not a card number (12-19 digits)'],
      [7, 'credit_limit', 'not a money amount: "$1k"'],
      [8, 'expires', 'no month 13 in "13/2022"'],
      [9, 'card_type', expect.stringContaining('Gold')],
      [10, 'has_chip', expect.stringContaining('MAYBE')],
    ]);
    // The CVV is in no processed row and in no reject (the rejects carry the record as the reader saw it).
    for (const r of rows) expect(r).not.toHaveProperty('cvv');
    expect(rejects[0]?.rawRecord).toBe('4524,825,Visa,Debit,4344676511950444,12/2022,YES,2,$24295,09/2002,2008,No');
    expect(stats).toMatchObject({ rowsIn: 9, rowsOut: 3, rowsRejected: 6 });
  });

  it('without dropping cvv the file is refused as a whole (no column may carry it)', async () => {
    await expect(readRows(cardsCleaning, csv)).rejects.toThrow(/unknown column\(s\) "cvv"/);
  });
});

describe('transactions_data.csv → transactions', () => {
  const csv = [
    TX_HEADER,
    '7475327,2010-01-01 00:01:00,1556,2972,$-77.00,Swipe Transaction,59935,Beulah,ND,58523.0,5499,',
    '7475328,2010-01-01 00:02:00,561,4575,$14.57,Chip Transaction,67570,Monterey Park,CA,91754.0,5311,',
    '7475329,2010-01-01 00:02:00,1129,102,$80.00,Online Transaction,27092,ONLINE,,,4829,"Bad PIN,Insufficient Balance"',
    '7475330,2010-01-01 00:05:00,430,2860,$200.00,Chip Transaction,27093,Rome,Italy,,4829,',
    '7475331,2010-02-01 00:06:00,848,3915,$46.41,Swipe Transaction,13051,Holtsville,NY,501.0,5813,Technical Glitch',
    '7475327,2010-01-01 00:01:00,1556,2972,$-77.00,Swipe Transaction,59935,Beulah,ND,58523.0,5499,', // duplicate id
    '7475332,2010-02-01 00:07:00,848,3915,$4a.00,Swipe Transaction,13051,Harwood,MD,20776.0,5813,', // malformed money
    '7475333,2010-02-01 00:08:00,848,3915,N/A,Swipe Transaction,13051,Harwood,MD,20776.0,5813,', // non-numeric money without $
    '7475334,01/02/2010 00:09,848,3915,$1.00,Swipe Transaction,13051,Harwood,MD,20776.0,5813,', // not YYYY-MM-DD HH:MM:SS
    '7475335,2010-02-01 00:10:00,848,3915,,Swipe Transaction,13051,Harwood,MD,20776.0,5813,', // amount missing
    '7475336,2010-02-01 00:11:00,848,3915,$1.00,Swipe Transaction,13051,Harwood,MD,20776.5,5813,', // bad zip
    '7475337,2010-02-01 00:12:00,848,3915,$1.00,,13051,Harwood,MD,20776.0,5813,', // use_chip missing
  ].join('\n');

  it('parses refunds, timestamps, ONLINE and foreign merchants, float zips and quoted multi-errors', async () => {
    const { rows, rejects, stats } = await readRows(transactionsCleaning, `${csv}\n`);
    expect(rows).toEqual([
      { transaction_id: 7475327, transaction_time: '2010-01-01T00:01:00', client_id: 1556, card_id: 2972, amount: '-77.00', use_chip: 'Swipe Transaction', merchant_id: 59935, merchant_city: 'Beulah', merchant_state: 'ND', zip: '58523', mcc: 5499, errors: null },
      { transaction_id: 7475328, transaction_time: '2010-01-01T00:02:00', client_id: 561, card_id: 4575, amount: '14.57', use_chip: 'Chip Transaction', merchant_id: 67570, merchant_city: 'Monterey Park', merchant_state: 'CA', zip: '91754', mcc: 5311, errors: null },
      { transaction_id: 7475329, transaction_time: '2010-01-01T00:02:00', client_id: 1129, card_id: 102, amount: '80.00', use_chip: 'Online Transaction', merchant_id: 27092, merchant_city: 'ONLINE', merchant_state: 'desconocido', zip: null, mcc: 4829, errors: 'Bad PIN,Insufficient Balance' },
      { transaction_id: 7475330, transaction_time: '2010-01-01T00:05:00', client_id: 430, card_id: 2860, amount: '200.00', use_chip: 'Chip Transaction', merchant_id: 27093, merchant_city: 'Rome', merchant_state: 'Italy', zip: null, mcc: 4829, errors: null },
      { transaction_id: 7475331, transaction_time: '2010-02-01T00:06:00', client_id: 848, card_id: 3915, amount: '46.41', use_chip: 'Swipe Transaction', merchant_id: 13051, merchant_city: 'Holtsville', merchant_state: 'NY', zip: '00501', mcc: 5813, errors: 'Technical Glitch' },
    ]);
    expect(reasons(rejects)).toEqual([
      [7, 'transaction_id', 'duplicate primary key transaction_id=7475327 (the first occurrence is kept)'],
      [8, 'amount', 'not a money amount: "$4a.00"'],
      [9, 'amount', expect.stringContaining('N/A')],
      [10, 'transaction_time', expect.stringContaining('01/02/2010')],
      [11, 'amount', 'missing value in a non-null column'],
      [12, 'zip', 'not a ZIP code: "20776.5"'],
      [13, 'use_chip', 'missing value in a non-null column'],
    ]);
    expect(stats).toMatchObject({ rowsIn: 12, rowsOut: 5, rowsRejected: 7 });
    expect(stats.rowsIn).toBe(stats.rowsOut + stats.rowsRejected);
  });
});

describe('mcc_codes.json → mcc_codes', () => {
  it('goes through CSV and the same reader', async () => {
    const csv = mccCodesToCsv({ '5812': 'Eating Places and Restaurants', '5411': 'Grocery Stores, Supermarkets', '3000': 'Airlines "United"' });
    expect(csv).toBe('mcc,description\n3000,"Airlines ""United"""\n5411,"Grocery Stores, Supermarkets"\n5812,Eating Places and Restaurants\n');
    const { rows, stats } = await readRows(mccCodesCleaning, csv);
    expect(rows).toEqual([
      { mcc: 3000, description: 'Airlines "United"' },
      { mcc: 5411, description: 'Grocery Stores, Supermarkets' },
      { mcc: 5812, description: 'Eating Places and Restaurants' },
    ]);
    expect(stats).toMatchObject({ rowsIn: 3, rowsOut: 3, rowsRejected: 0 });
  });
});
