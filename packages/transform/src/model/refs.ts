/**
 * Input references in model SQL: `{{ ref('orders') }}` names a processed table or another model.
 * Each engine renders a ref to its own relation name (a DuckDB view locally, a quoted Glue table on
 * Athena), so one SQL text serves both.
 *
 * @module
 */
import { TransformError } from '../errors/transform-error.js';

const REF = /\{\{\s*ref\(\s*'([^']*)'\s*\)\s*\}\}/g;
const NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * The distinct names a SQL text refers to with `{{ ref('name') }}`, in order of first use. Throws
 * `InvalidModel` for a malformed name or any other `{{ … }}` template.
 *
 * @example
 * ```ts
 * refsOf("SELECT * FROM {{ ref('orders') }} o JOIN {{ ref('customers') }} c USING (customer_id)");
 * // ['orders', 'customers']
 * ```
 */
export function refsOf(sql: string, model = '?'): string[] {
  const names: string[] = [];
  for (const match of sql.matchAll(REF)) {
    const name = match[1] ?? '';
    if (!NAME.test(name)) {
      throw new TransformError('InvalidModel', `ref(${JSON.stringify(name)}) is not a table name (^[a-z_][a-z0-9_]*$)`, { context: { model } });
    }
    if (!names.includes(name)) names.push(name);
  }
  const leftover = sql.replace(REF, '');
  const stray = /\{\{[\s\S]*?\}\}|\{\{|\}\}/.exec(leftover);
  if (stray) {
    throw new TransformError('InvalidModel', `Unsupported template ${JSON.stringify(stray[0])}: only {{ ref('name') }} is allowed`, { context: { model } });
  }
  return names;
}

/**
 * Replaces every `{{ ref('name') }}` with `resolve(name)`.
 *
 * @example
 * ```ts
 * renderRefs("SELECT * FROM {{ ref('orders') }}", (n) => `"techstore"."${n}"`);
 * // 'SELECT * FROM "techstore"."orders"'
 * ```
 */
export function renderRefs(sql: string, resolve: (name: string) => string): string {
  return sql.replace(REF, (_, name: string) => resolve(name));
}
