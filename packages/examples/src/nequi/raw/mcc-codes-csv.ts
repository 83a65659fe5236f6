/**
 * mcc_codes.json → CSV, so the merchant category codes go through the same upload and cleaning path
 * as the other sources (ingest reads CSV).
 *
 * @module
 */

/**
 * Converts the `{"5812": "Eating Places and Restaurants", …}` object of mcc_codes.json to a
 * `mcc,description` CSV (header included, codes in ascending order, descriptions quoted when they
 * need it).
 *
 * @example
 * ```ts
 * mccCodesToCsv({ '5812': 'Eating Places and Restaurants', '5411': 'Grocery Stores, Supermarkets' });
 * // 'mcc,description\n5411,"Grocery Stores, Supermarkets"\n5812,Eating Places and Restaurants\n'
 * ```
 */
export function mccCodesToCsv(codes: Readonly<Record<string, string>>): string {
  const quote = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = Object.entries(codes)
    .sort(([a], [b]) => Number(a) - Number(b) || a.localeCompare(b))
    .map(([code, description]) => `${quote(code)},${quote(description)}`);
  return ['mcc,description', ...lines].join('\n') + '\n';
}
