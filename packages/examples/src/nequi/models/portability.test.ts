import { assertSqlSubset, checkSqlSubset, type AnyModel } from '@lakeblocks/transform';
import { renderCtasSeries, type AthenaTarget } from '@lakeblocks/transform/athena';
import { describe, expect, it } from 'vitest';
import { nequiModels } from './index.js';

/** The output columns of every Nequi model (partition keys last, as Athena and the DuckDB views show them). */
const CONTRACT: Record<string, string[]> = {
  transactions_enriched: [
    'transaction_id', 'transaction_time', 'transaction_date', 'client_id', 'card_id', 'amount', 'is_refund', 'use_chip', 'merchant_id', 'merchant_city',
    'merchant_state', 'zip', 'mcc', 'mcc_description', 'mcc_category', 'errors', 'has_error', 'card_brand', 'card_type', 'credit_limit', 'card_on_dark_web',
    'client_age', 'yearly_income', 'total_debt', 'credit_score', 'year', 'month',
  ],
  client_risk_profile: [
    'client_id', 'credit_score', 'yearly_income', 'total_debt', 'debt_to_income', 'num_cards', 'cards_on_dark_web', 'total_credit_limit', 'transactions',
    'error_transactions', 'error_rate', 'refunds', 'refund_amount', 'spend', 'active_months', 'avg_monthly_spend', 'spend_to_limit', 'risk_level',
  ],
  client_monthly_spend: ['client_id', 'transactions', 'spend', 'refund_amount', 'net_amount', 'year', 'month'],
  client_category_spend: ['client_id', 'mcc_category', 'transactions', 'spend', 'share_of_spend'],
  client_segments: ['client_id', 'current_age', 'age_band', 'gender', 'yearly_income', 'income_band', 'active_months', 'total_spend', 'avg_monthly_spend', 'top_mcc_category'],
};

const models: readonly AnyModel[] = nequiModels;
const modelNames = models.map((m) => m.name);
const target = (m: AnyModel): AthenaTarget => ({ database: 'nequi_curated', inputDatabase: 'nequi', location: `s3://lake-bucket/curated/${m.name}/`, models: modelNames });

describe('every Nequi model', () => {
  it('is covered by the contract, and only the contract', () => {
    expect([...modelNames].sort()).toEqual(Object.keys(CONTRACT).sort());
  });

  it.each(models.map((m) => [m.name, m] as const))('%s stays in the DuckDB ∩ Athena SQL subset, in its source and its Athena rendering', (_, model) => {
    expect(checkSqlSubset(model.sql)).toEqual([]);
    expect(() => assertSqlSubset(model)).not.toThrow();
    const keys = model.output.partitionKeys.map((k) => k.name);
    const partitions = keys.length === 0 ? undefined : [Object.fromEntries(keys.map((k) => [k, k === 'year' ? 2019 : 3]))];
    const statements = renderCtasSeries(model, target(model), { tableName: model.name, ...(partitions ? { partitions } : {}) });
    expect(statements).toHaveLength(1);
    const ctas = statements[0] ?? '';
    expect(checkSqlSubset(ctas)).toEqual([]);
    expect(ctas).not.toMatch(/\{\{|`/);
    expect(ctas).toMatch(new RegExp(`^CREATE TABLE "nequi_curated"\\."${model.name}"\\nWITH \\(format = 'PARQUET', write_compression = 'SNAPPY'`));
    for (const input of model.inputs) {
      const db = modelNames.includes(input) ? 'nequi_curated' : 'nequi';
      expect(ctas).toContain(`"${db}"."${input}"`);
    }
    const selectList = /\nAS\nSELECT (.*)\n/.exec(ctas)?.[1] ?? '';
    expect(selectList.split(', ').map((c) => c.replace(/"/g, ''))).toEqual(CONTRACT[model.name]);
    if (keys.length > 0) expect(ctas).toContain(`partitioned_by = ARRAY[${keys.map((k) => `'${k}'`).join(', ')}]`);
  });

  it('the checker is live: it flags a DuckDB-only construct in a Nequi-shaped query', () => {
    expect(checkSqlSubset("SELECT strftime(transaction_time, '%Y') FROM transactions")).not.toEqual([]);
  });
});
