/**
 * The Nequi data dictionary: the design's dictionary of processed tables and curated models,
 * generated from the table definitions (core's `toDataDictionary`), so it cannot name a column that
 * does not exist.
 *
 * @module
 */
import { toDataDictionary, type AnyTable } from '@lakeblocks/core';
import { nequiModels } from '../models/index.js';
import { nequiTables } from '../tables.js';

/**
 * Markdown for `<lake>/reports/data-dictionary.md`: the four processed tables, then every curated model.
 *
 * @example
 * ```ts
 * await storage.put(lakeLayout.reportFile('data-dictionary.md'), nequiDataDictionary());
 * ```
 */
export function nequiDataDictionary(): string {
  const tables: AnyTable[] = [...nequiTables, ...nequiModels.map((m) => m.output as AnyTable)];
  return toDataDictionary(tables, { title: 'Nequi lake — data dictionary' });
}
