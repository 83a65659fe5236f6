/**
 * Test helper: the Glue Data Catalog faked in memory (requests answered as Glue would), for the
 * TechStore AWS-mode tests.
 *
 * @module
 */
import {
  BatchCreatePartitionCommand,
  BatchDeletePartitionCommand,
  CreateDatabaseCommand,
  CreateTableCommand,
  EntityNotFoundException,
  GetDatabaseCommand,
  GetPartitionsCommand,
  GetTableCommand,
  GlueClient,
  UpdateTableCommand,
  type PartitionInput,
  type TableInput,
} from '@aws-sdk/client-glue';
import { mockClient } from 'aws-sdk-client-mock';

const meta = { $metadata: {} };

/**
 * A Glue Data Catalog in memory behind an `aws-sdk-client-mock` of `GlueClient`: databases, tables
 * and partitions as the requests leave them (`database` names the partitions' database).
 *
 * @example
 * ```ts
 * const glue = fakeGlue('techstore');
 * // … run the pipeline …
 * glue.partitions.get('orders')?.size;
 * glue.glue.restore();
 * ```
 */
export function fakeGlue(database: string) {
  const glue = mockClient(GlueClient);
  const databases = new Map<string, object>();
  const tables = new Map<string, TableInput>();
  const partitions = new Map<string, Map<string, PartitionInput>>();
  const notFound = (what: string) => new EntityNotFoundException({ message: `${what} not found`, ...meta });
  glue.on(GetDatabaseCommand).callsFake((input: { Name: string }) => {
    const d = databases.get(input.Name);
    if (!d) throw notFound(`Database ${input.Name}`);
    return { Database: d };
  });
  glue.on(CreateDatabaseCommand).callsFake((input: { DatabaseInput: { Name: string } }) => {
    databases.set(input.DatabaseInput.Name, input.DatabaseInput);
    return {};
  });
  glue.on(GetTableCommand).callsFake((input: { Name: string; DatabaseName: string }) => {
    const t = tables.get(input.Name);
    if (!t) throw notFound(`Table ${input.Name}`);
    return { Table: { ...t, DatabaseName: input.DatabaseName } };
  });
  glue.on(CreateTableCommand).callsFake((input: { TableInput: TableInput }) => {
    tables.set(input.TableInput.Name as string, input.TableInput);
    partitions.set(input.TableInput.Name as string, new Map());
    return {};
  });
  glue.on(UpdateTableCommand).callsFake((input: { TableInput: TableInput }) => {
    tables.set(input.TableInput.Name as string, input.TableInput);
    return {};
  });
  glue.on(GetPartitionsCommand).callsFake((input: { TableName: string }) => ({
    Partitions: [...(partitions.get(input.TableName)?.values() ?? [])].map((p) => ({ ...p, DatabaseName: database, TableName: input.TableName })),
  }));
  glue.on(BatchCreatePartitionCommand).callsFake((input: { TableName: string; PartitionInputList: PartitionInput[] }) => {
    for (const p of input.PartitionInputList) partitions.get(input.TableName)?.set((p.Values ?? []).join('/'), p);
    return { Errors: [] };
  });
  glue.on(BatchDeletePartitionCommand).callsFake((input: { TableName: string; PartitionsToDelete: { Values: string[] }[] }) => {
    for (const p of input.PartitionsToDelete) partitions.get(input.TableName)?.delete(p.Values.join('/'));
    return { Errors: [] };
  });
  return { glue, databases, tables, partitions };
}
