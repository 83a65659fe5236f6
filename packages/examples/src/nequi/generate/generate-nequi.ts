/**
 * The deterministic, streaming generator of the Nequi dataset: `users_data.csv`, `cards_data.csv`,
 * `transactions_data.csv` and `mcc_codes.json`, in the original headers, formats and quirks (see
 * `/work/shared/data/nequi/README.md`), referentially consistent, with an optional share of dirty
 * rows for the cleaning rules to catch.
 *
 * @module
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MCC_CODES, MCC_WEIGHTS } from './mcc-catalog.js';
import { FOREIGN, STREET_SUFFIXES, STREETS, US_STATES } from './places.js';
import { Rng } from './rng.js';

/**
 * Row counts of the original dataset.
 *
 * @example
 * ```ts
 * NEQUI_SIZES.transactions; // 13_305_915
 * ```
 */
export const NEQUI_SIZES = { users: 2_000, cards: 6_146, transactions: 13_305_915, mccCodes: 109 } as const;

/**
 * The original CSV headers, verbatim.
 *
 * @example
 * ```ts
 * NEQUI_HEADERS.transactions.split(',')[0]; // 'id'
 * ```
 */
export const NEQUI_HEADERS = {
  users: 'id,current_age,retirement_age,birth_year,birth_month,gender,address,latitude,longitude,per_capita_income,yearly_income,total_debt,credit_score,num_credit_cards',
  cards: 'id,client_id,card_brand,card_type,card_number,expires,cvv,has_chip,num_cards_issued,credit_limit,acct_open_date,year_pin_last_changed,card_on_dark_web',
  transactions: 'id,date,client_id,card_id,amount,use_chip,merchant_id,merchant_city,merchant_state,zip,mcc,errors',
} as const;

/**
 * The 22 distinct `errors` values: seven single errors and fifteen pairs (quoted in the CSV).
 *
 * @example
 * ```ts
 * TRANSACTION_ERRORS.includes('Bad PIN,Insufficient Balance'); // true
 * ```
 */
export const TRANSACTION_ERRORS = [
  'Insufficient Balance', 'Bad PIN', 'Technical Glitch', 'Bad Card Number', 'Bad Expiration', 'Bad CVV', 'Bad Zipcode',
  'Bad PIN,Insufficient Balance', 'Bad CVV,Insufficient Balance', 'Insufficient Balance,Technical Glitch', 'Bad Card Number,Bad Expiration',
  'Bad Expiration,Bad CVV', 'Bad PIN,Technical Glitch', 'Bad Card Number,Insufficient Balance', 'Bad Zipcode,Insufficient Balance',
  'Bad Expiration,Insufficient Balance', 'Bad Card Number,Bad CVV', 'Bad CVV,Technical Glitch', 'Bad Zipcode,Technical Glitch',
  'Bad Card Number,Technical Glitch', 'Bad Expiration,Technical Glitch', 'Bad PIN,Bad CVV',
] as const;

/**
 * Options of {@link generateNequi}.
 *
 * @example
 * ```ts
 * const options: GenerateNequiOptions = { outDir: './data/nequi', rows: 1_000_000, dirtyShare: 0.01, seed: 7 };
 * ```
 */
export interface GenerateNequiOptions {
  /** Output directory (created). */
  outDir: string;
  /** Transactions to write (default 13,305,915). */
  rows?: number;
  /** Share of dirty rows, 0..1 (default 0: a clean dataset). */
  dirtyShare?: number;
  /** Seed (default 20260101): same seed and options → identical files. */
  seed?: number;
  /** Called every ~1 M transaction rows, and at the end. */
  onProgress?: (rowsWritten: number, rowsTotal: number) => void;
}

/**
 * Counts of one generated file: rows written, dirty rows by kind, and how many of them the cleaning
 * rules must reject (the others are repaired: a missing categorical or debt gets its default).
 *
 * @example
 * ```ts
 * const f: GeneratedFile = { file: 'users_data.csv', rows: 2_020, dirty: { pastRetirement: 10 }, expectedRejects: 10 };
 * ```
 */
export interface GeneratedFile {
  file: string;
  rows: number;
  dirty: Record<string, number>;
  expectedRejects: number;
}

