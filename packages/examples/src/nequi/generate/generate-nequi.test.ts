import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readCsvBatches, type TableCleaning } from '@lakeblocks/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardsCleaning, mccCodesCleaning, transactionsCleaning, usersCleaning } from '../cleaning.js';
import { dropCsvColumns } from '../raw/drop-csv-columns.js';
import { mccCodesToCsv } from '../raw/mcc-codes-csv.js';
import { testLakeRoot } from '../testing/nequi-lake.js';
import { generateNequi, NEQUI_HEADERS, TRANSACTION_ERRORS, type GenerateNequiSummary } from './generate-nequi.js';

const ROWS = 20_000;
let root: string;
let clean: string;
let dirty: string;
let cleanSummary: GenerateNequiSummary;
let dirtySummary: GenerateNequiSummary;

const lines = async (file: string): Promise<string[]> => (await readFile(file, 'utf8')).split('\n').filter((l) => l.length > 0);
/** Splits a CSV line (quotes only ever wrap `errors` and malformed money here). */
const fields = (line: string): string[] => {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
};

beforeAll(async () => {
  root = await mkdtemp(join(testLakeRoot(), 'nequi-gen-'));
  clean = join(root, 'clean');
  dirty = join(root, 'dirty');
  cleanSummary = await generateNequi({ outDir: clean, rows: ROWS, seed: 11 });
  dirtySummary = await generateNequi({ outDir: dirty, rows: ROWS, seed: 11, dirtyShare: 0.06 });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('generateNequi: formats', () => {
  it('writes the original headers, sizes and the 109 MCC codes', async () => {
    const users = await lines(join(clean, 'users_data.csv'));
    const cards = await lines(join(clean, 'cards_data.csv'));
    const tx = await lines(join(clean, 'transactions_data.csv'));
    expect(users[0]).toBe(NEQUI_HEADERS.users);
    expect(cards[0]).toBe(NEQUI_HEADERS.cards);
    expect(tx[0]).toBe(NEQUI_HEADERS.transactions);
    expect([users.length - 1, cards.length - 1, tx.length - 1]).toEqual([2_000, 6_146, ROWS]);
    const mcc = JSON.parse(await readFile(join(clean, 'mcc_codes.json'), 'utf8')) as Record<string, string>;
    expect(Object.keys(mcc)).toHaveLength(109);
    expect(mcc['5812']).toBe('Eating Places and Restaurants');
    expect(cleanSummary.mccCodes.codes).toBe(109);
    expect(cleanSummary.transactions).toMatchObject({ rows: ROWS, expectedRejects: 0 });
  });

  it('writes every value in the original formats', async () => {
    for (const line of (await lines(join(clean, 'users_data.csv'))).slice(1)) {
      expect(line).toMatch(/^\d+,\d+,\d+,\d{4},\d{1,2},(Female|Male),\d+ [A-Za-z]+ [A-Za-z]+,-?\d+\.\d\d,-?\d+\.\d\d,\$\d+,\$\d+,\$\d+,\d{3},\d$/);
    }
    for (const line of (await lines(join(clean, 'cards_data.csv'))).slice(1)) {
      expect(line).toMatch(/^\d+,\d+,(Visa|Mastercard|Amex|Discover),(Credit|Debit|Debit \(Prepaid\)),\d{15,16},(0[1-9]|1[0-2])\/20\d\d,\d{3},(YES|NO),[123],\$\d+,(0[1-9]|1[0-2])\/(19|20)\d\d,\d{4},No$/);
    }
    const tx = (await lines(join(clean, 'transactions_data.csv'))).slice(1);
    const seen = { refund: 0, online: 0, foreign: 0, multiError: 0, chip: 0 };
    const bad: string[] = [];
    const errorValues = new Set<string>(TRANSACTION_ERRORS);
    let previous = '';
    for (const line of tx) {
      const f = fields(line);
      const [id = '', date = '', , , amount = '', useChip = '', , city = '', state = '', zip = '', mcc = '', errors = ''] = f;
      const problems: string[] = [];
      if (f.length !== 12) problems.push('fields');
      if (!/^\d+$/.test(id)) problems.push('id');
      if (!/^201\d-\d\d-\d\d \d\d:\d\d:00$/.test(date) || date < previous) problems.push('date'); // sorted, like the original
      previous = date;
      if (!/^\$-?\d+\.\d\d$/.test(amount)) problems.push('amount');
      if (!/^\d{4}$/.test(mcc)) problems.push('mcc');
      if (amount.startsWith('$-')) seen.refund++;
      if (useChip === 'Online Transaction') {
        if (city !== 'ONLINE' || state !== '' || zip !== '') problems.push('online');
        seen.online++;
      } else if (/^[A-Z]{2}$/.test(state)) {
        if (!/^\d{3,5}\.0$/.test(zip)) problems.push('zip'); // a float, leading zeros lost
      } else {
        if (!/^[A-Z][a-z]+( [A-Z][a-z]+)?$/.test(state) || zip !== '') problems.push('foreign'); // a country name
        seen.foreign++;
      }
      if (useChip === 'Chip Transaction') seen.chip++;
      if (errors !== '') {
        if (!errorValues.has(errors.replace(/^"|"$/g, ''))) problems.push('errors');
        if (errors.includes(',')) {
          if (!/^".*"$/.test(errors)) problems.push('quoting');
          seen.multiError++;
        }
      }
      if (problems.length > 0) bad.push(`${problems.join('+')}: ${line}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    for (const [k, v] of Object.entries(seen)) expect(v, k).toBeGreaterThan(0);
    expect(seen.refund / ROWS).toBeGreaterThan(0.03);
    expect(seen.online / ROWS).toBeGreaterThan(0.08);
  });
});

describe('generateNequi: consistency and determinism', () => {
  it('is referentially consistent: users 1—n cards 1—n transactions, transactions → mcc_codes', async () => {
    const users = (await lines(join(clean, 'users_data.csv'))).slice(1).map(fields);
    const cards = (await lines(join(clean, 'cards_data.csv'))).slice(1).map(fields);
    const mcc = new Set(Object.keys(JSON.parse(await readFile(join(clean, 'mcc_codes.json'), 'utf8')) as object));
    const userIds = new Set(users.map((u) => u[0]));
    expect(userIds.size).toBe(2_000);
    const cardOwner = new Map(cards.map((c) => [c[0], c[1]]));
    expect(cardOwner.size).toBe(6_146);
    const cardsPerUser = new Map<string, number>();
    for (const c of cards) {
      expect(userIds.has(c[1])).toBe(true);
      cardsPerUser.set(c[1]!, (cardsPerUser.get(c[1]!) ?? 0) + 1);
    }
    for (const u of users) expect(Number(u[13])).toBe(cardsPerUser.get(u[0]!)); // num_credit_cards = the user's cards
    const tx = (await lines(join(clean, 'transactions_data.csv'))).slice(1).map(fields);
    expect(tx.filter((t) => cardOwner.get(t[3]) !== t[2]).slice(0, 3)).toEqual([]); // the card belongs to the transaction's client
    expect(tx.filter((t) => !mcc.has(t[10]!)).slice(0, 3)).toEqual([]);
  });

  it('is deterministic: same seed → same bytes; another seed → other data', async () => {
    const a = join(root, 'a');
    const b = join(root, 'b');
    const other = join(root, 'other');
    await generateNequi({ outDir: a, rows: 2_000, seed: 3, dirtyShare: 0.05 });
    await generateNequi({ outDir: b, rows: 2_000, seed: 3, dirtyShare: 0.05 });
    await generateNequi({ outDir: other, rows: 2_000, seed: 4, dirtyShare: 0.05 });
    for (const f of ['users_data.csv', 'cards_data.csv', 'transactions_data.csv', 'mcc_codes.json']) {
      expect((await readFile(join(a, f))).equals(await readFile(join(b, f))), f).toBe(true);
    }
    for (const f of ['users_data.csv', 'cards_data.csv', 'transactions_data.csv']) {
      expect((await readFile(join(a, f))).equals(await readFile(join(other, f))), f).toBe(false);
    }
  });

  it('refuses nonsense options', async () => {
    await expect(generateNequi({ outDir: join(root, 'x'), rows: -1 })).rejects.toThrow(/rows/);
    await expect(generateNequi({ outDir: join(root, 'x'), dirtyShare: 2 })).rejects.toThrow(/dirtyShare/);
  });
});

describe('generateNequi: dirty rows', () => {
  const read = async (cleaning: TableCleaning, source: AsyncIterable<Uint8Array>) => {
    const reasons: string[] = [];
    const reader = readCsvBatches(source, { cleaning, file: cleaning.table.name, onReject: (r) => reasons.push(r.reason) });
    let rows = 0;
    for await (const { batch } of reader) rows += batch.numRows;
    return { stats: reader.stats, reasons, rows };
  };

  it('honours the dirty share roughly, and the cleaning rules reject exactly the rows meant to be rejected', async () => {
    const s = dirtySummary;
    const txDirty = Object.values(s.transactions.dirty).reduce((a, b) => a + b, 0);
    expect(txDirty / ROWS).toBeGreaterThan(0.06 * 0.8);
    expect(txDirty / ROWS).toBeLessThan(0.06 * 1.1);
    expect(Object.values(s.users.dirty).reduce((a, b) => a + b, 0)).toBe(120);
    expect(Object.values(s.cards.dirty).reduce((a, b) => a + b, 0)).toBe(369);
    for (const v of [...Object.values(s.users.dirty), ...Object.values(s.cards.dirty), ...Object.values(s.transactions.dirty)]) expect(v).toBeGreaterThan(0);

    const users = await read(usersCleaning, createReadStream(join(dirty, 'users_data.csv')));
    const cards = await read(cardsCleaning, dropCsvColumns(createReadStream(join(dirty, 'cards_data.csv')), ['cvv']));
    const tx = await read(transactionsCleaning, createReadStream(join(dirty, 'transactions_data.csv')));
    const mcc = await read(mccCodesCleaning, (async function* () {
      yield Buffer.from(mccCodesToCsv(JSON.parse(await readFile(join(dirty, 'mcc_codes.json'), 'utf8')) as Record<string, string>));
    })());
    for (const [name, r, file] of [['users', users, s.users], ['cards', cards, s.cards], ['transactions', tx, s.transactions]] as const) {
      expect(r.stats.rowsIn, name).toBe(file.rows);
      expect(r.stats.rowsRejected, name).toBe(file.expectedRejects);
      expect(r.stats.rowsIn, name).toBe(r.stats.rowsOut + r.stats.rowsRejected);
      expect(r.rows, name).toBe(r.stats.rowsOut);
    }
    // Clean populations survive whole: the rejected users and cards were extra rows.
    expect(users.stats.rowsOut).toBe(2_000);
    expect(cards.stats.rowsOut).toBe(6_146);
    expect(mcc.stats.rowsOut).toBe(109);
    expect(users.reasons.filter((r) => r === 'current_age is greater than retirement_age')).toHaveLength(s.users.dirty['pastRetirement']!);
    expect(tx.reasons.filter((r) => r.startsWith('duplicate primary key'))).toHaveLength(s.transactions.dirty['duplicateId']!);
  });
});
