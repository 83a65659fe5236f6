/**
 * The four processed Nequi tables (users 1—n cards 1—n transactions, transactions → mcc_codes),
 * declared once: the design's data dictionary. Formats of the sources: `/work/shared/data/nequi/README.md`.
 *
 * Names are chosen for the lake, not copied from the CSV headers: every source `id` becomes
 * `<entity>_id` (`user_id`, `card_id`, `transaction_id`) and the transaction `date` — a timestamp —
 * becomes `transaction_time` (the curated layer adds `transaction_date`). The renames are cleaning
 * rules (`./cleaning.ts`), so a header that changes fails loudly instead of producing a column
 * that does not exist (the bug of the published Glue script).
 *
 * Money is `decimal(12, 2)` (exact cents; sums stay exact in DuckDB and Athena). `card_number` is
 * masked to its last four digits and `cvv` is not a column at all: neither ever reaches processed/.
 * Only transactions are partitioned (year/month of `transaction_time`: 13.3 M rows over ten years);
 * users (2,000 rows) and cards (6,146) are single small tables, since partitioning them would only
 * produce hundreds of tiny files.
 *
 * @example
 * ```ts
 * import { nequiTables, transactions } from './tables.js';
 * transactions.partitionKeys.map((k) => k.name); // ['year', 'month']
 * nequiTables.map((t) => t.name); // ['users', 'cards', 'transactions', 'mcc_codes']
 * ```
 *
 * @module
 */
import { col, defineTable } from '@lakeblocks/core';

const money = () => col.decimal(12, 2);

/**
 * The value the design fills into a missing categorical (`card_type`, `merchant_state`).
 *
 * @example
 * ```ts
 * UNKNOWN; // 'desconocido'
 * ```
 */
export const UNKNOWN = 'desconocido';

/**
 * Card brands.
 *
 * @example
 * ```ts
 * CARD_BRANDS.includes('Amex'); // true
 * ```
 */
export const CARD_BRANDS = ['Visa', 'Mastercard', 'Amex', 'Discover'] as const;
/**
 * Card types, plus {@link UNKNOWN} for a missing one.
 *
 * @example
 * ```ts
 * CARD_TYPES.at(-1); // 'desconocido'
 * ```
 */
export const CARD_TYPES = ['Credit', 'Debit', 'Debit (Prepaid)', UNKNOWN] as const;
/**
 * How a transaction was made.
 *
 * @example
 * ```ts
 * USE_CHIP.length; // 3
 * ```
 */
export const USE_CHIP = ['Swipe Transaction', 'Chip Transaction', 'Online Transaction'] as const;
/**
 * Genders as written in users_data.csv.
 *
 * @example
 * ```ts
 * GENDERS[0]; // 'Female'
 * ```
 */
export const GENDERS = ['Female', 'Male'] as const;

/**
 * The bank's clients (users_data.csv).
 *
 * @example
 * ```ts
 * users.column('total_debt').type; // { kind: 'decimal', precision: 12, scale: 2 }
 * ```
 */
export const users = defineTable({
  name: 'users',
  description: 'The bank clients: demographics, income, debt and credit score (one row per client).',
  columns: {
    user_id: col.int().describe('Client identifier (source `id`); transactions and cards call it client_id'),
    current_age: col.int().describe('Age in years at extraction time'),
    retirement_age: col.int().describe('Expected retirement age; current_age <= retirement_age is checked'),
    birth_year: col.int().describe('Year of birth'),
    birth_month: col.int().describe('Month of birth (1-12)'),
    gender: col.enum(GENDERS).describe('Gender as declared'),
    address: col.string().describe('Street address (personal data: restrict access)'),
    latitude: col.double().describe('Latitude of the address, degrees'),
    longitude: col.double().describe('Longitude of the address, degrees'),
    per_capita_income: money().describe('Per-capita income of the client\'s area, USD'),
    yearly_income: money().describe('Yearly income of the client, USD'),
    total_debt: money().describe('Total debt of the client, USD (missing → 0: no debt recorded)'),
    credit_score: col.int().describe('Credit score (300-850)'),
    num_credit_cards: col.int().describe('Number of credit cards the client declares'),
  },
  primaryKey: ['user_id'],
});

