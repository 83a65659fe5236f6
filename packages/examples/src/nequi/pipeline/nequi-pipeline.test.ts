import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunLog } from '@lakeblocks/core';
import { DuckDbEngine } from '@lakeblocks/transform/duckdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateNequi, type GenerateNequiSummary } from '../generate/generate-nequi.js';
import { mccCategoryOf, nequiModels } from '../models/index.js';
import { nequiTables } from '../tables.js';
import { testLakeRoot } from '../testing/nequi-lake.js';
import { nequiPipeline } from './nequi-pipeline.js';

const ROWS = 8_000;
let root: string;
let lakeDir: string;
let summary: GenerateNequiSummary;
let engine: DuckDbEngine;
let log: RunLog;

/** Exact cents of a decimal string. */
const cents = (s: unknown): number => {
  const m = /^(-?)(\d+)\.(\d\d)$/.exec(String(s));
  if (m === null) throw new Error(`not a 2-decimal amount: ${String(s)}`);
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 100 + Number(m[3]));
};
const money = (c: number): string => `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;

beforeAll(async () => {
  root = await mkdtemp(join(testLakeRoot(), 'nequi-e2e-'));
  lakeDir = join(root, 'lake');
  summary = await generateNequi({ outDir: join(root, 'data'), rows: ROWS, dirtyShare: 0.03, seed: 5 });
  log = await nequiPipeline({ lakeDir, dataDir: join(root, 'data'), batch: 'b1', deadlineMs: 60_000 }).run({ runId: 'test-run' });
  engine = await DuckDbEngine.create({ lakeDir, tables: nequiTables, models: nequiModels, threads: 2 });
}, 60_000);

afterAll(async () => {
  engine?.close();
  await rm(root, { recursive: true, force: true });
});

describe('generated sources → raw → processed → curated', () => {
  it('accounts for every input row: processed + rejected = input, rejects exactly the dirty rows meant to be rejected', async () => {
    expect(log.status).toBe('succeeded');
    expect(log.steps.map((st) => [st.name, st.status])).toEqual([['upload', 'succeeded'], ['raw-to-processed', 'succeeded'], ['curated', 'succeeded'], ['reports', 'succeeded']]);
    const ingest = log.steps[1]!;
    const files = { users: summary.users, cards: summary.cards, transactions: summary.transactions } as const;
    const rowsIn = summary.users.rows + summary.cards.rows + summary.transactions.rows + 109;
    const rejected = summary.users.expectedRejects + summary.cards.expectedRejects + summary.transactions.expectedRejects;
    expect([ingest.rowsIn, ingest.rowsOut, ingest.rowsRejected]).toEqual([rowsIn, rowsIn - rejected, rejected]);
    for (const [name, file] of Object.entries(files)) {
      const [count] = await engine.queryAll(`SELECT count(*) AS n FROM ${name}`);
      expect(Number(count?.['n']), name).toBe(file.rows - file.expectedRejects);
    }
    const rejects = await readFile(join(lakeDir, 'rejects', 'transactions', 'test-run.csv'), 'utf8');
    expect(rejects).toMatch(/duplicate primary key transaction_id=/);
    expect(rejects).toMatch(/not a money amount/);
    // The CVV is nowhere in the lake: not in raw/, not in processed/, not in rejects/.
    const cardsRaw = await readFile(join(lakeDir, 'raw', 'cards', 'b1', 'cards_data.csv'), 'utf8');
    expect(cardsRaw.split('\n', 1)[0]).toBe('id,client_id,card_brand,card_type,card_number,expires,has_chip,num_cards_issued,credit_limit,acct_open_date,year_pin_last_changed,card_on_dark_web');
    const [masked] = await engine.queryAll(`SELECT count(*) AS n FROM cards WHERE card_number NOT LIKE '%*%'`);
    expect(Number(masked?.['n'])).toBe(0);
  });

  it('writes the HTML risk and segmentation report, with the numbers of the models', async () => {
    const html = await readFile(join(lakeDir, 'reports', 'nequi-report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    const levels = await engine.queryAll('SELECT risk_level, count(*) AS n FROM client_risk_profile GROUP BY risk_level ORDER BY risk_level');
    for (const l of levels) expect(html).toContain(`<tr><td>${String(l['risk_level'])}</td><td>${String(l['n'])}</td>`);
    for (const title of ['Clients by risk level', 'Highest-risk clients (top 20)', 'Segments: age band × income band', 'Spend by merchant category', 'Monthly spend (all clients)']) {
      expect(html).toContain(`<h2>${title.replace('&', '&amp;')}</h2>`);
    }
    expect(html).not.toMatch(/<script/i);
  });

  it('writes the data dictionary of every table and model into reports/', async () => {
    const md = await readFile(join(lakeDir, 'reports', 'data-dictionary.md'), 'utf8');
    for (const name of [...nequiTables.map((t) => t.name), ...nequiModels.map((m) => m.name)]) expect(md).toContain(`## \`${name}\``);
    expect(md).toContain('| `card_number` | string');
    expect(md).not.toContain('`cvv`');
  });

  it('curated numbers equal an independent recomputation in TS from the processed rows (money to the cent)', async () => {
    const tx = await engine.queryAll('SELECT client_id, transaction_time, amount, mcc, errors FROM transactions');
    const perClient = new Map<number, { n: number; errors: number; refunds: number; refundCents: number; spendCents: number; months: Set<string> }>();
    const perMonth = new Map<string, { n: number; spend: number; refund: number; net: number }>();
    const perCategory = new Map<string, { n: number; spend: number }>();
    for (const t of tx) {
      const client = t['client_id'] as number;
      const c = cents(t['amount']);
      const time = t['transaction_time'] as Date;
      const month = `${time.getUTCFullYear()}-${time.getUTCMonth() + 1}`;
      const p = perClient.get(client) ?? { n: 0, errors: 0, refunds: 0, refundCents: 0, spendCents: 0, months: new Set<string>() };
      p.n++;
      if (t['errors'] !== null) p.errors++;
      if (c < 0) {
        p.refunds++;
        p.refundCents -= c;
      } else p.spendCents += c;
      p.months.add(month);
      perClient.set(client, p);
      const m = perMonth.get(`${client}/${month}`) ?? { n: 0, spend: 0, refund: 0, net: 0 };
      m.n++;
      m.net += c;
      if (c < 0) m.refund -= c;
      else m.spend += c;
      perMonth.set(`${client}/${month}`, m);
      const k = `${client}/${mccCategoryOf(t['mcc'] as number)}`;
      const g = perCategory.get(k) ?? { n: 0, spend: 0 };
      g.n++;
      if (c > 0) g.spend += c;
      perCategory.set(k, g);
    }

    const profiles = await engine.queryAll('SELECT * FROM client_risk_profile ORDER BY client_id');
    expect(profiles).toHaveLength(2_000);
    const pick = (r: Record<string, unknown>, keys: string[]) => keys.map((k) => r[k]);
    const keys = ['client_id', 'transactions', 'error_transactions', 'refunds', 'refund_amount', 'spend', 'active_months'];
    expect(profiles.map((r) => pick(r, keys))).toEqual(
      profiles.map((r) => {
        const p = perClient.get(r['client_id'] as number);
        return [r['client_id'], p?.n ?? 0, p?.errors ?? 0, p?.refunds ?? 0, money(p?.refundCents ?? 0), money(p?.spendCents ?? 0), p?.months.size ?? 0];
      }),
    );
    // A double rounded to 2 decimals: within half a cent of the exact mean.
    const far = profiles.filter((r) => {
      const p = perClient.get(r['client_id'] as number);
      return p === undefined ? r['avg_monthly_spend'] !== null : Math.abs((r['avg_monthly_spend'] as number) - p.spendCents / 100 / p.months.size) > 0.005 + 1e-9;
    });
    expect(far).toEqual([]);
    expect(perClient.size).toBeGreaterThan(1_500);

    const monthly = await engine.queryAll('SELECT * FROM client_monthly_spend');
    expect(monthly).toHaveLength(perMonth.size);
    expect(monthly.map((r) => pick(r, ['client_id', 'year', 'month', 'transactions', 'spend', 'refund_amount', 'net_amount']))).toEqual(
      monthly.map((r) => {
        const m = perMonth.get(`${String(r['client_id'])}/${String(r['year'])}-${String(r['month'])}`);
        return [r['client_id'], r['year'], r['month'], m?.n, money(m?.spend ?? -1), money(m?.refund ?? -1), money(m?.net ?? -1)];
      }),
    );

    const categories = await engine.queryAll('SELECT * FROM client_category_spend');
    expect(categories).toHaveLength(perCategory.size);
    expect(categories.map((r) => pick(r, ['client_id', 'mcc_category', 'transactions', 'spend']))).toEqual(
      categories.map((r) => {
        const g = perCategory.get(`${String(r['client_id'])}/${String(r['mcc_category'])}`);
        return [r['client_id'], r['mcc_category'], g?.n, money(g?.spend ?? -1)];
      }),
    );

    const [totals] = await engine.queryAll('SELECT count(*) AS n, sum(amount) AS total FROM transactions_enriched');
    expect(Number(totals?.['n'])).toBe(tx.length);
    expect(totals?.['total']).toBe(money(tx.reduce((s, t) => s + cents(t['amount']), 0)));
  });
});