/**
 * What {@link generateNequi} wrote.
 *
 * @example
 * ```ts
 * const summary = await generateNequi({ outDir, rows: 10_000 });
 * summary.transactions.rows; // 10_000
 * ```
 */
export interface GenerateNequiSummary {
  users: GeneratedFile;
  cards: GeneratedFile;
  transactions: GeneratedFile;
  mccCodes: { file: string; codes: number };
  bytes: number;
  seconds: number;
}

interface User {
  id: number;
  line: string;
  cardCount: number;
}
interface Card {
  id: number;
  clientId: number;
  hasChip: boolean;
  /** `client_id,card_id` as written in transactions. */
  ref: string;
}
interface Merchant {
  id: number;
  city: string;
  state: string;
  zip: string;
  mcc: number;
  online: boolean;
  /** `merchant_id,merchant_city,merchant_state,zip,mcc` as written in transactions. */
  segment: string;
}

const CHUNK_BYTES = 1 << 22; // 4 MiB per write
/** Longer than any transaction line (every generated value is ASCII, so one char is one byte). */
const MAX_ROW_BYTES = 512;
const START = Date.UTC(2010, 0, 1);
const END = Date.UTC(2019, 9, 31, 23, 59);
const FIRST_TRANSACTION_ID = 7_475_327;

/** `$12a.50`-style values the money rule must reject (with and without `$`). */
const MALFORMED_MONEY = ['$12a.50', '$1.2.3', '12.50 USD', '$', '$--5.00', 'N/A'];

const dollars = (n: number): string => `$${n}`;
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const monthYear = (month: number, year: number): string => `${pad2(month)}/${year}`;

/**
 * Writes the four Nequi source files to `outDir` and returns what it wrote. Users and cards are
 * built in memory (8,146 rows); transactions stream out in ~4 MiB chunks, sorted by time from
 * 2010-01-01 to 2019-10-31, so memory stays flat whatever `rows` is.
 *
 * Dirty rows (`dirtyShare` P): for users, P × 2,000 rows, in turn a client past retirement age, a
 * malformed money value, a duplicated id (rejected; added as extra rows with ids nobody references,
 * so no card or transaction is orphaned) and a missing `total_debt` (repaired: 0); for cards, P ×
 * 6,146 rows, in turn a missing `card_type` (repaired: `desconocido`), malformed `credit_limit` and
 * a duplicated id (rejected, extra rows); for transactions, P × `rows` of the rows, in turn a
 * missing `merchant_state` on a US merchant (repaired), a malformed amount and a duplicated id
 * (rejected). The summary's `expectedRejects` is exactly what the cleaning rules must reject.
 *
 * @example
 * ```ts
 * const summary = await generateNequi({ outDir: '/tmp/nequi', rows: 1_000_000, dirtyShare: 0.01, seed: 1 });
 * summary.transactions.expectedRejects; // ≈ 6,667
 * ```
 */
export async function generateNequi(options: GenerateNequiOptions): Promise<GenerateNequiSummary> {
  const started = performance.now();
  const rows = options.rows ?? NEQUI_SIZES.transactions;
  const dirtyShare = options.dirtyShare ?? 0;
  if (!Number.isInteger(rows) || rows < 0) throw new RangeError(`rows must be a non-negative integer, got ${rows}`);
  if (!(dirtyShare >= 0 && dirtyShare <= 1)) throw new RangeError(`dirtyShare must be within 0..1, got ${dirtyShare}`);
  const seed = options.seed ?? 20260101;
  await mkdir(options.outDir, { recursive: true });

  const rng = new Rng(seed);
  const users = makeUsers(new Rng(seed ^ 0x1111));
  const cards = makeCards(new Rng(seed ^ 0x2222), users);
  const usersFile = await writeUsers(new Rng(seed ^ 0x3333), options.outDir, users, dirtyShare);
  const cardsFile = await writeCards(new Rng(seed ^ 0x4444), options.outDir, cards, dirtyShare);
  const mccText = `{${Object.entries(MCC_CODES)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(', ')}}`;
  await writeFile(join(options.outDir, 'mcc_codes.json'), mccText);
  const tx = await writeTransactions(rng, options.outDir, cards.list, rows, dirtyShare, options.onProgress);
  return {
    users: usersFile.file,
    cards: cardsFile.file,
    transactions: tx.file,
    mccCodes: { file: 'mcc_codes.json', codes: Object.keys(MCC_CODES).length },
    bytes: usersFile.bytes + cardsFile.bytes + tx.bytes + Buffer.byteLength(mccText),
    seconds: (performance.now() - started) / 1000,
  };
}

