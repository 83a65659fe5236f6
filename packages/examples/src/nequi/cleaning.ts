/**
 * The Nequi design's cleaning steps, declared as `@lakeblocks/ingest` cleaning rules per table (the
 * reader hard-codes none of them):
 *
 * - renames: every source `id` → `<entity>_id`, transactions' `date` → `transaction_time`;
 * - money: the `$` prefix is stripped (`$-77.00` → `-77.00`, a refund); anything non-numeric is
 *   rejected, with or without `$` (`money` coercion, then the strict decimal parser);
 * - `MM/YYYY` → the first day of the month (`month-year`); `YYYY-MM-DD HH:MM:SS` is parsed as a
 *   timestamp as written; `YES`/`NO`/`Yes`/`No` → booleans (`yes-no`);
 * - float ZIP codes (`58523.0`) → 5-digit text, zero-padded ({@link zipCode});
 * - missing categoricals `card_type` and `merchant_state` → `desconocido`; `total_debt` missing → 0
 *   (no debt recorded). Other numeric gaps are *not* filled: a missing amount, income, age or
 *   credit score has no meaningful neutral value, so such a row is rejected (with its reason);
 * - duplicate ids are dropped (the first occurrence is kept; later ones go to rejects);
 * - `current_age <= retirement_age` is checked;
 * - card numbers are masked to their last four digits ({@link maskCardNumber}). The CVV has no column:
 *   ingest refuses a header with an unknown column and has no rule to ignore one, so the CVV is
 *   removed from the stream before the reader ({@link dropCsvColumns} in `./raw/`).
 *
 * @example
 * ```ts
 * import { readCsvBatches } from '@lakeblocks/ingest';
 * const reader = readCsvBatches(dropCsvColumns(stream, ['cvv']), { cleaning: cardsCleaning, file: 'cards_data.csv', onReject: console.warn });
 * ```
 *
 * @module
 */
import { defineCleaning, type CoercionFn, type RowCheck } from '@lakeblocks/ingest';
import type { RowOf } from '@lakeblocks/core';
import { cards, mccCodes, transactions, UNKNOWN, users } from './tables.js';

/**
 * Masks a card number to its last four digits, keeping its length (`4344676511950444` →
 * `************0444`). Anything that is not 12-19 digits is refused (the row is rejected).
 *
 * @example
 * ```ts
 * maskCardNumber('4344676511950444'); // '************0444'
 * maskCardNumber('4344-6765'); // { error: 'not a card number (12-19 digits)' }
 * ```
 */
export const maskCardNumber: CoercionFn = (text) => {
  if (!/^\d{12,19}$/.test(text)) return { error: 'not a card number (12-19 digits)' };
  return '*'.repeat(text.length - 4) + text.slice(-4);
};

/**
 * A ZIP code written as a float (`58523.0`, `1234.0`) → 5 digits, zero-padded (`58523`, `01234`).
 * A fraction other than zero or more than five digits is refused.
 *
 * @example
 * ```ts
 * zipCode('58523.0'); // '58523'
 * zipCode('501.0'); // '00501'
 * ```
 */
export const zipCode: CoercionFn = (text) => {
  const m = /^(\d{1,5})(?:\.0*)?$/.exec(text);
  if (m === null) return { error: `not a ZIP code: ${JSON.stringify(text)}` };
  return (m[1] ?? '').padStart(5, '0');
};

/**
 * The design's age check: a client cannot be older than their retirement age.
 *
 * @example
 * ```ts
 * ageBeforeRetirement.test({ current_age: 70, retirement_age: 66 } as never); // false
 * ```
 */
export const ageBeforeRetirement: RowCheck<RowOf<typeof users>> = {
  name: 'age-before-retirement',
  columns: ['current_age', 'retirement_age'],
  test: (u) => u.current_age <= u.retirement_age,
  message: 'current_age is greater than retirement_age',
};

/**
 * users_data.csv → `users`.
 *
 * @example
 * ```ts
 * usersCleaning.rules.rename; // { id: 'user_id' }
 * ```
 */
export const usersCleaning = defineCleaning(users, {
  rename: { id: 'user_id' },
  coerce: { per_capita_income: 'money', yearly_income: 'money', total_debt: 'money' },
  defaults: { total_debt: '0' },
  dedupe: 'keep-first',
  checks: [ageBeforeRetirement],
});

/**
 * cards_data.csv (without `cvv`, see {@link dropCsvColumns}) → `cards`.
 *
 * @example
 * ```ts
 * cardsCleaning.rules.defaults; // { card_type: 'desconocido' }
 * ```
 */
export const cardsCleaning = defineCleaning(cards, {
  rename: { id: 'card_id' },
  coerce: {
    card_number: maskCardNumber,
    expires: 'month-year',
    acct_open_date: 'month-year',
    has_chip: 'yes-no',
    card_on_dark_web: 'yes-no',
    credit_limit: 'money',
  },
  defaults: { card_type: UNKNOWN },
  dedupe: 'keep-first',
});

/**
 * transactions_data.csv → `transactions`.
 *
 * @example
 * ```ts
 * transactionsCleaning.rules.rename; // { id: 'transaction_id', date: 'transaction_time' }
 * ```
 */
export const transactionsCleaning = defineCleaning(transactions, {
  rename: { id: 'transaction_id', date: 'transaction_time' },
  coerce: { amount: 'money', zip: zipCode },
  defaults: { merchant_state: UNKNOWN },
  dedupe: 'keep-first',
});

/**
 * mcc_codes.json, converted to `mcc,description` CSV by {@link mccCodesToCsv} → `mcc_codes`.
 *
 * @example
 * ```ts
 * mccCodesCleaning.table.name; // 'mcc_codes'
 * ```
 */
export const mccCodesCleaning = defineCleaning(mccCodes, { dedupe: 'keep-first' });

/**
 * The cleaning of every Nequi table, in load order.
 *
 * @example
 * ```ts
 * nequiCleaning.map((c) => c.table.name); // ['users', 'cards', 'transactions', 'mcc_codes']
 * ```
 */
export const nequiCleaning = [usersCleaning, cardsCleaning, transactionsCleaning, mccCodesCleaning] as const;

export { dropCsvColumns } from './raw/drop-csv-columns.js';
export { mccCodesToCsv } from './raw/mcc-codes-csv.js';
