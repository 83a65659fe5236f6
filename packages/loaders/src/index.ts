/**
 * `@lakeblocks/loaders`: the MySQL / RDS loader, Glue Data Catalog registration and the Athena
 * query client. This barrel carries what needs no driver — the error base, the SDK-free Glue input
 * builders, Athena value conversions and the AWS error classifier; the backends live in subpaths
 * so their optional peer dependencies load only when used:
 *
 * | entry | what | needs |
 * |---|---|---|
 * | `@lakeblocks/loaders/glue` | `GlueCatalog` | `@aws-sdk/client-glue` |
 * | `@lakeblocks/loaders/athena` | `AthenaQueryClient` | `@aws-sdk/client-athena` |
 * | `@lakeblocks/loaders/mysql` | `MySqlLoader` | a `mysql2/promise` pool (passed in) |
 *
 * @example
 * ```ts
 * import { LoadersError, toGlueTableInput } from '@lakeblocks/loaders';
 * const input = toGlueTableInput(orders, { location: 's3://lake/processed/orders/' });
 * ```
 *
 * @packageDocumentation
 */
export { LoadersError, isLoadersError } from './errors/index.js';
export type { LoadersErrorTag, LoadersErrorContext, LoadersErrorOptions } from './errors/index.js';

export { classifyAwsError, awsErrorCode, isThrottlingCode, isTransientCode } from './aws/classify-aws-error.js';
export { sendAws } from './aws/send-aws.js';
export type { AwsSendClient, AwsCallPolicy, SendAwsOptions } from './aws/send-aws.js';

export * from './glue/table-input-exports.js';

export { parseAthenaValue, athenaLiteral } from './athena/athena-values.js';
export type { AthenaValue, AthenaParameter } from './athena/athena-values.js';
