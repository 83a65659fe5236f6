/**
 * The one error base of `@lakeblocks/transform`.
 *
 * @module
 */

/**
 * The kinds of {@link TransformError}.
 *
 * - `InvalidModel`: a model definition is inconsistent (bad ref, unknown input, cycle, bad option).
 * - `InvalidArgument`: the caller passed something unusable (a partition the model does not have…).
 * - `InputMissing`: a model refers to a table or model the engine does not know.
 * - `QueryFailed`: the engine (DuckDB, Athena) rejected or failed a statement.
 * - `WriteFailed`: writing or moving curated files failed.
 * - `Timeout`: a query did not finish in time.
 * - `SqlSubset`: model SQL uses syntax or functions outside the DuckDB ∩ Athena subset.
 *
 * @example
 * ```ts
 * const tag: TransformErrorTag = 'QueryFailed';
 * ```
 */
export type TransformErrorTag =
  | 'InvalidModel'
  | 'InvalidArgument'
  | 'InputMissing'
  | 'QueryFailed'
  | 'WriteFailed'
  | 'Timeout'
  | 'SqlSubset';

/**
 * Options of {@link TransformError}.
 *
 * @example
 * ```ts
 * const options: TransformErrorOptions = { isRetryable: true, context: { model: 'kpi_monthly' } };
 * ```
 */
export interface TransformErrorOptions {
  /** The original (driver) error. */
  cause?: unknown;
  /** Whether running the same operation again may succeed (throttling, transient engine failure). */
  isRetryable?: boolean;
  /** What the failure concerns (model, partition, query id …); repeated in the message. */
  context?: Record<string, string | number | undefined>;
}

/**
 * Every error `@lakeblocks/transform` throws: switch on `_tag`, check `isRetryable`, read `cause`
 * for the driver's error and `context` for the model / partition / query concerned.
 *
 * @example
 * ```ts
 * import { TransformError } from '@lakeblocks/transform';
 * try {
 *   await engine.run('kpi_monthly');
 * } catch (err) {
 *   if (err instanceof TransformError && err._tag === 'InputMissing') console.error(err.message);
 *   else throw err;
 * }
 * ```
 */
export class TransformError extends Error {
  /** What kind of failure this is. */
  readonly _tag: TransformErrorTag;
  /** Whether retrying may succeed. */
  readonly isRetryable: boolean;
  /** What the failure concerns. */
  readonly context: Readonly<Record<string, string | number | undefined>>;

  /**
   * @example
   * ```ts
   * throw new TransformError('InvalidModel', 'Unknown ref', { context: { model: 'fact_orders_enriched' } });
   * ```
   */
  constructor(tag: TransformErrorTag, message: string, options: TransformErrorOptions = {}) {
    const context = options.context ?? {};
    const parts = Object.entries(context)
      .filter(([, v]) => v !== undefined && v !== '')
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    super(parts.length === 0 ? message : `${message} (${parts.join(', ')})`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TransformError';
    this._tag = tag;
    this.isRetryable = options.isRetryable ?? false;
    this.context = context;
  }
}