function makeUsers(rng: Rng): User[] {
  // Cards per client: 1 to 9, 6,146 in all.
  const counts = new Array<number>(NEQUI_SIZES.users).fill(1);
  let extra = NEQUI_SIZES.cards - NEQUI_SIZES.users;
  while (extra > 0) {
    const i = rng.int(counts.length);
    if ((counts[i] ?? 0) < 9) {
      counts[i] = (counts[i] ?? 0) + 1;
      extra--;
    }
  }
  const ids = rng.shuffle(Array.from({ length: NEQUI_SIZES.users }, (_, i) => i));
  return ids.map((id, i) => {
    const cardCount = counts[i] ?? 1;
    return { id, cardCount, line: userLine(rng, id, cardCount, false) };
  });
}

function userLine(rng: Rng, id: number, cardCount: number, pastRetirement: boolean, fields: { money?: string; debt?: string } = {}): string {
  const retirement = rng.between(55, 75);
  const age = pastRetirement ? retirement + rng.between(1, 20) : rng.between(18, retirement);
  const birthYear = 2019 - age;
  const state = rng.pick(US_STATES);
  const perCapita = Math.round(8_000 + rng.float() * rng.float() * 60_000);
  const yearly = Math.round(perCapita * (1.4 + rng.float() * 1.2));
  const debt = rng.float() < 0.15 ? 0 : Math.round(yearly * rng.float() * 3);
  const score = Math.min(850, Math.max(480, Math.round(710 + (rng.float() + rng.float() + rng.float() - 1.5) * 140)));
  const address = `${rng.between(1, 9999)} ${rng.pick(STREETS)} ${rng.pick(STREET_SUFFIXES)}`;
  const lat = (state.lat + (rng.float() - 0.5) * 3).toFixed(2);
  const lon = (state.lon + (rng.float() - 0.5) * 3).toFixed(2);
  return [
    id, age, retirement, birthYear, rng.between(1, 12), rng.float() < 0.51 ? 'Female' : 'Male', address, lat, lon,
    fields.money ?? dollars(perCapita), dollars(yearly), fields.debt ?? dollars(debt), score, cardCount,
  ].join(',');
}