/**
 * The clients' cards (cards_data.csv), card number masked, without the CVV.
 *
 * @example
 * ```ts
 * cards.hasColumn('cvv'); // false
 * ```
 */
export const cards = defineTable({
  name: 'cards',
  description: 'Cards issued to clients; the card number is masked to its last four digits and the CVV is never stored.',
  columns: {
    card_id: col.int().describe('Card identifier (source `id`)'),
    client_id: col.int().describe('Owner of the card (users.user_id)'),
    card_brand: col.enum(CARD_BRANDS).describe('Card network'),
    card_type: col.enum(CARD_TYPES).describe(`Credit, Debit or Debit (Prepaid); missing → '${UNKNOWN}'`),
    card_number: col.string({ maxLength: 19 }).describe('Masked card number: last four digits only (`************0444`)'),
    expires: col.date().describe('Expiry month (source MM/YYYY), as its first day'),
    has_chip: col.boolean().describe('The card has an EMV chip (source YES/NO)'),
    num_cards_issued: col.int().describe('Plastic cards issued for this account'),
    credit_limit: money().describe('Credit limit, USD'),
    acct_open_date: col.date().describe('Account opening month (source MM/YYYY), as its first day'),
    year_pin_last_changed: col.int().describe('Year the PIN was last changed'),
    card_on_dark_web: col.boolean().describe('The card number was seen on the dark web (source Yes/No) — a risk indicator'),
  },
  primaryKey: ['card_id'],
});

/**
 * Card transactions (transactions_data.csv), partitioned by month of `transaction_time`.
 *
 * @example
 * ```ts
 * transactions.timeColumn; // 'transaction_time'
 * ```
 */
export const transactions = defineTable({
  name: 'transactions',
  description: 'Card transactions, 2010-2019 (negative amounts are refunds).',
  columns: {
    transaction_id: col.int().describe('Transaction identifier (source `id`)'),
    transaction_time: col.timestamp().describe('When the transaction happened (source `date`, YYYY-MM-DD HH:MM:SS)'),
    client_id: col.int().describe('Client (users.user_id)'),
    card_id: col.int().describe('Card used (cards.card_id)'),
    amount: money().describe('Amount, USD; negative for a refund (source `$-77.00`)'),
    use_chip: col.enum(USE_CHIP).describe('Swipe, Chip or Online Transaction'),
    merchant_id: col.int().describe('Merchant identifier'),
    merchant_city: col.string().describe('Merchant city; ONLINE for online merchants'),
    merchant_state: col.string().describe(`US state code, or a country name for foreign merchants; missing (online) → '${UNKNOWN}'`),
    zip: col.string({ maxLength: 5 }).nullable().describe('Merchant ZIP code, 5 digits zero-padded (source float `58523.0`); null when online or foreign'),
    mcc: col.int().describe('Merchant category code (mcc_codes.mcc)'),
    errors: col.string().nullable().describe('Comma-separated errors (`Bad PIN,Insufficient Balance`); null when none'),
  },
  primaryKey: ['transaction_id'],
  partitioning: { kind: 'time', column: 'transaction_time', granularity: 'month' },
});

/**
 * Merchant category codes (mcc_codes.json, as `mcc,description` CSV).
 *
 * @example
 * ```ts
 * mccCodes.primaryKey; // ['mcc']
 * ```
 */
export const mccCodes = defineTable({
  name: 'mcc_codes',
  description: 'Merchant category codes (ISO 18245) and their descriptions.',
  columns: {
    mcc: col.int().describe('Merchant category code'),
    description: col.string().describe('What the merchants of this code sell'),
  },
  primaryKey: ['mcc'],
});

/**
 * The four processed Nequi tables.
 *
 * @example
 * ```ts
 * nequiTables.length; // 4
 * ```
 */
export const nequiTables = [users, cards, transactions, mccCodes] as const;
