/**
 * Generates products and customers.
 *
 * @module
 */
import { join } from 'node:path';
import { CATEGORIES } from '../tables.js';
import { CsvFileWriter } from './csv-io.js';
import { COLOURS, countries, FIRST_NAMES, LAST_NAMES, PRODUCT_NOUNS } from './distributions.js';
import type { CustomerFacts, ProductFacts } from './facts.js';
import { csvField, DATA_END, DATA_START, isoSeconds, money } from './format.js';
import type { Random } from './random.js';

/**
 * Writes `products.csv` (`count` products, categories in equal shares, list prices 3.50–600 USD,
 * cost 45–75 % of the price, margin = price − cost).
 *
 * @example
 * ```ts
 * const facts = await writeProducts(dir, 1197, new Random('42/products'));
 * ```
 */
export async function writeProducts(dir: string, count: number, rng: Random): Promise<ProductFacts> {
  const out = new CsvFileWriter(join(dir, 'products.csv'), 'product_id,category,name,price_usd,cost_usd,margin_usd');
  const facts: ProductFacts = { ids: [], priceCents: [] };
  for (let id = 1; id <= count; id++) {
    const category = CATEGORIES[Math.floor(((id - 1) * CATEGORIES.length) / count)] ?? 'Toys';
    const name = `${rng.pick(PRODUCT_NOUNS[category])} ${rng.pick(COLOURS)} ${rng.between(100, 999)}`;
    const price = 350 + Math.round(59_650 * rng.next() ** 1.6);
    const cost = Math.round(price * (0.45 + 0.3 * rng.next()));
    facts.ids.push(id);
    facts.priceCents.push(price);
    if (out.line(`${id},${csvField(category)},${csvField(name)},${money(price)},${money(cost)},${money(price - cost)}`)) await out.flush();
  }
  await out.close();
  return facts;
}

/**
 * Writes `customers.csv` (`count` customers signed up between 2020-01-01 and 2025-10-31, ages
 * 18–75, countries weighted like the real ones).
 *
 * @example
 * ```ts
 * const facts = await writeCustomers(dir, 20_000, new Random('42/customers'));
 * ```
 */
export async function writeCustomers(dir: string, count: number, rng: Random): Promise<CustomerFacts> {
  const out = new CsvFileWriter(join(dir, 'customers.csv'), 'customer_id,name,email,country,age,signup_date,marketing_opt_in');
  const facts: CustomerFacts = { ids: [], countries: [], signup: [] };
  const days = (DATA_END - DATA_START) / 86_400;
  const domains = ['example.com', 'example.org', 'example.net'];
  for (let id = 1; id <= count; id++) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const email = `${ascii(first)}.${ascii(last)}${rng.int(100)}@${rng.pick(domains)}`;
    const country = countries.sample(rng);
    const signup = DATA_START + rng.int(days) * 86_400;
    facts.ids.push(id);
    facts.countries.push(country);
    facts.signup.push(signup);
    const line = `${id},${csvField(`${first} ${last}`)},${email},${country},${rng.between(18, 75)},${isoSeconds(signup).slice(0, 10)},${rng.next() < 0.45 ? 'True' : 'False'}`;
    if (out.line(line)) await out.flush();
  }
  await out.close();
  return facts;
}

function ascii(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[^a-zA-Z]/g, '')
    .toLowerCase();
}