function luhnComplete(partial: string): string {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let d = partial.charCodeAt(partial.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return partial + String((10 - (sum % 10)) % 10);
}

function makeCards(rng: Rng, users: readonly User[]): { list: Card[]; lines: Map<number, string> } {
  const ids = rng.shuffle(Array.from({ length: NEQUI_SIZES.cards }, (_, i) => i));
  const list: Card[] = [];
  const lines = new Map<number, string>();
  let next = 0;
  for (const user of users) {
    for (let k = 0; k < user.cardCount; k++) {
      const id = ids[next++] ?? 0;
      const brand = rng.weighted(['Mastercard', 'Visa', 'Amex', 'Discover'], [52, 38, 6.5, 3.5]);
      const type = rng.weighted(['Debit', 'Credit', 'Debit (Prepaid)'], [59, 33, 8]);
      let digits = '';
      const length = brand === 'Amex' ? 15 : 16;
      const prefix = brand === 'Visa' ? '4' : brand === 'Mastercard' ? `5${rng.between(1, 5)}` : brand === 'Amex' ? rng.pick(['34', '37']) : '6011';
      digits = prefix;
      while (digits.length < length - 1) digits += String(rng.int(10));
      const number = luhnComplete(digits);
      const openYear = rng.between(1991, 2019);
      const openMonth = rng.between(1, 12);
      const expYear = rng.between(Math.max(openYear + 2, 2019), 2024);
      const hasChip = rng.float() < 0.9;
      const limit = type === 'Debit (Prepaid)' ? rng.between(0, 150) : type === 'Credit' ? rng.between(1_000, 25_000) : rng.between(2_000, 40_000);
      lines.set(
        id,
        [
          id, user.id, brand, type, number, monthYear(rng.between(1, 12), expYear), String(rng.between(100, 999)), hasChip ? 'YES' : 'NO',
          rng.weighted([1, 2, 3], [55, 40, 5]), dollars(limit), monthYear(openMonth, openYear), rng.between(openYear, 2020), 'No',
        ].join(','),
      );
      list.push({ id, clientId: user.id, hasChip, ref: `${user.id},${id}` });
    }
  }
  return { list, lines };
}

async function writeUsers(rng: Rng, outDir: string, users: readonly User[], share: number): Promise<{ file: GeneratedFile; bytes: number }> {
  const lines = users.map((u) => u.line);
  const clean = lines.map(() => true);
  const dirtyCount = Math.round(share * NEQUI_SIZES.users);
  const dirty: Record<string, number> = { pastRetirement: 0, malformedMoney: 0, duplicateId: 0, missingDebt: 0 };
  let nextId = NEQUI_SIZES.users;
  for (let k = 0; k < dirtyCount; k++) {
    const kind = (['pastRetirement', 'malformedMoney', 'duplicateId', 'missingDebt'] as const)[k % 4]!;
    dirty[kind] = (dirty[kind] ?? 0) + 1;
    if (kind === 'missingDebt') {
      let i = rng.int(lines.length);
      while (!clean[i]) i = rng.int(lines.length);
      const fields = (lines[i] ?? '').split(',');
      fields[fields.length - 3] = '';
      lines[i] = fields.join(',');
      clean[i] = false;
      continue;
    }
    let at: number;
    let line: string;
    if (kind === 'duplicateId') {
      let o = rng.int(lines.length);
      while (!clean[o]) o = rng.int(lines.length);
      const id = Number((lines[o] ?? '').split(',', 1)[0]);
      line = userLine(rng, id, 1, false);
      at = o + 1 + rng.int(lines.length - o);
    } else {
      line = userLine(rng, nextId++, 1, kind === 'pastRetirement', kind === 'malformedMoney' ? { money: rng.pick(MALFORMED_MONEY) } : {});
      at = rng.int(lines.length + 1);
    }
    lines.splice(at, 0, line);
    clean.splice(at, 0, false);
  }
  const text = `${NEQUI_HEADERS.users}\n${lines.join('\n')}\n`;
  await writeFile(join(outDir, 'users_data.csv'), text);
  const expectedRejects = (dirty['pastRetirement'] ?? 0) + (dirty['malformedMoney'] ?? 0) + (dirty['duplicateId'] ?? 0);
  return { file: { file: 'users_data.csv', rows: lines.length, dirty, expectedRejects }, bytes: Buffer.byteLength(text) };
}

async function writeCards(rng: Rng, outDir: string, cards: { list: Card[]; lines: Map<number, string> }, share: number): Promise<{ file: GeneratedFile; bytes: number }> {
  // The original file is not in id order: keep the generation order (clients shuffled).
  const lines = cards.list.map((c) => cards.lines.get(c.id) ?? '');
  const clean = lines.map(() => true);
  const dirtyCount = Math.round(share * NEQUI_SIZES.cards);
  const dirty: Record<string, number> = { missingCardType: 0, malformedMoney: 0, duplicateId: 0 };
  let nextId = NEQUI_SIZES.cards;
  for (let k = 0; k < dirtyCount; k++) {
    const kind = (['missingCardType', 'malformedMoney', 'duplicateId'] as const)[k % 3]!;
    dirty[kind] = (dirty[kind] ?? 0) + 1;
    let o = rng.int(lines.length);
    while (!clean[o]) o = rng.int(lines.length);
    const fields = (lines[o] ?? '').split(',');
    if (kind === 'missingCardType') {
      fields[3] = '';
      lines[o] = fields.join(',');
      clean[o] = false;
      continue;
    }
    if (kind === 'malformedMoney') {
      fields[0] = String(nextId++);
      fields[9] = rng.pick(MALFORMED_MONEY);
    } else {
      fields[9] = dollars(rng.between(500, 9_000)); // same id, different content: the first is kept
    }
    const at = kind === 'duplicateId' ? o + 1 + rng.int(lines.length - o) : rng.int(lines.length + 1);
    lines.splice(at, 0, fields.join(','));
    clean.splice(at, 0, false);
  }
  const text = `${NEQUI_HEADERS.cards}\n${lines.join('\n')}\n`;
  await writeFile(join(outDir, 'cards_data.csv'), text);
  const expectedRejects = (dirty['malformedMoney'] ?? 0) + (dirty['duplicateId'] ?? 0);
  return { file: { file: 'cards_data.csv', rows: lines.length, dirty, expectedRejects }, bytes: Buffer.byteLength(text) };
}

function makeMerchants(rng: Rng): { physical: Merchant[]; online: Merchant[] } {
  const ids = rng.shuffle(Array.from({ length: 100_000 }, (_, i) => i));
  const physical: Merchant[] = [];
  const online: Merchant[] = [];
  let n = 0;
  const make = (isOnline: boolean, foreign: boolean): Merchant => {
    const id = ids[n++] ?? n;
    const mcc = rng.weighted(MCC_WEIGHTS.codes, MCC_WEIGHTS.weights);
    let city = 'ONLINE';
    let state = '';
    let zip = '';
    if (!isOnline && foreign) {
      const f = rng.pick(FOREIGN);
      city = rng.pick(f.towns);
      state = f.country;
    } else if (!isOnline) {
      const s = rng.pick(US_STATES);
      city = rng.pick(s.towns);
      state = s.code;
      zip = `${s.zip + rng.int(900)}.0`;
    }
    return { id, city, state, zip, mcc, online: isOnline, segment: `${id},${city},${state},${zip},${mcc}` };
  };
  for (let i = 0; i < 30_000; i++) physical.push(make(false, rng.float() < 0.03));
  for (let i = 0; i < 2_000; i++) online.push(make(true, false));
  return { physical, online };
}

/**
 * Strings pre-encoded into one contiguous byte array (every generated value is ASCII: one byte per
 * character) — a single allocation for tens of thousands of pieces, and cache-friendly copies.
 */
class ByteTable {
  readonly bytes: Uint8Array;
  readonly starts: Int32Array;
  readonly size: number;

  constructor(texts: readonly string[]) {
    this.size = texts.length;
    this.starts = new Int32Array(texts.length + 1);
    let total = 0;
    texts.forEach((t, i) => {
      this.starts[i] = total;
      total += t.length;
    });
    this.starts[texts.length] = total;
    this.bytes = new Uint8Array(Buffer.from(texts.join(''), 'latin1'));
  }

  /** Copies piece `i` into `dst` at `at`; returns the offset after it. */
  copy(dst: Uint8Array, at: number, i: number): number {
    const bytes = this.bytes;
    const end = this.starts[i + 1] as number;
    for (let k = this.starts[i] as number; k < end; k++) dst[at++] = bytes[k] as number;
    return at;
  }
}

/** Writes the decimal digits of a non-negative integer; returns the offset after them. */
function putInt(dst: Uint8Array, at: number, n: number): number {
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  let p = at + digits;
  const end = p;
  do {
    dst[--p] = 48 + (n % 10);
    n = Math.floor(n / 10);
  } while (n > 0);
  return end;
}

/**
 * The transaction rows, encoded synchronously byte by byte into a Buffer: every constant piece
 * (dates, times, `client_id,card_id`, merchant segments, `use_chip`, errors) is pre-encoded once,
 * numbers are written digit by digit — no per-row strings for the GC (a plain method with its own
 * locals: variables living across an `await` are context-allocated and much slower to touch).
 */
class TransactionRows {
  readonly dirty = { missingMerchantState: 0, malformedMoney: 0, duplicateId: 0 };
  next = 0;
  private dirtyTurn = 0;
  private lastAcceptedId = -1;
  private readonly pickTable: Int32Array;
  private readonly homeMerchants: Int32Array;
  private readonly times: ByteTable;
  private readonly days: ByteTable;
  private readonly errorCells = new ByteTable(TRANSACTION_ERRORS.map((e) => (e.includes(',') ? `"${e}"` : e)));
  private readonly cardRefs: ByteTable;
  private readonly physicalSegments: ByteTable;
  private readonly onlineSegments: ByteTable;
  private readonly missingStateSegments: ByteTable;
  private readonly physicalHasZip: Uint8Array;
  private readonly malformed = new ByteTable(MALFORMED_MONEY);
  /** 0 online, 1 chip, 2 swipe. */
  private readonly useChip = new ByteTable([',Online Transaction,', ',Chip Transaction,', ',Swipe Transaction,']);
  private readonly dirtyThreshold: number;
  private readonly minutesPerRow: number;

  constructor(
    private readonly rng: Rng,
    private readonly cards: readonly Card[],
    merchants: { physical: Merchant[]; online: Merchant[] },
    readonly rows: number,
    share: number,
  ) {
    // Cards drawn by activity weight: a 64 Ki-entry lookup table keeps each draw O(1).
    const TABLE = 1 << 16;
    const weights = cards.map(() => 0.2 + rng.float() * rng.float() * 4);
    const totalWeight = weights.reduce((a, b) => a + b, 0);
    this.pickTable = new Int32Array(TABLE);
    let acc = 0;
    let c = 0;
    for (let i = 0; i < TABLE; i++) {
      const target = ((i + 0.5) / TABLE) * totalWeight;
      while (c < cards.length - 1 && acc + (weights[c] ?? 0) < target) acc += weights[c++] ?? 0;
      this.pickTable[i] = c;
    }
    // Each card shops mostly at its own six places.
    this.homeMerchants = new Int32Array(cards.length * 6);
    for (let i = 0; i < this.homeMerchants.length; i++) this.homeMerchants[i] = rng.int(merchants.physical.length);
    this.times = new ByteTable(Array.from({ length: 1440 }, (_, m) => ` ${pad2(Math.floor(m / 60))}:${pad2(m % 60)}:00,`));
    const dayCount = Math.ceil((END - START) / 86_400_000) + 1;
    this.days = new ByteTable(Array.from({ length: dayCount }, (_, d) => new Date(START + d * 86_400_000).toISOString().slice(0, 10)));
    this.cardRefs = new ByteTable(cards.map((card) => `${card.ref},`));
    this.physicalSegments = new ByteTable(merchants.physical.map((m) => `${m.segment},`));
    this.onlineSegments = new ByteTable(merchants.online.map((m) => `${m.segment},`));
    this.missingStateSegments = new ByteTable(merchants.physical.map((m) => `${m.id},${m.city},,${m.zip},${m.mcc},`));
    this.physicalHasZip = Uint8Array.from(merchants.physical, (m) => (m.zip === '' ? 0 : 1));
    this.dirtyThreshold = Math.round(share * 4294967296);
    this.minutesPerRow = (END - START) / 60_000 / Math.max(1, rows);
  }

  /** Writes rows into `buffer` from `offset` until it is nearly full or all rows are out; returns the new offset. */
  fill(buffer: Uint8Array, offset: number): number {
    const { rng, cards, pickTable, homeMerchants, times, days, errorCells, dirtyThreshold, minutesPerRow, rows, cardRefs, physicalSegments, onlineSegments, useChip } = this;
    const limit = buffer.length - MAX_ROW_BYTES;
    let i = this.next;
    let at = offset;
    while (i < rows && at < limit) {
      let id = FIRST_TRANSACTION_ID + i;
      const minute = Math.floor(i * minutesPerRow);
      const day = Math.floor(minute / 1440);
      const cardIndex = pickTable[rng.u32() >>> 16] as number;
      const card = cards[cardIndex] as Card;
      let chip: number;
      let segments: ByteTable;
      let segment: number;
      let merchantIndex = -1;
      if (rng.float() < 0.11) {
        chip = 0;
        segments = onlineSegments;
        segment = rng.int(onlineSegments.size);
      } else {
        // Chip readers spread from 2015 (day 1,826) on; a card without a chip always swipes.
        chip = card.hasChip && day >= 1826 && rng.float() < 0.75 ? 1 : 2;
        merchantIndex = rng.float() < 0.7 ? (homeMerchants[cardIndex * 6 + rng.int(6)] as number) : rng.int(physicalSegments.size);
        segments = physicalSegments;
        segment = merchantIndex;
      }
      let cents = 100 + Math.floor(-Math.log(1 - rng.float()) * 4_500);
      if (rng.float() < 0.05) cents = -(cents % 50_000) - 100; // refund
      const error = rng.float() < 0.016 ? rng.int(errorCells.size) : -1;
      let malformed = -1;
      let accepted = true;
      if (dirtyThreshold > 0 && rng.u32() < dirtyThreshold) {
        const kind = this.dirtyTurn % 3;
        if (kind === 0) {
          if (merchantIndex >= 0 && this.physicalHasZip[merchantIndex] === 1) {
            segments = this.missingStateSegments;
            this.dirty.missingMerchantState++;
            this.dirtyTurn++;
          }
        } else if (kind === 1) {
          malformed = rng.int(this.malformed.size);
          accepted = false;
          this.dirty.malformedMoney++;
          this.dirtyTurn++;
        } else if (this.lastAcceptedId >= 0) {
          id = this.lastAcceptedId;
          accepted = false;
          this.dirty.duplicateId++;
          this.dirtyTurn++;
        }
      }
      if (accepted) this.lastAcceptedId = id;
      // id,date,client_id,card_id,amount,use_chip,merchant_id,merchant_city,merchant_state,zip,mcc,errors
      at = putInt(buffer, at, id);
      buffer[at++] = 44;
      at = days.copy(buffer, at, day);
      at = times.copy(buffer, at, minute % 1440);
      at = cardRefs.copy(buffer, at, cardIndex);
      if (malformed >= 0) at = this.malformed.copy(buffer, at, malformed);
      else {
        buffer[at++] = 36; // $
        let abs = cents;
        if (cents < 0) {
          buffer[at++] = 45; // -
          abs = -cents;
        }
        at = putInt(buffer, at, Math.floor(abs / 100));
        buffer[at++] = 46; // .
        const c2 = abs % 100;
        buffer[at++] = 48 + Math.floor(c2 / 10);
        buffer[at++] = 48 + (c2 % 10);
      }
      at = useChip.copy(buffer, at, chip);
      at = segments.copy(buffer, at, segment);
      if (error >= 0) at = errorCells.copy(buffer, at, error);
      buffer[at++] = 10;
      i++;
    }
    this.next = i;
    return at;
  }
}

async function writeTransactions(
  rng: Rng,
  outDir: string,
  cards: readonly Card[],
  rows: number,
  share: number,
  onProgress: GenerateNequiOptions['onProgress'],
): Promise<{ file: GeneratedFile; bytes: number }> {
  const producer = new TransactionRows(rng, cards, makeMerchants(rng), rows, share);
  const stream = createWriteStream(join(outDir, 'transactions_data.csv'), { highWaterMark: CHUNK_BYTES });
  let bytes = 0;
  let reported = 0;
  // Rows are encoded straight into large Buffers (no multi-megabyte string ropes for the GC to
  // chase); each full buffer is handed to the stream and a fresh one allocated.
  let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let offset = buffer.write(`${NEQUI_HEADERS.transactions}\n`, 0, 'latin1');
  for (;;) {
    offset = producer.fill(buffer, offset);
    bytes += offset;
    const done = producer.next >= rows;
    if (done) {
      stream.end(buffer.subarray(0, offset));
      break;
    }
    const full = buffer.subarray(0, offset);
    buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    offset = 0;
    if (!stream.write(full)) await once(stream, 'drain');
    if (producer.next - reported >= 1_000_000) {
      reported = producer.next;
      onProgress?.(reported, rows);
    }
  }
  await once(stream, 'finish');
  onProgress?.(rows, rows);
  const dirty = { ...producer.dirty };
  return { file: { file: 'transactions_data.csv', rows, dirty, expectedRejects: dirty.malformedMoney + dirty.duplicateId }, bytes };
}
